#include "connectors/slack/slack_api.hpp"

#include "connectors/http/http_config.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::slack {
namespace {

using http::Json;

// Slack reports failures inside a 200 response: {"ok": false, "error": "missing_scope",
// "needed": "usergroups:read", "provided": "users:read"}.
std::optional<std::string> slack_error(const Json& body, const std::string& credential_source) {
  if (!body.is_object()) return "expected a JSON object, got " + http::type_name(body);
  const Json* ok = http::member(body, "ok");
  if (ok == nullptr || !ok->is_boolean()) return std::string("\"ok\" is missing");
  if (ok->get<bool>()) return std::nullopt;
  const Json* e = http::member(body, "error");
  std::string error = e != nullptr && e->is_string() ? e->get<std::string>() : "unknown_error";
  if (error == "user_not_found") return std::nullopt;  // users.info of a user deleted meanwhile
  auto text = [&](const char* key) {
    const Json* v = http::member(body, key);
    return v != nullptr && v->is_string() ? v->get<std::string>() : std::string("?");
  };
  if (error == "missing_scope") {
    return "Slack error missing_scope: the token lacks the scope " + text("needed") + " (it has " +
           text("provided") + ")";
  }
  for (const char* auth : {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"}) {
    if (error == auth) return "Slack error " + error + ": the token from " + credential_source + " was rejected";
  }
  return "Slack error " + error;
}

}  // namespace

Result<SlackApi> open_api(const config::SystemConfig& sys, const ConnectorEnv& env) {
  const config::Table& keys = sys.keys;
  RC_ASSIGN(auto token, connectors::read_credential(sys, "token", env));
  if (!token) return fail(sys.where + ": system " + quote(sys.name) + " needs token_env or token_file");
  http::ApiOptions api;
  api.base_url = keys.string("base_url").value_or("https://slack.com/api");
  api.auth = http::SecretHeader{"Authorization", http::bearer(token->secret)};
  api.credential_source = token->source;
  api.body_error = [source = token->source](const Json& body) { return slack_error(body, source); };

  RC_ASSIGN(http::HttpSettings settings, http::read_settings(sys, env, 2));
  RC_ASSIGN(auto transport, http::make_transport(settings, env));
  auto client = http::ApiClient::create(*transport, std::move(api), env.log);
  if (!client) return fail(keys.where("base_url") + ": " + client.error().message());
  return SlackApi{std::move(transport), std::move(client).value(), settings.concurrency};
}

}  // namespace rollcall::connectors::slack
