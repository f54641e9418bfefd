// The `okta` connector: reads one Okta org through the Management API (/api/v1) and the shared
// HTTP layer. The full reference (keys, scopes, statuses, what is not read) is
// docs/connectors/okta.md.
//
// Accounts: every user, in every status (the default list leaves out DEPROVISIONED users, so
// they are read with a second, filtered list). id = the Okta user id, login = profile.login,
// email = profile.email, external_id = profile.employeeNumber, last_login = lastLogin,
// created_at = created; status ACTIVE, PASSWORD_EXPIRED, LOCKED_OUT, RECOVERY, PROVISIONED ->
// active; STAGED, SUSPENDED -> suspended; DEPROVISIONED -> disabled (attrs.okta_status keeps
// Okta's word). Users whose login matches builtin_logins are kind builtin. With
// read_factors, attrs.mfa_enrolled and attrs.mfa_factors from /users/{id}/factors.
// attrs.app_usernames maps each assigned app's label to the user's username in that app.
//
// Entitlements and grants (level member):
//   group:<name>            Okta groups, app groups and Everyone; direct members
//   app:<label>             active apps (not Okta's own dashboard, admin console, browser plugin
//                           and Workflows apps); direct assignments via direct, assignments
//                           through an assigned group via group:<name>
//   admin-role:<type>       standard admin roles (SUPER_ADMIN, ORG_ADMIN, ...), and
//   admin-role:custom:<label> custom ones; privileged; through a group via group:<name>
// Names shared by two groups or two apps get " [<okta id>]" appended, so ids stay unique.
#pragma once

#include "connectors/api/connector.hpp"

namespace rollcall::connectors::okta {

ConnectorType connector_type();

}  // namespace rollcall::connectors::okta
