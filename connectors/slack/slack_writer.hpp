// The write side of the `slack` connector (connectors/api/writer.hpp): one workspace, through
// the same Web API, token and transport settings as the read side (slack_api.hpp).
//
//   usergroup:<handle>  member   read: usergroups.list (handle -> id, once per run) and
//                                usergroups.users.list. Write: usergroups.users.update, which
//                                replaces the whole member list. So the write reads the list
//                                again right before updating and refuses, naming the group, when
//                                it differs from what the last read() saw: a change made by
//                                someone else in between is never overwritten (apply then reads
//                                again and retries on the fresh list). A small window between
//                                that re-read and the update remains; Slack offers no
//                                conditional update. Removing the last member is refused:
//                                Slack cannot empty a group (invalid_users); disable it instead.
//   channel:<name>      member   private channels the token can see: conversations.list (name ->
//                                id, once per run) and conversations.members; write
//                                conversations.invite / conversations.kick.
//   workspace:<domain>  unsupported: the Web API cannot change workspace roles.
//   create_account, disable_account: unsupported: the Web API cannot create or deactivate
//                                users; Slack's SCIM API (a `scim` system) or tickets can.
//
// Slack answers errors with HTTP 200 and "ok": false; every such answer is a failure here.
// Not thread-safe; one writer serves one apply run.
#pragma once

#include <memory>

#include "connectors/api/connector.hpp"

namespace rollcall::connectors::slack {

// Builds the writer for one [[system]] of type slack. Fails like the connector's create().
Result<std::unique_ptr<Writer>> create_writer(const config::SystemConfig& sys, const ConnectorEnv& env);

}  // namespace rollcall::connectors::slack
