// The entra connector against the fake Graph and token endpoint on 127.0.0.1, through the real
// curl transport and retries: every mapping and entitlement source with look-alike controls,
// paging, throttling, a failing page, a token that expires mid-read, a tenant without
// AuditLog.Read.All, and both ways of signing in.
#include <algorithm>
#include <catch2/catch.hpp>
#include <ctime>
#include <nlohmann/json.hpp>

#include "connectors/entra/entra_api.hpp"
#include "connectors/http/url.hpp"
#include "tests/integration/entra/entra_fixture.hpp"
#include "tests/support/temp_dir.hpp"

using namespace rollcall;
using namespace rollcall::testing;
using Fault = FakeServer::Fault;
using Json = nlohmann::json;

namespace {

constexpr const char* kUserSelect =
    "id,displayName,userPrincipalName,mail,employeeId,userType,accountEnabled,createdDateTime,externalUserState,"
    "onPremisesSyncEnabled";

const std::string kShared5 = "group:Shared (" + gid("05") + ")";
const std::string kShared6 = "group:Shared (" + gid("06") + ")";
const std::string kPayrollSp = "cccccccc-0000-4000-8000-000000000001";
const std::string kGraphSp = "cccccccc-0000-4000-8000-000000000002";
const std::string kWikiSp = "cccccccc-0000-4000-8000-000000000003";
const std::string kOldTool = "ffffffff-0000-4000-8000-000000000009";

Collector must_fetch(EntraWorld& w, const config::SystemConfig& system) {
  Collector c;
  auto r = w.fx.fetch(connectors::entra::connector_type(), system, c);
  INFO((r ? "" : r.error().message()));
  REQUIRE(r.ok());
  return c;
}

std::string fetch_error(EntraWorld& w, const config::SystemConfig& system) {
  Collector c;
  auto r = w.fx.fetch(connectors::entra::connector_type(), system, c);
  REQUIRE_FALSE(r.ok());
  return r.error().message();
}

std::vector<std::string> expected_grants() {
  std::vector<std::string> out = {
      kPayrollSp + " app:Microsoft Graph User.Read.All direct",
      uid(1) + " app:Payroll Payroll.Admin group:Engineering",
      uid(1) + " directory-role:Global Administrator member direct",
      uid(1) + " group:Engineering member direct",
      uid(1) + " " + kShared5 + " member direct",
      uid(2) + " directory-role:Global Administrator member group:Tenant Admins",
      uid(2) + " group:Tenant Admins member direct",
      uid(3) + " app:Payroll member direct",
      uid(3) + " " + kShared6 + " member direct",
      uid(4) + " directory-role:Global Reader member direct",
      uid(4) + " group:Backend member direct",
      uid(4) + " group:Engineering member group:Backend",
      uid(5) + " group:Engineering Alumni member direct",
  };
  std::sort(out.begin(), out.end());
  return out;
}

// The raw query of page `n` (n >= 2) of the user list when pages hold `cap` users.
std::string users_page_query(int n, std::size_t cap) {
  return http::encode_query({{"$select", std::string(kUserSelect) + ",signInActivity"}, {"$top", "999"}}) +
         "&$skiptoken=" + std::to_string((n - 1) * cap);
}

}  // namespace

