// Credentials by reference, for every connector: `<base>_env` (an environment variable) or
// `<base>_file` (a file), resolved through ConnectorEnv::secrets, never the environment
// directly. The value stays a Secret; `source` says where it came from, for error messages.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "connectors/api/connector.hpp"

namespace rollcall::connectors {

struct Credential {
  Secret secret;
  std::string source;  // "environment variable GITHUB_TOKEN" or "file \"token.txt\"": for errors
};

// Resolves `<base>_env` or `<base>_file` (exactly one may be set). nullopt when neither is;
// fails when both are, or the variable/file is missing or empty, naming file:line and key.
Result<std::optional<Credential>> read_credential(const config::SystemConfig& system,
                                                  const std::string& base, const ConnectorEnv& env);

// The credential key specs for `base` ("token" -> token_env, token_file).
std::vector<config::KeySpec> credential_keys(const std::string& base, const std::string& what);

}  // namespace rollcall::connectors
