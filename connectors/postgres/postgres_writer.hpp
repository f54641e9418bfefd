// The postgres connector's write side (connectors/api/writer.hpp): role memberships and
// disabling logins, through libpq, with the system's own dsn and credential.
//
// What it changes, and the one statement each change is (autocommit, identifiers quoted by
// PQescapeIdentifier, never pasted):
//  - grant role:<g>        GRANT "g" TO "login" [WITH ADMIN OPTION when the level is admin]
//  - revoke role:<g>       REVOKE "g" FROM "login"
//  - set_level role:<g>    admin: GRANT "g" TO "login" WITH ADMIN OPTION;
//                          member: REVOKE ADMIN OPTION FOR "g" FROM "login"
//  - disable_account       ALTER ROLE "login" NOLOGIN
// read() reports the DIRECT membership of the login in <g> from pg_auth_members (level admin
// when held WITH ADMIN OPTION, as the reader says), and whether the role exists and can log in
// (rolcanlogin, and a VALID UNTIL not yet passed, as the reader's "active"); a role that does
// not exist is an absent account. attr:*, database:*, schema:* and table:* entitlements and
// create_account are unsupported(): apply reports them failed, or files them as tickets with
// apply_via = "tickets".
//
// One session for the writer's life, opened by create_writer() (so a wrong password stops apply
// before anything is done) and opened again after it is lost. A write whose connection fails
// after the statement was sent has an unknown fate: the error is returned, and apply reads
// again before any retry. Not thread-safe.
#pragma once

#include <memory>

#include "connectors/api/connector.hpp"

namespace rollcall::connectors::postgres {

// Connects with the system's settings; fails on invalid settings or when the server cannot be
// reached or refuses the credential ("connect to 127.0.0.1:5432 database "app" as "rollcall":
// password authentication failed for user "rollcall"").
Result<std::unique_ptr<Writer>> create_writer(const config::SystemConfig& system,
                                              const ConnectorEnv& env);

}  // namespace rollcall::connectors::postgres
