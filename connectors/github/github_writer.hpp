// The write side of the `github` connector (connectors/api/writer.hpp): one organization,
// through the same REST API, token and transport settings as the read side (github_api.hpp).
//
//   team:<slug>  member | maintainer   GET/PUT/DELETE /orgs/{org}/teams/{slug}/memberships/{login}
//   org:<org>    member | admin        GET/PUT/DELETE /orgs/{org}/memberships/{login}
//
// A PUT for someone outside the organization sends them an invitation, and the membership stays
// "pending" until they accept. A pending membership reads as the role it carries: the change
// has been made as far as the API can make it, so apply verifies it as done and a rerun is a
// no-op instead of re-inviting. (The next snapshot still lacks the grant until it is accepted.)
// A 404 reads as absent only once the team or organization itself is known to be visible to
// the token, so a token that cannot see a secret team never reads "nobody is in it".
//
// Accounts: GitHub accounts are personal and cannot be disabled by an organization.
//   disable_account  = removed from the organization. Reads "active" while the login has a
//                    membership (active or pending) or is an outside collaborator, else
//                    "disabled". The write removes whichever it finds (DELETE
//                    /orgs/{org}/memberships/{login}, which also cancels an invitation, or
//                    DELETE /orgs/{org}/outside_collaborators/{login}).
//   create_account   = an invitation by email (the account id is the person's email). Reads
//                    "active" while an invitation to that email is pending, else "absent"; the
//                    write is POST /orgs/{org}/invitations as a direct member.
//   repo:<name>      unsupported: GitHub reports only a user's highest permission on a
//                    repository from every source (direct, team, organization), so the direct
//                    collaborator grant a change is about cannot be read.
//
// Not thread-safe; one writer serves one apply run (it caches which teams it has seen).
#pragma once

#include <memory>

#include "connectors/api/connector.hpp"

namespace rollcall::connectors::github {

// Builds the writer for one [[system]] of type github. Fails like the connector's create().
Result<std::unique_ptr<Writer>> create_writer(const config::SystemConfig& sys, const ConnectorEnv& env);

}  // namespace rollcall::connectors::github
