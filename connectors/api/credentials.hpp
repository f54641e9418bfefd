// Credentials by reference, for every connector: `<base>_env` (an environment variable),
// `<base>_file` (a file) or `<base>_credential` (a systemd credential), resolved through ConnectorEnv::secrets, never the environment
// directly. The value stays a Secret; `source` says where it came from, for error messages.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "connectors/api/connector.hpp"

namespace rollcall::connectors {

struct SecretRef {
  Secret secret;
  std::string source;  // "environment variable GITHUB_TOKEN" or "file \"token.txt\"": for errors
};

// Resolves `<base>_env`, `<base>_file` or `<base>_credential` (at most one may be set). nullopt
// when none is; fails when several are, or the variable/file is missing or empty, naming file:line and key.
Result<std::optional<SecretRef>> read_credential(const config::SystemConfig& system,
                                                  const std::string& base, const ConnectorEnv& env);

// The same for any validated table (a [[notify]] target): secrets from `secrets`, relative
// files against `workspace_dir`.
Result<std::optional<SecretRef>> read_credential(const config::Table& keys, const std::string& base,
                                                  const SecretSource& secrets,
                                                  const std::filesystem::path& workspace_dir);

// The credential key specs for `base` ("token" -> token_env, token_file).
std::vector<config::KeySpec> credential_keys(const std::string& base, const std::string& what);

}  // namespace rollcall::connectors
