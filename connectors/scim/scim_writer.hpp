// The write side of the `scim` connector (connectors/api/writer.hpp): reads and changes one
// user or one group membership of a SCIM 2.0 service provider (RFC 7644), with the same
// config and credential as the read side; the credential needs write access to /Users and
// /Groups.
//
// Targets, as the read side names them: an account is a SCIM user id (for create_account, the
// person's email, looked up as `userName eq "<email>"`); an entitlement is `group:<displayName>`
// at level `member`, held through direct membership.
//
// read():  GET /Users/{id} (404 = absent; "active" gives active/disabled), or for create_account
//          GET /Users?filter=userName eq "<email>". For a group change also the group's id, once
//          per run, from GET /Groups?filter=displayName eq "<name>"&excludedAttributes=members,
//          then, every time, GET /Groups/{id}?attributes=members: the user is a member when
//          members[].value holds its id. The whole member list is read, as no filter on members
//          works across providers: one large response per action for a very large group, and a
//          provider that leaves members out of that answer is unfit for apply. With
//          member_filter = true (for providers that implement RFC 7644 value filters on
//          members), GET /Groups?filter=id eq "<gid>" and members[value eq "<uid>"] instead:
//          the group is listed when the user is a member, at a cost independent of its size.
//          (create_account also sends the roster name as displayName and name.)
// write(): grant   PATCH /Groups/{id} {"op":"add","path":"members","value":[{"value":uid}]}
//          revoke  PATCH /Groups/{id} {"op":"remove","path":"members[value eq \"uid\"]"}
//          disable_account PATCH /Users/{id} {"op":"replace","value":{"active":false}}
//          create_account  POST /Users {userName: email, emails: [work, primary], active: true}
//          (a 409, uniqueness, is an error: the user may exist; apply's next read tells).
// set_level is unsupported (a group has one level). A group that does not exist holds no
// members (revoke is then a no-op) and cannot be granted (rollcall creates no groups); nor can
// a user that no longer exists.
//
// Every failure names the request ("PATCH /scim/v2/Groups/g1: HTTP 400: ..."); a read that
// cannot be completed is an error, never "absent". Not thread-safe (one per apply run).
#pragma once

#include <memory>

#include "connectors/api/connector.hpp"

namespace rollcall::connectors::scim {

// The ConnectorType::create_writer of `scim`: fails like the read side's create for bad keys
// or secrets.
Result<std::unique_ptr<Writer>> create_writer(const config::SystemConfig& system, const ConnectorEnv& env);

}  // namespace rollcall::connectors::scim
