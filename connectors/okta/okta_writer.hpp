// The write side of the `okta` connector (connectors/api/writer.hpp): group memberships and
// user lifecycle through the Okta Management API, with the read side's config; OAuth asks for
// okta.users.manage and okta.groups.manage, an API token needs a Group and User admin role.
//
// Targets as the read side names them: an account is an Okta user id (for create_account, the
// person's email, which becomes profile.login); an entitlement is group:<name> (or
// group:<name> [<okta id>]) at level member. Only OKTA_GROUP memberships can be changed: app
// groups are owned by their app's import and Everyone by Okta; app:, admin-role: and set_level
// are unsupported (apply files them as tickets with apply_via = "tickets").
//
// read():  GET /api/v1/users/{id} (for create_account GET /api/v1/users/{login}); 404 = absent.
//          A group change also finds the group once per run (GET /api/v1/groups?search=
//          profile.name eq "<name>") and reads the user's groups (GET /api/v1/users/{id}/groups).
//          Whether the account counts as active depends on the change, so that every write's
//          result reads as done:
//            create_account   any status but SUSPENDED and DEPROVISIONED (a STAGED user is created)
//            disable_account  any status but SUSPENDED and DEPROVISIONED (deactivate: but DEPROVISIONED)
//            enable_account   ACTIVE, PASSWORD_EXPIRED, LOCKED_OUT, RECOVERY or PROVISIONED
// write(): grant  PUT /api/v1/groups/{gid}/users/{uid};  revoke  DELETE the same
//          disable_account  POST /api/v1/users/{id}/lifecycle/suspend (disable_with = "suspend",
//                           the default; a STAGED or PROVISIONED user, which Okta cannot suspend,
//                           is deactivated) or .../lifecycle/deactivate (disable_with = "deactivate")
//          enable_account   POST .../lifecycle/unsuspend for a SUSPENDED user, else
//                           .../lifecycle/activate?sendEmail=true (DEPROVISIONED or STAGED)
//          create_account   POST /api/v1/users?activate=false (STAGED), or activate=true with
//                           activate_on_create; profile {firstName, lastName, email, login}
// A write is sent once; apply reads again after any failure and never resends blind.
#pragma once

#include <memory>

#include "connectors/api/connector.hpp"

namespace rollcall::connectors::okta {

// The ConnectorType::create_writer of `okta`.
Result<std::unique_ptr<Writer>> create_writer(const config::SystemConfig& system, const ConnectorEnv& env);

}  // namespace rollcall::connectors::okta
