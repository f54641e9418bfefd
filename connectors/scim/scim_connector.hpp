// The `scim` connector: reads any SCIM 2.0 service provider (RFC 7643/7644) — Okta, Entra ID,
// Atlassian, Zoom, Slack Enterprise, GitHub EMU, ... — over the shared HTTP layer.
//
// Accounts are the /Users resources: id = SCIM id, login = userName, email = the primary email
// (else the first work email, else the first), display name, external_id = externalId, status
// disabled when "active" is false, created_at = meta.created, last_login from a configurable
// attribute path, and the enterprise extension (employeeNumber, manager, department, ...) in
// attrs. Entitlements are the /Groups as `group:<displayName>`; a member of a group holds it
// at level `member`, via `direct`; members of a nested group hold the parent too, via
// `group:<nested group>`.
//
// Both lists are read page by page (startIndex/count); group members that the user list did
// not contain (created in between) are fetched one by one, and skipped when they are gone.
#pragma once

#include "connectors/api/connector.hpp"

namespace rollcall::connectors::scim {

ConnectorType connector_type();

}  // namespace rollcall::connectors::scim
