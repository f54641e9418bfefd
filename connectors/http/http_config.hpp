// Configuration shared by every HTTP connector: the keys they all accept (declared once, as
// data), the transport settings read from them, and credentials by reference
// (connectors/api/credentials.hpp).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/api/connector.hpp"
#include "connectors/api/credentials.hpp"
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

// Authorization header values: "Bearer <token>", "Basic <base64(user:password)>".
Secret bearer(const Secret& token);
Secret basic(const std::string& user, const Secret& password);

}  // namespace rollcall::http
