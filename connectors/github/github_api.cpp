#include "connectors/github/github_api.hpp"

#include "connectors/http/http_config.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::github {
namespace {

// Text for a failed GitHub response: its "message", plus what the token lacks when GitHub
// says (X-Accepted-GitHub-Permissions for fine-grained tokens, X-Accepted-OAuth-Scopes for
// classic ones).
std::string describe_error(const http::Response& r) {
  std::string text = http::generic_error_text(r);
  if (r.status != 403 && r.status != 404) return text;
  std::vector<std::string> hints;
  const std::string* permissions = r.header("X-Accepted-GitHub-Permissions");
  if (permissions != nullptr && !trim(*permissions).empty()) {
    hints.push_back("a fine-grained token needs the permission " + std::string(trim(*permissions)));
  }
  const std::string* accepted = r.header("X-Accepted-OAuth-Scopes");
  if (accepted != nullptr && !trim(*accepted).empty()) {
    const std::string* has = r.header("X-OAuth-Scopes");
    std::string held = has != nullptr && !trim(*has).empty() ? std::string(trim(*has)) : "none";
    hints.push_back("a classic token needs one of the scopes " + std::string(trim(*accepted)) + " and has " + held);
  }
  if (!hints.empty()) return text + " (" + join(hints, "; ") + ")";
  if (r.status == 404) return text + " (it does not exist, or the token cannot see it)";
  return text;
}

}  // namespace

Result<GithubApi> open_api(const config::SystemConfig& sys, const ConnectorEnv& env) {
  const config::Table& keys = sys.keys;
  std::string org = *keys.string("org");
  if (org.find('/') != std::string::npos) return fail(keys.where("org") + ": org is a name, not a path");

  RC_ASSIGN(auto token, connectors::read_credential(sys, "token", env));
  if (!token) return fail(sys.where + ": system " + quote(sys.name) + " needs token_env or token_file");
  http::ApiOptions api;
  api.base_url = keys.string("base_url").value_or("https://api.github.com");
  api.headers = {{"Accept", "application/vnd.github+json"}, {"X-GitHub-Api-Version", "2022-11-28"}};
  api.auth = http::SecretHeader{"Authorization", http::bearer(token->secret)};
  api.credential_source = token->source;
  api.describe_error = describe_error;

  RC_ASSIGN(http::HttpSettings settings, http::read_settings(sys, env, 4));
  RC_ASSIGN(auto transport, http::make_transport(settings, env));
  auto client = http::ApiClient::create(*transport, std::move(api), env.log);
  if (!client) return fail(keys.where("base_url") + ": " + client.error().message());
  return GithubApi{std::move(org), std::move(transport), std::move(client).value(), settings.concurrency};
}

}  // namespace rollcall::connectors::github
