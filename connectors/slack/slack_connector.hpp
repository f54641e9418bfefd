// The `slack` connector: reads one Slack workspace through the Web API and the shared HTTP
// layer (cursor paging; tier rate limits are handled by the transport's Retry-After support).
//
// Accounts are users.list members: id = the Slack user id, login = the user name, email =
// profile.email (needs users:read.email), kind bot for bots and Slackbot, status disabled for
// deleted users. Entitlements and grants:
//   workspace:<domain>  level owner (the primary owner too; attrs.primary_owner) | admin |
//                       guest (single- and multi-channel; attrs.guest_type) | member.
//                       Deleted users hold nothing. <domain> is the workspace's subdomain as
//                       auth.test reports it ("acme" for acme.slack.com).
//   usergroup:<handle>  level member, for each enabled user group.
//   channel:<name>      level member, for private channels (private_channels = true) that the
//                       token can see — a bot token sees only the channels it was added to.
#pragma once

#include "connectors/api/connector.hpp"

namespace rollcall::connectors::slack {

ConnectorType connector_type();

}  // namespace rollcall::connectors::slack
