#include "connectors/okta/okta_api.hpp"

#include "connectors/api/credentials.hpp"
#include "connectors/http/http_config.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::okta {

using http::Json;

std::string describe_error(const http::Response& r) {
  Json body = Json::parse(r.body, nullptr, false);
  const Json* summary = body.is_object() ? http::member(body, "errorSummary") : nullptr;
  if (summary == nullptr || !summary->is_string()) return http::generic_error_text(r);
  std::string text = summary->get<std::string>();
  if (const Json* causes = http::member(body, "errorCauses"); causes != nullptr && causes->is_array()) {
    std::vector<std::string> parts;
    for (const Json& c : *causes) {
      const Json* s = c.is_object() ? http::member(c, "errorSummary") : nullptr;
      if (s != nullptr && s->is_string()) parts.push_back(s->get<std::string>());
    }
    if (!parts.empty()) text += " (" + join(parts, "; ") + ")";
  }
  if (const Json* code = http::member(body, "errorCode"); code != nullptr && code->is_string()) {
    text += " (" + code->get<std::string>() + ")";
  }
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return text.size() > 400 ? text.substr(0, 400) + "..." : text;
}

std::vector<std::string> scopes_for(Purpose purpose, const OktaSettings& settings) {
  if (purpose == Purpose::write) return {"okta.users.manage", "okta.groups.manage"};
  std::vector<std::string> out = {"okta.users.read", "okta.groups.read", "okta.apps.read", "okta.roles.read"};
  if (settings.read_factors) out.push_back("okta.factors.read");
  return out;
}

std::vector<config::KeySpec> okta_keys() {
  using config::ValueType;
  std::vector<config::KeySpec> keys = {
      {"base_url", ValueType::string, true, "the Okta org URL, e.g. https://acme.okta.com", ""},
      {"client_id", ValueType::string, false,
       "OAuth service app's client id (private_key_jwt); instead of token_env/token_file", ""},
      {"key_id", ValueType::string, false, "the kid of the service app's public key, sent in the JWT header", ""},
      {"read_factors", ValueType::boolean, false,
       "read each user's enrolled MFA factors (one request per user; scope okta.factors.read)", "false"},
      {"builtin_logins", ValueType::string_list, false,
       "profile.login patterns of integration users that Okta tooling owns (kind builtin)", ""},
      {"disable_with", ValueType::string, false, "what disable_account does: \"suspend\" or \"deactivate\"",
       "\"suspend\""},
      {"activate_on_create", ValueType::boolean, false,
       "create_account activates the user (Okta sends the activation email) instead of leaving it STAGED", "false"},
  };
  for (auto& k : connectors::credential_keys("token", "API token (sent as SSWS)")) keys.push_back(std::move(k));
  for (auto& k : connectors::credential_keys("private_key", "PEM private key of the OAuth service app")) {
    keys.push_back(std::move(k));
  }
  for (auto& k : http::common_keys()) keys.push_back(std::move(k));
  return keys;
}

Result<OktaApi> open_api(const config::SystemConfig& sys, const ConnectorEnv& env, Purpose purpose) {
  const config::Table& keys = sys.keys;
  OktaSettings settings;
  settings.read_factors = keys.boolean("read_factors").value_or(false);
  if (auto b = keys.list("builtin_logins")) settings.builtin_logins = NamePatterns(*b, NameCase::insensitive);
  if (auto d = keys.string("disable_with")) {
    if (*d == "suspend") {
      settings.disable = DisableMode::suspend;
    } else if (*d == "deactivate") {
      settings.disable = DisableMode::deactivate;
    } else {
      return fail(keys.where("disable_with") + ": disable_with must be \"suspend\" or \"deactivate\", not " + quote(*d));
    }
  }
  settings.activate_on_create = keys.boolean("activate_on_create").value_or(false);

  RC_ASSIGN(auto token, connectors::read_credential(sys, "token", env));
  RC_ASSIGN(auto key, connectors::read_credential(sys, "private_key", env));
  auto client_id = keys.string("client_id");
  const std::string key_key = keys.has("private_key_env") ? "private_key_env" : "private_key_file";
  if (token && (client_id || key)) {
    return fail(keys.where(client_id ? "client_id" : key_key) +
                ": use an API token (token_env/token_file) or OAuth (client_id with private_key_env/private_key_file), "
                "not both");
  }
  if (!token && !(client_id && key)) {
    if (client_id || key) {
      return fail(keys.where(client_id ? "client_id" : key_key) +
                  ": OAuth needs both client_id and private_key_env/private_key_file");
    }
    return fail(sys.where + ": system " + quote(sys.name) +
                " needs token_env/token_file (an API token) or client_id with private_key_env/private_key_file");
  }
  if (keys.has("key_id") && !client_id) return fail(keys.where("key_id") + ": key_id belongs with client_id (OAuth)");

  http::ApiOptions api;
  api.base_url = *keys.string("base_url");
  api.headers = {{"Accept", "application/json"}};
  api.describe_error = describe_error;

  RC_ASSIGN(http::HttpSettings http_settings, http::read_settings(sys, env, 4));
  RC_ASSIGN(auto transport, http::make_transport(http_settings, env));
  std::shared_ptr<OAuthSigner> oauth;
  if (token) {
    api.auth = http::SecretHeader{"Authorization", Secret("SSWS " + token->secret.reveal())};
    api.credential_source = token->source;
  } else {
    std::string base = api.base_url;
    while (ends_with(base, "/")) base.pop_back();
    OAuthSettings o;
    o.token_url = base + "/oauth2/v1/token";
    o.client_id = *client_id;
    o.key_id = keys.string("key_id").value_or("");
    o.private_key_pem = key->secret;
    o.scopes = scopes_for(purpose, settings);
    auto signer = OAuthSigner::create(std::move(o), key->source, *transport, env.clock);
    if (!signer) return fail(keys.where(key_key) + ": " +
                             signer.error().message());
    oauth = *signer;
    api.signer = oauth;
    api.credential_source = "OAuth client " + quote(*client_id) + " (key from " + key->source + ")";
  }
  auto client = http::ApiClient::create(*transport, std::move(api), env.log);
  if (!client) return fail(keys.where("base_url") + ": " + client.error().message());
  return OktaApi{std::move(transport), std::move(oauth), std::move(client).value(), std::move(settings),
                 http_settings.concurrency};
}

}  // namespace rollcall::connectors::okta
