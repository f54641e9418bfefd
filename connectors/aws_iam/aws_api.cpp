#include "connectors/aws_iam/aws_api.hpp"

#include "connectors/api/credentials.hpp"
#include "connectors/aws_iam/aws_credentials.hpp"
#include "connectors/http/http_config.hpp"
#include "connectors/http/paginate.hpp"
#include "connectors/http/sigv4.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::aws_iam {
namespace {

constexpr const char* kVersion = "2010-05-08";
constexpr const char* kDefaultEndpoint = "https://iam.amazonaws.com";

// The AWS-managed policies that grant administration of the account or of IAM itself.
const std::set<std::string> kPrivilegedPolicies = {"AdministratorAccess", "IAMFullAccess", "PowerUserAccess",
                                                   "AWSOrganizationsFullAccess", "AWSSSOMasterAccountAdministrator"};

struct AwsError {
  std::string code;
  std::string message;
};

std::optional<AwsError> aws_error(const std::string& body) {
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) return std::nullopt;
  pugi::xml_node error = doc.child("ErrorResponse").child("Error");
  if (!error) error = doc.child("Response").child("Errors").child("Error");  // EC2-style, some emulators
  if (!error) return std::nullopt;
  return AwsError{text_of(error, "Code"), text_of(error, "Message")};
}

Params with_action(const std::string& action, const Params& params) {
  Params q = {{"Action", action}, {"Version", kVersion}};
  q.insert(q.end(), params.begin(), params.end());
  return q;
}

Result<IamResult> parse(const std::string& action, const std::string& body) {
  IamResult out;
  out.doc = std::make_unique<pugi::xml_document>();
  pugi::xml_parse_result parsed = out.doc->load_buffer(body.data(), body.size());
  if (!parsed) {
    return fail("malformed XML at byte " + std::to_string(parsed.offset) + ": " + parsed.description());
  }
  out.result = out.doc->child((action + "Response").c_str()).child((action + "Result").c_str());
  if (!out.result) {
    // Actions without a result (UpdateAccessKey, DeleteLoginProfile) answer <ActionResponse> only.
    if (!out.doc->child((action + "Response").c_str())) return fail("no <" + action + "Response> in the answer");
  }
  return out;
}

}  // namespace

std::string text_of(const pugi::xml_node& node, const char* child) { return node.child(child).text().as_string(); }

Result<std::optional<UnixTime>> date_of(const pugi::xml_node& node, const char* child) {
  pugi::xml_node n = node.child(child);
  if (!n) return std::optional<UnixTime>();
  auto t = parse_iso8601(n.text().as_string());
  if (!t) return fail("<" + std::string(child) + ">: " + t.error().message());
  return std::optional<UnixTime>(*t);
}

std::string describe_error(const http::Response& response) {
  if (auto e = aws_error(response.body)) {
    std::string text = e->code;
    if (!e->message.empty()) text += ": " + e->message;
    for (char& c : text) {
      if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    }
    return text.size() > 400 ? text.substr(0, 400) + "..." : text;
  }
  return http::generic_error_text(response);
}

std::optional<http::RetryAdvice> classify_throttling(const http::Response& response, bool) {
  if (response.status != 400) return std::nullopt;
  auto e = aws_error(response.body);
  if (!e) return std::nullopt;
  static const std::set<std::string> kThrottling = {"Throttling", "ThrottlingException", "RequestLimitExceeded",
                                                    "TooManyRequestsException"};
  if (kThrottling.count(e->code) == 0) return std::nullopt;
  http::RetryAdvice a;
  a.retry = true;
  a.reason = "HTTP 400 " + e->code + " (throttled)";
  return a;
}

std::string IamApi::label(const std::string& action, const Params& params) {
  std::string out = action;
  for (const auto& [k, v] : params) out += " " + k + "=" + v;
  return out;
}

Result<std::optional<IamResult>> IamApi::call(const std::string& action, const Params& params, bool read_only,
                                              const std::string& absent_code) const {
  http::RawRequest raw;
  raw.method = http::Method::post;
  raw.path = "/";
  raw.body = http::encode_query(with_action(action, params));
  raw.content_type = "application/x-www-form-urlencoded; charset=utf-8";
  raw.read_only = read_only;
  raw.label = label(action, params);
  std::initializer_list<int> none = {};
  std::initializer_list<int> not_found = {404};
  RC_ASSIGN(http::Response r, client.send_raw(raw, absent_code.empty() ? none : not_found));
  if (r.status == 404) {
    auto e = aws_error(r.body);
    if (e && e->code == absent_code) return std::optional<IamResult>();
    return fail(raw.label + ": HTTP 404: " + describe_error(r));
  }
  auto parsed = parse(action, r.body);
  if (!parsed) return fail(raw.label + ": " + parsed.error().message());
  return std::optional<IamResult>(std::move(parsed).value());
}

