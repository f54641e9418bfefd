#include "connectors/scim/scim_api.hpp"

#include <cctype>

#include "connectors/http/http_config.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::scim {

using http::Json;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

const Json* find_ci(const Json& object, std::string_view name) {
  if (!object.is_object()) return nullptr;
  if (const Json* exact = http::member(object, name)) return exact;
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (iequals(it.key(), name) && !it->is_null()) return &*it;
  }
  return nullptr;
}

std::string string_at(const Json& object, std::string_view name) {
  const Json* v = find_ci(object, name);
  return v != nullptr && v->is_string() ? v->get<std::string>() : "";
}

Result<std::string> filter_eq(std::string_view attribute, const std::string& value) {
  try {
    return std::string(attribute) + " eq " + Json(value).dump();  // strict: invalid UTF-8 throws, caught below
  } catch (const Json::type_error&) {
    return fail("a SCIM filter on " + std::string(attribute) + ": the value is not valid UTF-8");
  }
}

Result<ScimApi> open_api(const config::SystemConfig& sys, const ConnectorEnv& env) {
  const config::Table& keys = sys.keys;
  http::ApiOptions api;
  api.base_url = *keys.string("base_url");
  api.headers = {{"Accept", "application/scim+json"}};
  RC_ASSIGN(auto token, connectors::read_credential(sys, "token", env));
  RC_ASSIGN(auto password, connectors::read_credential(sys, "password", env));
  auto username = keys.string("username");
  if (token && (username || password)) {
    return fail(keys.where("username") + ": use a bearer token (token_env/token_file) or basic auth "
                "(username with password_env/password_file), not both");
  }
  if (token) {
    api.auth = http::SecretHeader{"Authorization", http::bearer(token->secret)};
    api.credential_source = token->source;
  } else if (username && password) {
    api.auth = http::SecretHeader{"Authorization", http::basic(*username, password->secret), {password->secret}};
    api.credential_source = password->source + " (user " + quote(*username) + ")";
  } else if (username || password) {
    return fail(keys.where(username ? "username" : "password_env") +
                ": basic auth needs both username and password_env/password_file");
  } else {
    return fail(sys.where + ": system " + quote(sys.name) +
                " needs token_env/token_file (bearer token) or username with password_env/password_file");
  }

  RC_ASSIGN(http::HttpSettings http_settings, http::read_settings(sys, env, 4));
  RC_ASSIGN(auto transport, http::make_transport(http_settings, env));
  auto client = http::ApiClient::create(*transport, std::move(api), env.log);
  if (!client) return fail(keys.where("base_url") + ": " + client.error().message());
  return ScimApi{std::move(transport), std::move(client).value(), http_settings.concurrency};
}

}  // namespace rollcall::connectors::scim