TEST_CASE("entra: groups, nested groups, directory roles, app assignments and their via", "[integration][entra]") {
  EntraWorld w;
  w.install();
  Collector c = must_fetch(w, w.system());
  CHECK(c.grant_lines() == expected_grants());
  // Look-alike controls: carl reaches Engineering only through Backend and, as Entra passes app
  // assignments to a group's direct members only, holds no Payroll; dana's "Engineering
  // Alumni" confers nothing of Engineering; Wiki has no one assigned.
  for (const auto& line : c.grant_lines()) {
    CHECK_FALSE((line.find(uid(4)) == 0 && line.find("app:Payroll") != std::string::npos));
    CHECK_FALSE((line.find(uid(5)) == 0 && line.find("group:Engineering member") != std::string::npos));
    CHECK(line.find("app:Wiki") == std::string::npos);
  }
  std::vector<std::string> entitlements;
  for (const auto& e : c.entitlements) entitlements.push_back(e.id + (e.privileged ? " !" : ""));
  std::sort(entitlements.begin(), entitlements.end());
  CHECK(entitlements == std::vector<std::string>{
                            "app:Microsoft Graph", "app:Payroll", "app:Wiki", "directory-role:Global Administrator !",
                            "directory-role:Global Reader", "group:Backend", "group:Engineering",
                            "group:Engineering Alumni", kShared5, kShared6, "group:Tenant Admins !"});
  // The device in Engineering Alumni is no account and holds nothing.
  CHECK(c.accounts.size() == 9);
  // Every list asked for the largest page Graph serves.
  for (const auto& r : w.server.requests()) {
    if (r.path == "/v1.0/users" && r.query.find("signInActivity&") != std::string::npos) continue;  // the probe
    if (r.path == "/v1.0/users" || r.path == "/v1.0/groups" || r.path == "/v1.0/servicePrincipals") {
      CHECK_THAT(r.query, Catch::Contains("%24top=999"));
    }
  }
  CHECK(w.graph.tokens_issued() == 1);
}

TEST_CASE("entra: users map to accounts: status, kind, login, email, employee id, sign-ins", "[integration][entra]") {
  EntraWorld w;
  w.install();
  Collector c = must_fetch(w, w.system());
  const Account* jane = c.find_account(uid(1));
  REQUIRE(jane != nullptr);
  CHECK(jane->login == "jane@contoso.com");
  CHECK(jane->email == "jane.doe@contoso.com");
  CHECK(jane->display_name == "Jane Doe");
  CHECK(jane->external_id == "E1");
  CHECK(jane->kind == AccountKind::human);
  CHECK(jane->status == AccountStatus::active);
  CHECK(jane->last_login == parse_iso8601("2026-06-01T08:30:00Z").value());
  CHECK(jane->created_at == parse_iso8601("2024-01-15T09:00:00Z").value());
  CHECK(Json::parse(jane->attrs_json) == Json{{"user_type", "Member"}});

  const Account* bob = c.find_account(uid(2));
  REQUIRE(bob != nullptr);
  CHECK(bob->status == AccountStatus::disabled);
  CHECK(bob->kind == AccountKind::human);

  const Account* guest = c.find_account(uid(3));
  REQUIRE(guest != nullptr);
  CHECK(guest->kind == AccountKind::guest);
  CHECK(guest->login == "ext_partner.com#EXT#@contoso.onmicrosoft.com");
  CHECK(guest->email == "ext@partner.com");
  CHECK(guest->external_id.empty());
  CHECK(Json::parse(guest->attrs_json) == Json{{"user_type", "Guest"}, {"external_user_state", "Accepted"}});

  const Account* carl = c.find_account(uid(4));
  REQUIRE(carl != nullptr);
  CHECK(carl->email.empty());                 // no mail: nothing is made up from the UPN
  CHECK_FALSE(carl->last_login.has_value());  // never signed in, and known to be so
  CHECK(Json::parse(carl->attrs_json).count("sign_in_activity") == 0);
}

