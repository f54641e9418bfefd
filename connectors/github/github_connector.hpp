// The `github` connector: reads one GitHub organization (github.com or Enterprise Server)
// through the REST API v3 and the shared HTTP layer.
//
// Accounts: org members (id = login, external_id = the numeric user id, kind bot for Bot
// users), outside collaborators (attrs.outside_collaborator), and pending invitations (status
// suspended, attrs.pending_invitation; id = the invitee's login, else their email, else
// "invitation:<id>"; they hold no grants yet). attrs.two_factor_enabled is set where the token
// can see it (organization owners). With resolve_emails, each account's public name and email
// come from GET /users/{login}.
//
// Entitlements and grants:
//   org:<org>     level member | admin (owners)
//   team:<slug>   level member | maintainer; a member of a child team holds the parent team
//                 via team:<child> (GitHub lists child-team members as parent members), and a
//                 maintainer is a direct member
//   repo:<name>   level read | triage | write | maintain | admin (or a custom role's name),
//                 for the configured repositories (or all): via direct for direct
//                 collaborators, via team:<slug> when a team with access has the user, else via
//                 org:<org> (owners, base permission)
#pragma once

#include "connectors/api/connector.hpp"

namespace rollcall::connectors::github {

ConnectorType connector_type();

}  // namespace rollcall::connectors::github
