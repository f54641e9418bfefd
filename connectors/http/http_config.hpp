// Configuration shared by every HTTP connector: the keys they all accept (declared once, as
// data), the transport settings read from them, and credentials by reference
// (`<name>_env` / `<name>_file`, resolved through the SecretSource, never the environment).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/api/connector.hpp"
#include "connectors/http/transport_factory.hpp"

namespace rollcall::http {

// ca_file, insecure_skip_tls_verify, concurrency, max_retry_wait. Connectors append these to
// their own keys.
std::vector<config::KeySpec> common_keys();

struct HttpSettings {
  TransportOptions transport;
  int concurrency = 4;  // parallel requests this connector may make
};

// Reads the common keys and the system's `timeout`. Relative ca_file paths resolve against the
// workspace. Fails naming file:line and key.
Result<HttpSettings> read_settings(const config::SystemConfig& system,
                                   const connectors::ConnectorEnv& env, int default_concurrency);

// A transport for the system from env.http. Fails when the caller lent no factory.
Result<std::unique_ptr<Transport>> make_transport(const HttpSettings& settings,
                                                  const connectors::ConnectorEnv& env);

struct Credential {
  Secret secret;
  std::string source;  // "environment variable GITHUB_TOKEN" or "file \"token.txt\"": for errors
};

// Resolves `<base>_env` or `<base>_file` (exactly one may be set). nullopt when neither is;
// fails when both are, or the variable/file is missing or empty, naming file:line and key.
Result<std::optional<Credential>> read_credential(const config::SystemConfig& system,
                                                  const std::string& base,
                                                  const connectors::ConnectorEnv& env);

// Authorization header values: "Bearer <token>", "Basic <base64(user:password)>".
Secret bearer(const Secret& token);
Secret basic(const std::string& user, const Secret& password);

// The credential key specs for `base` ("token" -> token_env, token_file).
std::vector<config::KeySpec> credential_keys(const std::string& base, const std::string& what);

}  // namespace rollcall::http