TEST_CASE("entra: service principals and app registrations are service accounts with owners and credentials",
          "[integration][entra]") {
  EntraWorld w;
  w.install();
  Collector c = must_fetch(w, w.system());
  const Account* payroll = c.find_account(kPayrollSp);
  REQUIRE(payroll != nullptr);
  CHECK(payroll->kind == AccountKind::service);
  CHECK(payroll->status == AccountStatus::active);
  CHECK(payroll->login == "dddddddd-0000-4000-8000-000000000001");
  CHECK(payroll->display_name == "Payroll");
  const Json attrs = Json::parse(payroll->attrs_json);
  CHECK(attrs["owners"] == Json::array({Json{{"id", uid(1)}, {"name", "jane@contoso.com"}}}));
  CHECK(attrs["application_owners"] == Json::array({Json{{"id", uid(4)}, {"name", "carl@contoso.com"}}}));
  CHECK(attrs["credentials"] == Json::array({Json{{"type", "password"},
                                                  {"source", "servicePrincipal"},
                                                  {"key_id", "77777777-0000-4000-8000-000000000001"},
                                                  {"display_name", "sync job"},
                                                  {"start", "2026-01-01T00:00:00Z"},
                                                  {"end", "2026-12-31T00:00:00Z"}},
                                             Json{{"type", "certificate"},
                                                  {"source", "application"},
                                                  {"key_id", "88888888-0000-4000-8000-000000000001"},
                                                  {"display_name", "CN=payroll"},
                                                  {"start", "2026-01-01T00:00:00Z"},
                                                  {"end", "2027-01-01T00:00:00Z"},
                                                  {"usage", "Verify"}}}));
  // ... and the same as credential records, judged by the credential findings (ids and dates).
  std::vector<const Credential*> keys;
  for (const auto& k : c.credentials) {
    if (k.account_id == kPayrollSp) keys.push_back(&k);
  }
  REQUIRE(keys.size() == 2);
  CHECK(keys[0]->id == "77777777-0000-4000-8000-000000000001");
  CHECK(keys[0]->kind == CredentialKind::client_secret);
  CHECK(keys[0]->created_at == parse_iso8601("2026-01-01T00:00:00Z").value());
  CHECK(keys[0]->expires_at == parse_iso8601("2026-12-31T00:00:00Z").value());
  CHECK_FALSE(keys[0]->use_recorded);
  CHECK(keys[1]->kind == CredentialKind::certificate);
  CHECK(keys[1]->expires_at == parse_iso8601("2027-01-01T00:00:00Z").value());
  // Never a secret's hint or text.
  CHECK(payroll->attrs_json.find("hint") == std::string::npos);
  CHECK(payroll->attrs_json.find("secretText") == std::string::npos);

  const Account* graph = c.find_account(kGraphSp);
  REQUIRE(graph != nullptr);
  CHECK(graph->kind == AccountKind::builtin);  // Microsoft's own: never an orphan
  CHECK(Json::parse(graph->attrs_json).count("owners") == 0);

  const Account* wiki = c.find_account(kWikiSp);
  REQUIRE(wiki != nullptr);
  CHECK(wiki->kind == AccountKind::service);
  CHECK(wiki->status == AccountStatus::disabled);

  const Account* old_tool = c.find_account(kOldTool);
  REQUIRE(old_tool != nullptr);
  CHECK(old_tool->kind == AccountKind::service);
  CHECK(Json::parse(old_tool->attrs_json)["object"] == "application");
  // Microsoft's principals are not asked for their owners; the tenant's are.
  CHECK(w.server.count("/v1.0/servicePrincipals/" + kGraphSp + "/owners") == 0);
  CHECK(w.server.count("/v1.0/servicePrincipals/" + kPayrollSp + "/owners") == 1);
}

TEST_CASE("entra: @odata.nextLink pages are followed as given; the result is the same", "[integration][entra]") {
  EntraWorld w;
  w.graph.page_cap = 2;
  w.install();
  Collector c = must_fetch(w, w.system());
  CHECK(c.grant_lines() == expected_grants());
  CHECK(c.accounts.size() == 9);
  // 5 users in pages of 2: three pages, the last two through nextLinks with a $skiptoken.
  std::vector<std::string> user_pages;
  for (const auto& r : w.server.requests()) {
    if (r.path == "/v1.0/users" && r.query.find("%24top=1") == std::string::npos) user_pages.push_back(r.query);
  }
  CHECK(user_pages ==
        std::vector<std::string>{users_page_query(1, 2).substr(0, users_page_query(1, 2).find("&$skiptoken")),
                                 users_page_query(2, 2), users_page_query(3, 2)});
}