Result<void> IamApi::list(const std::string& action, const Params& params, const std::string& list_name,
                          const std::function<Result<void>(const pugi::xml_node&)>& fn) const {
  http::MarkerPaging paging;
  paging.max_items = 1000;
  return http::for_each_marker_page(
      client, "/", with_action(action, params), label(action, params), paging,
      [&](const http::Response& page) -> Result<http::MarkerPage> {
        RC_ASSIGN(IamResult r, parse(action, page.body));
        if (!r.result) return fail("no <" + action + "Result> in the answer");
        pugi::xml_node items = r.result.child(list_name.c_str());
        if (!items) return fail("no <" + list_name + "> in the answer");
        std::size_t k = 0;
        for (pugi::xml_node member : items.children("member")) {
          ++k;
          auto done = fn(member);
          if (!done) return fail("<" + list_name + "> member " + std::to_string(k) + ": " + done.error().message());
        }
        const std::string truncated = text_of(r.result, "IsTruncated");
        if (truncated != "true" && truncated != "false" && !truncated.empty()) {
          return fail("<IsTruncated> is " + quote(truncated) + ", not true or false");
        }
        return http::MarkerPage{truncated == "true", text_of(r.result, "Marker")};
      });
}

std::vector<config::KeySpec> iam_keys() {
  using config::ValueType;
  std::vector<config::KeySpec> keys = {
      {"endpoint", ValueType::string, false, "the IAM endpoint (another partition, or a test server)",
       "\"https://iam.amazonaws.com\""},
      {"region", ValueType::string, false, "the region requests are signed for", "\"us-east-1\""},
      {"profile", ValueType::string, false, "the profile of ~/.aws/credentials to use (else AWS_PROFILE, else default)",
       ""},
      {"service_users", ValueType::string_list, false, "user name patterns of service accounts (kind service)", ""},
      {"service_tag", ValueType::string, false,
       "a user tag marking service accounts: \"key\" or \"key=value\" (one ListUserTags request per user)", ""},
      {"privileged_policies", ValueType::string_list, false,
       "more managed policy names to mark privileged (beside AdministratorAccess, IAMFullAccess, ...)", ""},
      {"credential_report", ValueType::boolean, false,
       "read password, MFA and key-usage data from the IAM credential report instead of per user and per key", "false"},
  };
  for (auto& k : connectors::credential_keys("access_key_id", "AWS access key id for rollcall")) keys.push_back(std::move(k));
  for (auto& k : connectors::credential_keys("secret_access_key", "its secret access key")) keys.push_back(std::move(k));
  for (auto& k : connectors::credential_keys("session_token", "session token of temporary credentials")) {
    keys.push_back(std::move(k));
  }
  for (auto& k : http::common_keys()) keys.push_back(std::move(k));
  return keys;
}

Result<IamApi> open_api(const config::SystemConfig& sys, const ConnectorEnv& env) {
  const config::Table& keys = sys.keys;
  IamSettings settings;
  if (auto s = keys.list("service_users")) settings.service_users = NamePatterns(*s);
  if (auto t = keys.string("service_tag")) {
    auto eq = t->find('=');
    settings.service_tag_key = t->substr(0, eq);
    if (eq != std::string::npos) settings.service_tag_value = t->substr(eq + 1);
    if (settings.service_tag_key.empty()) return fail(keys.where("service_tag") + ": service_tag needs a tag key");
  }
  settings.privileged_policies = kPrivilegedPolicies;
  if (auto p = keys.list("privileged_policies")) settings.privileged_policies.insert(p->begin(), p->end());
  settings.credential_report = keys.boolean("credential_report").value_or(false);

  RC_ASSIGN(ResolvedCredentials creds, resolve_credentials(sys, env));
  const std::string region = keys.string("region").value_or("us-east-1");
  RC_ASSIGN(http::HttpSettings http_settings, http::read_settings(sys, env, 4));
  http_settings.transport.retry.classify = classify_throttling;
  RC_ASSIGN(auto transport, http::make_transport(http_settings, env));

  http::ApiOptions api;
  api.base_url = keys.string("endpoint").value_or(kDefaultEndpoint);
  api.headers = {{"Accept", "text/xml"}};
  api.describe_error = describe_error;
  api.signer = std::make_shared<http::SigV4Signer>(std::move(creds.credentials), region, "iam", env.clock);
  api.credential_source = creds.source;
  auto client = http::ApiClient::create(*transport, std::move(api), env.log);
  if (!client) return fail(keys.where("endpoint") + ": " + client.error().message());
  return IamApi{std::move(transport), std::move(client).value(), std::move(settings), http_settings.concurrency};
}

}  // namespace rollcall::connectors::aws_iam
