// Microsoft Graph v1.0 for one configured Entra ID tenant, shared by the `entra` connector (read
// side) and its writer: the retrying transport, the app-only token source (client secret or
// certificate, entra_auth.hpp), the token-attaching transport above it, and an ApiClient based
// at {graph_url}/v1.0 whose errors read Graph's {"error":{"code","message"}}.
//
//   inner (retrying) ──▶ token endpoint   {authority}/{tenant}/oauth2/v2.0/token
//        ▲
//   TokenTransport ──▶ Graph               {graph_url}/v1.0/...
//
// Plain value; the pointers are owned here and stay put when the value moves. The ApiClient is
// thread-safe.
#pragma once

#include <memory>
#include <string>

#include "connectors/api/connector.hpp"
#include "connectors/entra/entra_auth.hpp"
#include "connectors/http/api_client.hpp"

namespace rollcall::connectors::entra {

struct EntraApi {
  std::unique_ptr<http::Transport> inner;           // retrying; carries token and Graph requests
  std::unique_ptr<ClientCredentialsTokens> tokens;  // borrows *inner
  std::unique_ptr<http::TokenTransport> transport;  // borrows *inner and *tokens
  http::ApiClient client;                           // Graph, over *transport
  std::string tenant;
  int concurrency = 4;
};

// Reads tenant, client_id, the credential (client_secret_env/_file, or certificate_file with
// private_key_env/_file, never both), authority, graph_url and the common HTTP keys. Fails naming
// file:line and key for a bad combination, an unresolvable secret or a bad URL.
Result<EntraApi> open_api(const config::SystemConfig& system, const ConnectorEnv& env);

// The config keys both sides accept (besides the common HTTP keys).
std::vector<config::KeySpec> api_keys();

// Graph's explanation of a failed response: "<code>: <message>" from {"error":{...}}, else the
// generic text.
std::string describe_graph_error(const http::Response& response);
// The "code" of Graph's error object, or "" when the body has none.
std::string graph_error_code(const http::Json& body);

}  // namespace rollcall::connectors::entra
