// The `entra` connector: reads one Microsoft Entra ID tenant through Microsoft Graph v1.0 with
// an app-only token (entra_api.hpp), every list through the shared OData paginator
// (@odata.nextLink, $top=999 where Graph allows it).
//
// Accounts:
//   users              id = object id, login = userPrincipalName, email = mail, external_id =
//                      employeeId, status active/disabled from accountEnabled, kind guest for
//                      userType Guest (else human), last_login = signInActivity.lastSignInDateTime
//                      (needs AuditLog.Read.All; without it the users are read without, once
//                      warned, and last_login stays unknown), created_at = createdDateTime.
//   service principals id = object id, login = appId, kind service, or builtin for Microsoft's
//                      own (appOwnerOrganizationId f8cdef31-...-5f571e91255a); owners and the
//                      app registration's and the principal's credentials (key id, type, start
//                      and end, never a value) in attrs.
//   app registrations  with no service principal in the tenant: id = the application's object
//                      id, kind service, attrs.object = "application".
// Entitlements and grants:
//   group:<displayName>          level member; a member of a nested group holds the outer group
//                                via group:<inner>
//   directory-role:<displayName> activated directory roles; level member; via group:<name> for
//                                a role-assignable group's members; privileged unless the role
//                                only reads (its name ends in "Reader"/"Readers")
//   app:<displayName>            app role assignments of each service principal
//                                (appRoleAssignedTo): level = the role's value (else its
//                                displayName), "member" for default access, several roles
//                                joined with ", "; via group:<name> for a group's direct members
//                                (Entra does not pass app assignments to nested groups)
// Two groups, roles or apps with one displayName get "<displayName> (<object id>)" each.
#pragma once

#include "connectors/api/connector.hpp"

namespace rollcall::connectors::entra {

// Microsoft's own tenant: service principals it owns are platform accounts.
inline constexpr const char* kMicrosoftTenant = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";

ConnectorType connector_type();

}  // namespace rollcall::connectors::entra
