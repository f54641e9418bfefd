// What the SCIM connector (read side) and the SCIM writer (write side) share: one configured
// SCIM service provider as an ApiClient with its credential (bearer token or basic auth) and
// retrying transport, built once from the [[system]] keys; case-insensitive attribute lookup
// (RFC 7643 §2.1); and filter literals (RFC 7644 §3.4.2.2). Plain values; the ApiClient is
// thread-safe, the rest holds no state.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "connectors/api/connector.hpp"
#include "connectors/http/api_client.hpp"

namespace rollcall::connectors::scim {

// An open SCIM API. `client` sends through `transport`, which this owns (moving the value
// keeps the transport where it is).
struct ScimApi {
  std::unique_ptr<http::Transport> transport;
  http::ApiClient client;
  int concurrency = 4;  // parallel requests the system may receive (`concurrency` key)
};

// Builds the API of one configured system: base_url, the credential (token_env/token_file, or
// username with password_env/password_file, never both) and the HTTP keys. Fails naming
// file:line and key for a bad combination, an unresolvable secret or a bad base URL.
Result<ScimApi> open_api(const config::SystemConfig& system, const ConnectorEnv& env);

// The member `name` of an object compared without case (exact spelling first), or nullptr
// when absent or null.
const http::Json* find_ci(const http::Json& object, std::string_view name);
// The string member `name` (any case), or "" when absent or not a string.
std::string string_at(const http::Json& object, std::string_view name);
bool iequals(std::string_view a, std::string_view b);

// `<attribute> eq "<value>"` with the value written as a JSON string, as the filter grammar
// requires (a quote becomes \", a backslash \\). Fails for text that is not valid UTF-8.
Result<std::string> filter_eq(std::string_view attribute, const std::string& value);

}  // namespace rollcall::connectors::scim
