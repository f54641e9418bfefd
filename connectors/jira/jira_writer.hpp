// The write side of the `jira` connector (connectors/api/writer.hpp): group membership of one
// Jira Cloud site through REST v3, with the same config and credential as the read side
// (jira_api.hpp); the account needs the Administer Jira global permission (or site admin).
//
//   group:<name>   member   read   GET /rest/api/3/user?accountId=      (404 = no such account)
//                                  GET /rest/api/3/user/groups?accountId= (the account's groups)
//                           grant  POST   /rest/api/3/group/user?groupId=<id>  {"accountId": ...}
//                           revoke DELETE /rest/api/3/group/user?groupId=<id>&accountId=<id>
//   product:<key>  member   a seat is held through the application role's groups
//                           (GET /rest/api/3/applicationrole/{key}). grant adds the account to
//                           the role's one default group (fails when there are none or several:
//                           grant a group:<name> instead); revoke removes it from every group
//                           of the role it is in (one DELETE each).
//
// The group's id comes once per run from GET /rest/api/3/group/bulk?groupName=<name>. A group
// that does not exist holds nobody (revoke is a no-op) and cannot be granted (rollcall creates
// no groups), nor can an account that does not exist. A read that cannot be completed is an
// error, never "absent"; write() sends each request once and apply reads again after a failure.
//
// Unsupported (apply reports the action failed; route such changes to tickets): set_level (a
// group has one level), project-role:<project>:<role> (not done), and every account change -
// the Jira REST API cannot create, deactivate or reactivate Atlassian accounts (the
// organization admin API can, through /users/{id}/manage/lifecycle; not done).
// Not thread-safe (one per apply run; it caches group ids).
#pragma once

#include <memory>

#include "connectors/api/connector.hpp"

namespace rollcall::connectors::jira {

// The ConnectorType::create_writer of `jira`: fails like the read side's create for bad keys or
// secrets.
Result<std::unique_ptr<Writer>> create_writer(const config::SystemConfig& system, const ConnectorEnv& env);

}  // namespace rollcall::connectors::jira
