// The Slack Web API of one configured system: transport and ApiClient (with Slack's "ok": false
// check), built once from the [[system]] keys and credential, and shared by the connector (read
// side) and the writer (write side).
#pragma once

#include <memory>

#include "connectors/api/connector.hpp"
#include "connectors/http/api_client.hpp"

namespace rollcall::connectors::slack {

struct SlackApi {
  std::unique_ptr<http::Transport> transport;  // owned; `client` points into it
  http::ApiClient client;
  int concurrency = 2;
};

// Reads `base_url`, the token and the common HTTP keys of `sys`. Fails naming file:line and key
// (a bad base_url) or the missing credential.
Result<SlackApi> open_api(const config::SystemConfig& sys, const ConnectorEnv& env);

}  // namespace rollcall::connectors::slack
