// The `jira` connector: one Jira Cloud site through REST v3 (docs/connectors/jira.md).
//
// Reads accounts (/rest/api/3/users/search), groups and their members (/group/bulk,
// /group/member with inactive users), product access (/applicationrole: a seat is held through
// the role's groups), the project roles of the configured projects (/project/{key}/role), and,
// when org_id and an org API key are set, the organization's managed accounts
// (/admin/v1/orgs/{org_id}/users) to fill emails that profile visibility hides.
//
//   group:<name>                  member   via direct
//   product:<key>                 member   via group:<name> (each group that gives the seat)
//   project-role:<project>:<role> member   via direct (a user actor) or group:<name> (a group actor)
//
// Admin groups (admin_groups, by name) and the Administrators project role are privileged.
// accountType app is a service account, or builtin when its name is one of builtin_apps;
// customer accounts (Jira Service Management portal customers) are not read unless a group or
// project role holds them, then they are guests. An account whose email stays hidden gets
// attrs {"email_hidden": true} and one warning counts them.
#pragma once

#include "connectors/api/connector.hpp"

namespace rollcall::connectors::jira {

ConnectorType connector_type();

}  // namespace rollcall::connectors::jira
