#include "scanner/core/secret.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "scanner/core/strings.hpp"

namespace rollcall {

SecretSource::SecretSource(EnvLookup lookup_env) : lookup_env_(std::move(lookup_env)) {}

SecretSource SecretSource::from_process_env() {
  return SecretSource([](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  });
}

SecretSource SecretSource::from_map(std::map<std::string, std::string> vars) {
  return SecretSource([vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  });
}

Result<Secret> SecretSource::from_env(const std::string& var) const {
  auto v = lookup_env_(var);
  if (!v || v->empty()) return fail("environment variable " + var + " is not set");
  return resolved(*v);
}

Result<Secret> SecretSource::from_file(const std::string& path) const {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot read secret file " + quote(path));
  std::ostringstream buf;
  buf << in.rdbuf();
  std::string s = buf.str();
  if (!s.empty() && s.back() == '\n') s.pop_back();
  if (!s.empty() && s.back() == '\r') s.pop_back();
  if (s.empty()) return fail("secret file " + quote(path) + " is empty");
  return resolved(std::move(s));
}

Secret SecretSource::resolved(std::string value) const {
  {
    std::lock_guard<std::mutex> lock(resolved_->mutex);
    resolved_->redactor.add(value);
  }
  return Secret(std::move(value));
}

void SecretSource::remember(std::string_view header_value) const {
  std::lock_guard<std::mutex> lock(resolved_->mutex);
  resolved_->redactor.add_header_value(header_value);
}

Redactor SecretSource::redactor() const {
  std::lock_guard<std::mutex> lock(resolved_->mutex);
  return resolved_->redactor;
}

Result<Secret> SecretSource::from_credential(const std::string& name) const {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
    return fail("credential name " + quote(name) + " must be a plain name like \"scim-token\"");
  }
  auto dir = lookup_env_("CREDENTIALS_DIRECTORY");
  if (!dir || dir->empty()) {
    return fail("credential " + quote(name) +
                ": CREDENTIALS_DIRECTORY is not set (credentials come from systemd's LoadCredential=)");
  }
  auto secret = from_file(*dir + "/" + name);
  if (!secret) return fail("credential " + quote(name) + ": " + secret.error().message());
  return secret;
}

}  // namespace rollcall
