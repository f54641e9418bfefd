#include "connectors/aws_iam/aws_credentials.hpp"

#include "connectors/api/credentials.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::aws_iam {
namespace {

// A variable that is set and not empty; nullopt otherwise (an unset variable is not an error
// here: the next source is tried).
std::optional<Secret> optional_env(const SecretSource& secrets, const std::string& name) {
  auto v = secrets.from_env(name);
  if (!v) return std::nullopt;
  return std::move(v).value();
}

}  // namespace

Result<http::AwsCredentials> parse_credentials_file(const std::string& text, const std::string& profile,
                                                    const std::string& source) {
  http::AwsCredentials out;
  bool in_profile = false;
  bool found = false;
  for (const std::string& raw : split(text, '\n')) {
    std::string_view line = trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      in_profile = trim(line.substr(1, line.size() - 2)) == profile;
      found = found || in_profile;
      continue;
    }
    if (!in_profile) continue;
    auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key = to_lower(trim(line.substr(0, eq)));
    std::string value(trim(line.substr(eq + 1)));
    if (key == "aws_access_key_id") out.access_key_id = value;
    if (key == "aws_secret_access_key") out.secret_access_key = Secret(value);
    if (key == "aws_session_token") out.session_token = Secret(value);
  }
  if (!found) return fail(source + " has no profile " + quote(profile));
  if (out.access_key_id.empty() || out.secret_access_key.empty()) {
    return fail(source + ": profile " + quote(profile) + " lacks aws_access_key_id or aws_secret_access_key");
  }
  return out;
}

Result<ResolvedCredentials> resolve_credentials(const config::SystemConfig& sys, const ConnectorEnv& env) {
  const config::Table& keys = sys.keys;
  RC_ASSIGN(auto key_id, read_credential(sys, "access_key_id", env));
  RC_ASSIGN(auto secret, read_credential(sys, "secret_access_key", env));
  RC_ASSIGN(auto token, read_credential(sys, "session_token", env));
  if (key_id || secret) {
    if (!key_id || !secret) {
      return fail(keys.where(key_id ? "access_key_id_env" : "secret_access_key_env") +
                  ": access_key_id_* and secret_access_key_* go together");
    }
    ResolvedCredentials r;
    r.credentials.access_key_id = key_id->secret.reveal();
    r.credentials.secret_access_key = secret->secret;
    if (token) r.credentials.session_token = token->secret;
    r.source = key_id->source + " and " + secret->source;
    return r;
  }
  if (token) return fail(keys.where("session_token_env") + ": session_token_* needs access_key_id_* and secret_access_key_*");

  auto env_id = optional_env(env.secrets, "AWS_ACCESS_KEY_ID");
  auto env_secret = optional_env(env.secrets, "AWS_SECRET_ACCESS_KEY");
  if (env_id && env_secret) {
    ResolvedCredentials r;
    r.credentials.access_key_id = env_id->reveal();
    r.credentials.secret_access_key = *env_secret;
    if (auto t = optional_env(env.secrets, "AWS_SESSION_TOKEN")) r.credentials.session_token = *t;
    r.source = "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY";
    return r;
  }

  std::string path;
  if (auto file = optional_env(env.secrets, "AWS_SHARED_CREDENTIALS_FILE")) {
    path = file->reveal();
  } else if (auto home = optional_env(env.secrets, "HOME")) {
    path = home->reveal() + "/.aws/credentials";
  }
  std::string profile = keys.string("profile").value_or("");
  if (profile.empty()) {
    auto p = optional_env(env.secrets, "AWS_PROFILE");
    profile = p ? p->reveal() : "default";
  }
  auto text = path.empty() ? Result<Secret>(fail("no HOME")) : env.secrets.from_file(path);
  if (!text) {
    if (keys.has("profile")) return fail(keys.where("profile") + ": " + text.error().message());
    return fail(sys.where + ": system " + quote(sys.name) +
                " has no AWS credentials: set access_key_id_env and secret_access_key_env, or AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY, or a profile in ~/.aws/credentials");
  }
  const std::string source = "profile " + quote(profile) + " of " + quote(path);
  auto parsed = parse_credentials_file(text->reveal(), profile, quote(path));
  if (!parsed) return fail((keys.has("profile") ? keys.where("profile") : sys.where) + ": " + parsed.error().message());
  env.secrets.remember(parsed->secret_access_key.reveal());
  return ResolvedCredentials{std::move(parsed).value(), source};
}

}  // namespace rollcall::connectors::aws_iam