TEST_CASE("entra: a 429 with Retry-After is waited out, and the read completes", "[integration][entra]") {
  EntraWorld w;
  w.graph.page_cap = 2;
  w.install();
  Fault f;
  f.path = "/v1.0/users";
  f.query = users_page_query(2, 2);
  f.status = 429;
  f.headers = {{"Retry-After", "7"}};
  f.body = R"({"error":{"code":"TooManyRequests","message":"Too many requests"}})";
  w.server.inject(f);
  f.path = "/v1.0/groups/" + gid("01") + "/members";
  f.query = "";
  f.status = 503;
  f.headers = {{"Retry-After", "3"}};
  w.server.inject(f);
  Collector c = must_fetch(w, w.system());
  CHECK(c.grant_lines() == expected_grants());
  CHECK(w.sleeper.waits() == std::vector<std::chrono::milliseconds>{std::chrono::seconds(7), std::chrono::seconds(3)});
}

TEST_CASE("entra: a page that still fails after the retries fails the read, naming the page", "[integration][entra]") {
  EntraWorld w;
  w.graph.page_cap = 2;
  w.install();
  Fault f;
  f.path = "/v1.0/users";
  f.query = users_page_query(2, 2);
  f.status = 503;
  f.body = R"({"error":{"code":"serviceNotAvailable","message":"The service is temporarily unavailable."}})";
  f.times = -1;
  w.server.inject(f);
  CHECK(
      fetch_error(w, w.system()) ==
      "GET /v1.0/users?" + http::encode_query({{"$select", std::string(kUserSelect) + ",signInActivity"}}) +
          " page 2: HTTP 503: serviceNotAvailable: The service is temporarily unavailable. (gave up after 5 attempts)");
}

TEST_CASE("entra: a token that expires mid-read is renewed once, and the read continues", "[integration][entra]") {
  EntraWorld w;
  w.graph.page_cap = 2;
  w.install();
  w.graph.expire_tokens_at_request(4);  // the probe, users pages 1 and 2, then page 3 meets an expired token
  Collector c = must_fetch(w, w.system());
  CHECK(c.grant_lines() == expected_grants());
  CHECK(w.graph.tokens_issued() == 2);
  std::vector<std::string> page3;
  for (const auto& r : w.server.requests()) {
    if (r.path == "/v1.0/users" && r.query == users_page_query(3, 2)) page3.push_back(r.authorization);
  }
  REQUIRE(page3.size() == 2);
  CHECK(page3[0] != page3[1]);
  CHECK_THAT(w.fx.log.joined(), Catch::Contains("HTTP 401 with the current access token; renewing it once"));
}

TEST_CASE("entra: a token is cached, renewed shortly before it expires, and never logged", "[integration][entra]") {
  EntraWorld w;
  w.install();
  auto api = connectors::entra::open_api(w.system(), w.fx.env());
  REQUIRE(api.ok());
  auto first = api->tokens->token();
  REQUIRE(first.ok());
  CHECK(api->tokens->token()->reveal() == first->reveal());
  w.fx.clock.set(w.fx.clock.now() + 3599 - 301);
  CHECK(api->tokens->token()->reveal() == first->reveal());
  CHECK(w.graph.tokens_issued() == 1);
  w.fx.clock.set(w.fx.clock.now() + 2);  // within 5 minutes of expiry
  auto second = api->tokens->token();
  REQUIRE(second.ok());
  CHECK(second->reveal() != first->reveal());
  CHECK(w.graph.tokens_issued() == 2);
  // A 401 for a token another request already replaced renews nothing.
  CHECK(api->tokens->renew(*first)->reveal() == second->reveal());
  CHECK(w.graph.tokens_issued() == 2);
  const std::string log = w.fx.log.joined();
  CHECK(log.find(first->reveal()) == std::string::npos);
  CHECK(log.find(kSecret) == std::string::npos);
}

