#include "connectors/api/credentials.hpp"

#include "scanner/core/strings.hpp"

namespace rollcall::connectors {

std::vector<config::KeySpec> credential_keys(const std::string& base, const std::string& what) {
  using config::ValueType;
  return {
      {base + "_env", ValueType::string, false, "environment variable holding the " + what, ""},
      {base + "_file", ValueType::string, false,
       "file holding the " + what + ", relative to the workspace", ""},
      {base + "_credential", ValueType::string, false,
       "systemd credential (LoadCredential=) holding the " + what, ""},
  };
}

Result<std::optional<SecretRef>> read_credential(const config::SystemConfig& system,
                                                  const std::string& base,
                                                  const ConnectorEnv& env) {
  return read_credential(system.keys, base, env.secrets, env.workspace_dir);
}

Result<std::optional<SecretRef>> read_credential(const config::Table& keys, const std::string& base,
                                                  const SecretSource& secrets,
                                                  const std::filesystem::path& workspace_dir) {
  auto var = keys.string(base + "_env");
  auto file = keys.string(base + "_file");
  auto credential = keys.string(base + "_credential");
  if (var && file) {
    return fail(keys.where(base + "_file") + ": set " + base + "_env or " + base + "_file, not both");
  }
  if (credential && (var || file)) {
    return fail(keys.where(base + "_credential") + ": set " + base + "_credential or " + base + (var ? "_env" : "_file") +
                ", not both");
  }
  if (credential) {
    auto secret = secrets.from_credential(*credential);
    if (!secret) return fail(keys.where(base + "_credential") + ": " + secret.error().message());
    return std::optional<SecretRef>(SecretRef{std::move(secret).value(), "systemd credential " + quote(*credential)});
  }
  if (var) {
    auto secret = secrets.from_env(*var);
    if (!secret) return fail(keys.where(base + "_env") + ": " + secret.error().message());
    return std::optional<SecretRef>(SecretRef{std::move(secret).value(), "environment variable " + *var});
  }
  if (file) {
    std::filesystem::path p = *file;
    if (p.is_relative()) p = workspace_dir / p;
    auto secret = secrets.from_file(p.string());
    if (!secret) return fail(keys.where(base + "_file") + ": " + secret.error().message());
    return std::optional<SecretRef>(SecretRef{std::move(secret).value(), "file " + quote(*file)});
  }
  return std::optional<SecretRef>();
}

}  // namespace rollcall::connectors
