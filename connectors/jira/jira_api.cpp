#include "connectors/jira/jira_api.hpp"

#include "connectors/http/http_config.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::jira {

using http::Json;

std::string describe_error(const http::Response& r) {
  // {"errorMessages":["..."],"errors":{"field":"..."}} (Jira's ErrorCollection)
  Json body = Json::parse(r.body, nullptr, false);
  std::vector<std::string> parts;
  if (body.is_object()) {
    if (const Json* messages = http::member(body, "errorMessages"); messages != nullptr && messages->is_array()) {
      for (const Json& m : *messages) {
        if (m.is_string() && !m.get_ref<const std::string&>().empty()) parts.push_back(m.get<std::string>());
      }
    }
    if (const Json* errors = http::member(body, "errors"); errors != nullptr && errors->is_object()) {
      for (auto it = errors->begin(); it != errors->end(); ++it) {
        if (it->is_string()) parts.push_back(it.key() + ": " + it->get<std::string>());
      }
    }
  }
  std::string text = parts.empty() ? http::generic_error_text(r) : join(parts, "; ");
  if (r.status == 403) {
    text += " (the account needs the Browse users and groups global permission; writes need Jira administrator)";
  }
  return text;
}

Result<JiraApi> open_api(const config::SystemConfig& sys, const ConnectorEnv& env) {
  const config::Table& keys = sys.keys;
  http::ApiOptions site;
  site.base_url = *keys.string("base_url");
  site.headers = {{"Accept", "application/json"}};
  site.describe_error = describe_error;
  RC_ASSIGN(auto token, connectors::read_credential(sys, "token", env));
  RC_ASSIGN(auto api_token, connectors::read_credential(sys, "api_token", env));
  auto email = keys.string("email");
  if (token && (email || api_token)) {
    return fail(keys.where(email ? "email" : "api_token_env") +
                ": use an OAuth bearer token (token_env/token_file) or email with an API token "
                "(api_token_env/api_token_file), not both");
  }
  if (token) {
    site.auth = http::SecretHeader{"Authorization", http::bearer(token->secret)};
    site.credential_source = token->source;
  } else if (email && api_token) {
    site.auth = http::SecretHeader{"Authorization", http::basic(*email, api_token->secret), {api_token->secret}};
    site.credential_source = api_token->source + " (user " + quote(*email) + ")";
  } else if (email || api_token) {
    return fail(keys.where(email ? "email" : "api_token_env") +
                ": an API token needs both email and api_token_env/api_token_file");
  } else {
    return fail(sys.where + ": system " + quote(sys.name) +
                " needs email with api_token_env/api_token_file, or token_env/token_file (OAuth bearer token)");
  }

  RC_ASSIGN(auto org_key, connectors::read_credential(sys, "org_api_key", env));
  auto org_id = keys.string("org_id");
  if (org_id.has_value() != org_key.has_value()) {
    return fail(keys.where(org_id ? "org_id" : "org_api_key_env") +
                ": matching accounts through the organization needs both org_id and org_api_key_env/org_api_key_file");
  }
  if (org_id && (org_id->empty() || org_id->find('/') != std::string::npos)) {
    return fail(keys.where("org_id") + ": org_id is the organization's id, not a path");
  }
  if (!org_id && keys.has("admin_base_url")) {
    return fail(keys.where("admin_base_url") + ": admin_base_url needs org_id and org_api_key_env/org_api_key_file");
  }

  RC_ASSIGN(http::HttpSettings settings, http::read_settings(sys, env, 4));
  RC_ASSIGN(auto transport, http::make_transport(settings, env));
  auto client = http::ApiClient::create(*transport, std::move(site), env.log);
  if (!client) return fail(keys.where("base_url") + ": " + client.error().message());
  JiraApi api{std::move(transport), std::move(client).value(), std::nullopt, settings.concurrency};
  if (org_id) {
    http::ApiOptions admin;
    admin.base_url = keys.string("admin_base_url").value_or("https://api.atlassian.com");
    admin.headers = {{"Accept", "application/json"}};
    admin.auth = http::SecretHeader{"Authorization", http::bearer(org_key->secret)};
    admin.credential_source = org_key->source;
    auto org_client = http::ApiClient::create(*api.transport, std::move(admin), env.log);
    if (!org_client) return fail(keys.where("admin_base_url") + ": " + org_client.error().message());
    api.org = OrgApi{*org_id, std::move(org_client).value()};
  }
  return api;
}

}  // namespace rollcall::connectors::jira
