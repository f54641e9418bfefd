// The GitHub REST API of one configured system: its organization, transport and ApiClient,
// built once from the [[system]] keys and credential, and shared by the connector (read side)
// and the writer (write side), so both talk to GitHub the same way.
#pragma once

#include <memory>
#include <string>

#include "connectors/api/connector.hpp"
#include "connectors/http/api_client.hpp"

namespace rollcall::connectors::github {

struct GithubApi {
  std::string org;
  std::unique_ptr<http::Transport> transport;  // owned; `client` points into it
  http::ApiClient client;
  int concurrency = 4;
};

// Reads `org`, `base_url`, the token and the common HTTP keys of `sys`. Fails naming
// file:line and key (an org written as a path, a bad base_url) or the missing credential.
Result<GithubApi> open_api(const config::SystemConfig& sys, const ConnectorEnv& env);

}  // namespace rollcall::connectors::github