TEST_CASE("entra: without AuditLog.Read.All users are read without sign-ins, with one warning",
          "[integration][entra]") {
  EntraWorld w;
  w.graph.audit_log_permission = false;
  w.graph.page_cap = 2;
  w.install();
  Collector c = must_fetch(w, w.system());
  CHECK(c.grant_lines() == expected_grants());
  for (const Account& a : c.accounts) {
    CHECK_FALSE(a.last_login.has_value());
    if (a.kind == AccountKind::human || a.kind == AccountKind::guest) {
      CHECK(Json::parse(a.attrs_json)["sign_in_activity"] == "not readable");
    }
  }
  std::size_t warnings = 0;
  for (const auto& line : w.fx.log.lines)
    warnings += line.find("Graph refuses signInActivity") != std::string::npos ? 1 : 0;
  CHECK(warnings == 1);
  CHECK_THAT(
      w.fx.log.joined(),
      Catch::Contains("system \"entra\": Graph refuses signInActivity (Authorization_RequestDenied): the app needs the "
                      "AuditLog.Read.All application permission"));
  CHECK_THAT(w.fx.log.joined(), Catch::Contains("dormancy cannot be judged"));
}

TEST_CASE("entra: a rejected client secret fails at the token endpoint, naming its source", "[integration][entra]") {
  EntraWorld w;
  w.install();
  w.fx.secrets = SecretSource::from_map({{"ENTRA_SECRET", "entra~wrong0secret"}});
  const std::string error = fetch_error(w, w.system());
  CHECK(error == std::string("POST /") + kTenant +
                     "/oauth2/v2.0/token: HTTP 401: AADSTS7000215: Invalid client secret provided. Ensure the secret "
                     "being sent in the request is the client secret value, not the client secret ID. (the credential "
                     "from environment variable ENTRA_SECRET was rejected)");
  CHECK(error.find("wrong0secret") == std::string::npos);
  CHECK(w.graph.graph_requests() == 0);
}

TEST_CASE("entra: certificate sign-in sends an RS256 client assertion naming the certificate", "[integration][entra]") {
  TempDir dir;
  const TestCertificate cert = TestCertificate::make("rollcall");
  dir.write("entra.crt", cert.cert_pem);
  dir.write("entra.key", cert.key_pem);
  EntraWorld w;
  w.fx.clock.set(std::time(nullptr));  // the token endpoint checks the assertion's times against its own clock
  w.graph.certificate_pem = cert.cert_pem;
  w.install();
  const auto system = w.system(
      {{"certificate_file", (dir / "entra.crt").string()}, {"private_key_file", (dir / "entra.key").string()}});
  Collector c = must_fetch(w, system);
  CHECK(c.grant_lines() == expected_grants());
  const auto [header, claims] = w.graph.last_assertion();
  const Json h = Json::parse(header);
  CHECK(h["alg"] == "RS256");
  CHECK(h["typ"] == "JWT");
  CHECK(h["x5t"] == connectors::entra::certificate_thumbprint(cert.cert_pem).value());
  const Json cl = Json::parse(claims);
  CHECK(cl["aud"] == w.graph.authority() + "/" + kTenant + "/oauth2/v2.0/token");
  CHECK(cl["iss"] == kClientId);
  CHECK(cl["sub"] == kClientId);

  SECTION("a certificate the app does not know is refused by the token endpoint") {
    const TestCertificate other = TestCertificate::make("other");
    dir.write("other.crt", other.cert_pem);
    dir.write("other.key", other.key_pem);
    const auto wrong = w.system(
        {{"certificate_file", (dir / "other.crt").string()}, {"private_key_file", (dir / "other.key").string()}});
    CHECK(fetch_error(w, wrong) ==
          std::string("POST /") + kTenant +
              "/oauth2/v2.0/token: HTTP 401: AADSTS700027: x5t names no registered certificate "
              "(the credential from file \"" +
              (dir / "other.key").string() + "\" was rejected)");
  }
  SECTION("a key that does not belong to the certificate is caught before anything is sent") {
    const TestCertificate other = TestCertificate::make("other");
    dir.write("other.key", other.key_pem);
    const auto mismatched = w.system(
        {{"certificate_file", (dir / "entra.crt").string()}, {"private_key_file", (dir / "other.key").string()}});
    CHECK(fetch_error(w, mismatched) ==
          "the private key from file \"" + (dir / "other.key").string() + "\" does not belong to the certificate");
  }
}

