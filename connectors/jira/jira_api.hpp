// The Jira Cloud REST API (v3) of one configured site, shared by the `jira` connector (read side)
// and its writer (write side): the site's ApiClient with its credential (email + API token as
// Basic auth, or an OAuth 2.0 bearer token), and, when org_id and an org API key are configured,
// the Atlassian organization's admin API on the same retrying transport. Built once from the
// [[system]] keys; the clients are thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "connectors/api/connector.hpp"
#include "connectors/http/api_client.hpp"

namespace rollcall::connectors::jira {

// The organization's admin API (https://api.atlassian.com/admin/v1/orgs/{org_id}).
struct OrgApi {
  std::string org_id;
  http::ApiClient client;
};

struct JiraApi {
  std::unique_ptr<http::Transport> transport;  // owned; both clients send through it
  http::ApiClient client;                      // the site: paths start with /rest/api/3
  std::optional<OrgApi> org;
  int concurrency = 4;
};

// Reads base_url, the credential (email with api_token_env/api_token_file, or token_env/
// token_file, never both), org_id with org_api_key_env/org_api_key_file and admin_base_url, and
// the common HTTP keys. Fails naming file:line and key for a bad combination, an unresolvable
// secret or a bad URL.
Result<JiraApi> open_api(const config::SystemConfig& system, const ConnectorEnv& env);

// Jira's error text: "errorMessages" and "errors" of its ErrorCollection, else the generic text.
std::string describe_error(const http::Response& response);

}  // namespace rollcall::connectors::jira
