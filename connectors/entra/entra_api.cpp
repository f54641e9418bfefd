#include "connectors/entra/entra_api.hpp"

#include "connectors/api/credentials.hpp"
#include "connectors/http/http_config.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::entra {

using http::Json;

std::string graph_error_code(const Json& body) {
  const Json* error = body.is_object() ? http::member(body, "error") : nullptr;
  if (error == nullptr || !error->is_object()) return "";
  const Json* code = http::member(*error, "code");
  return code != nullptr && code->is_string() ? code->get<std::string>() : "";
}

std::string describe_graph_error(const http::Response& r) {
  Json body = Json::parse(r.body, nullptr, false);
  const std::string code = graph_error_code(body);
  if (code.empty()) return "";  // the generic text
  std::string message;
  if (const Json* m = http::member(body["error"], "message"); m != nullptr && m->is_string()) {
    message = m->get<std::string>();
  }
  std::string text = message.empty() ? code : code + ": " + message;
  // One line: Graph messages are short, but an error body is the server's to choose.
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  if (text.size() > 300) text = text.substr(0, 300) + "...";
  if (r.status == 403 && code == "Authorization_RequestDenied") {
    text += " (the app registration lacks an application permission this read needs; see docs/connectors/entra.md)";
  }
  return text;
}

std::vector<config::KeySpec> api_keys() {
  using config::ValueType;
  std::vector<config::KeySpec> keys = {
      {"tenant", ValueType::string, true,
       "the directory (tenant) id or a verified domain, e.g. contoso.onmicrosoft.com", ""},
      {"client_id", ValueType::string, true, "the application (client) id of the app registration rollcall signs in as",
       ""},
      {"certificate_file", ValueType::string, false,
       "PEM certificate registered on the app, for certificate sign-in (with private_key_env/_file)", ""},
      {"authority", ValueType::string, false,
       "sign-in host; https://login.microsoftonline.us (US Gov), https://login.chinacloudapi.cn (21Vianet)",
       "\"https://login.microsoftonline.com\""},
      {"graph_url", ValueType::string, false,
       "Microsoft Graph host; https://graph.microsoft.us, https://dod-graph.microsoft.us, "
       "https://microsoftgraph.chinacloudapi.cn",
       "\"https://graph.microsoft.com\""},
  };
  for (auto& k : connectors::credential_keys("client_secret", "client secret")) keys.push_back(std::move(k));
  for (auto& k : connectors::credential_keys("private_key", "PEM private key of certificate_file")) {
    keys.push_back(std::move(k));
  }
  return keys;
}

Result<EntraApi> open_api(const config::SystemConfig& sys, const ConnectorEnv& env) {
  const config::Table& keys = sys.keys;
  const std::string tenant = *keys.string("tenant");
  if (tenant.empty() || tenant.find('/') != std::string::npos || tenant.find('?') != std::string::npos) {
    return fail(keys.where("tenant") + ": tenant is a tenant id or domain, not a path or URL");
  }
  ClientCredential credential;
  credential.client_id = *keys.string("client_id");
  RC_ASSIGN(auto secret, connectors::read_credential(sys, "client_secret", env));
  RC_ASSIGN(auto key, connectors::read_credential(sys, "private_key", env));
  const auto certificate = keys.string("certificate_file");
  if (secret && (key || certificate)) {
    return fail(keys.where(certificate ? "certificate_file" : "private_key_env") +
                ": sign in with a client secret (client_secret_env/_file) or a certificate (certificate_file with "
                "private_key_env/_file), not both");
  }
  if (secret) {
    credential.secret = secret->secret;
    credential.source = secret->source;
  } else if (key && certificate) {
    std::filesystem::path p = *certificate;
    if (p.is_relative()) p = env.workspace_dir / p;
    auto pem = env.secrets.from_file(p.string());
    if (!pem) return fail(keys.where("certificate_file") + ": " + pem.error().message());
    credential.certificate_pem = pem->reveal();
    if (auto thumb = certificate_thumbprint(credential.certificate_pem); !thumb) {
      return fail(keys.where("certificate_file") + ": " + thumb.error().message());
    }
    credential.private_key_pem = key->secret;
    credential.source = key->source;
  } else if (key || certificate) {
    return fail(keys.where(certificate ? "certificate_file" : "private_key_env") +
                ": certificate sign-in needs both certificate_file and private_key_env/_file");
  } else {
    return fail(
        sys.where + ": system " + quote(sys.name) +
        " needs client_secret_env/client_secret_file, or certificate_file with private_key_env/private_key_file");
  }

  std::string authority = keys.string("authority").value_or("https://login.microsoftonline.com");
  std::string graph = keys.string("graph_url").value_or("https://graph.microsoft.com");
  while (ends_with(authority, "/")) authority.pop_back();
  while (ends_with(graph, "/")) graph.pop_back();

  RC_ASSIGN(http::HttpSettings settings, http::read_settings(sys, env, 4));
  RC_ASSIGN(auto inner, http::make_transport(settings, env));

  http::ApiOptions login;
  login.base_url = authority + "/" + http::percent_encode(tenant);
  login.headers = {{"Accept", "application/json"}};
  login.credential_source = credential.source;
  auto login_client = http::ApiClient::create(*inner, std::move(login), env.log);
  if (!login_client) return fail(keys.where("authority") + ": " + login_client.error().message());

  auto tokens = std::make_unique<ClientCredentialsTokens>(std::move(login_client).value(), std::move(credential),
                                                          graph + "/.default", env.clock);
  auto transport = std::make_unique<http::TokenTransport>(*inner, *tokens, env.log, sys.name);

  http::ApiOptions api;
  api.base_url = graph + "/v1.0";
  api.headers = {{"Accept", "application/json"}};
  api.credential_source = "the access token of client " + quote(*keys.string("client_id"));
  api.describe_error = describe_graph_error;
  // Neither client holds a fixed credential (ApiClient warns only for those): the secret or
  // assertion travels in the token request's body, the token in TokenTransport's header.
  for (const std::string& base : {authority, graph}) {
    auto parsed = http::parse_url(base);
    if (parsed && parsed->scheme == "http" && !http::is_loopback_host(parsed->host)) {
      env.log.warn("credentials for " + parsed->host + " will travel unencrypted over plain http; use https");
    }
  }
  auto client = http::ApiClient::create(*transport, std::move(api), env.log);
  if (!client) return fail(keys.where("graph_url") + ": " + client.error().message());
  return EntraApi{std::move(inner), std::move(tokens),   std::move(transport), std::move(client).value(),
                  tenant,           settings.concurrency};
}

}  // namespace rollcall::connectors::entra