TEST_CASE("entra: sign-in configuration errors name the key", "[integration][entra]") {
  EntraWorld w;
  w.install();
  auto error = [&](std::vector<std::pair<std::string, config::Value>> keys) {
    auto r = w.fx.create(connectors::entra::connector_type(), w.system(std::move(keys)));
    REQUIRE_FALSE(r.ok());
    return r.error().message();
  };
  CHECK(error({{"client_secret_env", std::string("ENTRA_SECRET")}, {"certificate_file", std::string("c.pem")}}) ==
        "rollcall.toml:9: sign in with a client secret (client_secret_env/_file) or a certificate (certificate_file "
        "with private_key_env/_file), not both");
  CHECK(error({{"certificate_file", std::string("c.pem")}}) ==
        "rollcall.toml:8: certificate sign-in needs both certificate_file and private_key_env/_file");
  CHECK(error({{"client_secret_env", std::string("NOT_SET")}}) ==
        "rollcall.toml:8: environment variable NOT_SET is not set");
  auto none = w.fx.create(
      connectors::entra::connector_type(),
      system_config("entra", "entra", {{"tenant", std::string(kTenant)}, {"client_id", std::string(kClientId)}}));
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message() ==
        "rollcall.toml:1: system \"entra\" needs client_secret_env/client_secret_file, or certificate_file with "
        "private_key_env/private_key_file");
}

TEST_CASE("entra: an empty tenant is an empty, complete read", "[integration][entra]") {
  EntraWorld w(false);
  w.install();
  Collector c = must_fetch(w, w.system());
  CHECK(c.accounts.empty());
  CHECK(c.entitlements.empty());
  CHECK(c.grants.empty());
}

TEST_CASE("entra: a missing application permission fails the read with Graph's reason", "[integration][entra]") {
  EntraWorld w;
  w.install();
  Fault f;
  f.path = "/v1.0/groups";
  f.status = 403;
  f.body =
      R"({"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}})";
  f.times = -1;
  w.server.inject(f);
  CHECK(
      fetch_error(w, w.system()) ==
      "GET /v1.0/groups?" +
          http::encode_query({{"$select",
                               "id,displayName,securityEnabled,mailEnabled,groupTypes,isAssignableToRole,"
                               "onPremisesSyncEnabled"}}) +
          " page 1: HTTP 403: Authorization_RequestDenied: Insufficient privileges to complete the operation. (the app "
          "registration lacks an application permission this read needs; see docs/connectors/entra.md)");
}

TEST_CASE("entra: malformed pages and token responses are errors naming what is wrong", "[integration][entra]") {
  EntraWorld w;
  w.install();
  const std::string page1 =
      http::encode_query({{"$select", std::string(kUserSelect) + ",signInActivity"}, {"$top", "999"}});
  const std::string label =
      "GET /v1.0/users?" + http::encode_query({{"$select", std::string(kUserSelect) + ",signInActivity"}});
  SECTION("a user without accountEnabled") {
    Fault f;
    f.path = "/v1.0/users";
    f.query = page1;
    f.status = 200;
    f.body = R"({"value":[{"id":"u9","userPrincipalName":"x@contoso.com","userType":"Member"}]})";
    w.server.inject(f);
    CHECK(fetch_error(w, w.system()) ==
          label + " page 1: item 1: user \"u9\": \"accountEnabled\" is missing or not a boolean");
  }
  SECTION("a truncated page") {
    Fault f;
    f.kind = FakeServer::FaultKind::not_json;
    f.path = "/v1.0/users";
    f.query = page1;
    w.server.inject(f);
    CHECK_THAT(fetch_error(w, w.system()), Catch::StartsWith(label + " page 1: malformed JSON at byte "));
  }
  SECTION("a token response without a lifetime") {
    w.graph.token_lifetime = 0;
    CHECK(fetch_error(w, w.system()) ==
          std::string("POST /") + kTenant +
              "/oauth2/v2.0/token: the token response: \"expires_in\" is missing or not a "
              "positive number");
  }
}
