// The write side of the `entra` connector (connectors/api/writer.hpp), through Microsoft Graph
// v1.0 with the read side's app-only token. Writes need the application permissions
// User.EnableDisableAccount.All + User.Read.All (or User.ReadWrite.All) for accounts and
// GroupMember.ReadWrite.All for memberships.
//
// Targets, as the read side names them: an account is a user's object id; an entitlement is
// `group:<displayName>` (or `group:<displayName> (<object id>)` where names clash) at level
// `member`, held through direct membership.
//
// read():  GET /users/{id}?$select=id,accountEnabled (404 = absent). For a group change also
//          the group's id, once per run (GET /groups?$filter=displayName eq '<name>', or GET
//          /groups/{id} for the "(<object id>)" form), then every time the group's direct
//          members, GET /groups/{id}/members?$select=id, all pages: the user is a member when
//          listed.
// write(): disable_account PATCH /users/{id} {"accountEnabled": false}
//          enable_account  PATCH /users/{id} {"accountEnabled": true}
//          grant           POST /groups/{gid}/members/$ref {"@odata.id": ".../directoryObjects/{id}"}
//          revoke          DELETE /groups/{gid}/members/{id}/$ref
// create_account is unsupported (tickets): in Entra tenants accounts come from HR-driven
//          provisioning or from on-premises AD through Entra Connect, and a cloud-only account
//          made by rollcall would need a password rollcall must not hold. set_level, and grants
//          of directory roles and apps, are unsupported too (privileged; route them to tickets).
//
// Every failure names the request; a read that cannot be completed is an error, never
// "absent". Not thread-safe (one per apply run).
#pragma once

#include <memory>

#include "connectors/api/connector.hpp"

namespace rollcall::connectors::entra {

// The ConnectorType::create_writer of `entra`.
Result<std::unique_ptr<Writer>> create_writer(const config::SystemConfig& system, const ConnectorEnv& env);

}  // namespace rollcall::connectors::entra
