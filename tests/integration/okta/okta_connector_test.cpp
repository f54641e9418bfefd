// The okta connector end to end: the real curl transport and retries against FakeOkta on
// 127.0.0.1, with an API token and with OAuth private_key_jwt. Each status, each entitlement
// source and each failure mode the issue names, with a look-alike that must stay quiet.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "connectors/api/snapshot_runner.hpp"
#include "connectors/okta/okta_auth.hpp"
#include "connectors/okta/okta_connector.hpp"
#include "scanner/store/snapshot_store.hpp"
#include "tests/integration/okta/okta_support.hpp"

using namespace rollcall;
using namespace rollcall::testing;
using Fault = FakeServer::Fault;
using FaultKind = FakeServer::FaultKind;
using Json = nlohmann::json;
using std::chrono::milliseconds;

namespace {

const std::pair<std::string, std::string>& keys() {
  static const auto k = rsa_key_pair();
  return k;
}

struct Org {
  FakeServer server;
  FakeOkta okta{server, kOktaToken};
  RecordingSleeper sleeper;
  http::CurlTransportFactory factory{sleeper, [] { return 0.5; }};
  ConnectorFixture fx{factory, {{"OKTA_TOKEN", kOktaToken}, {"OKTA_KEY", keys().first}}};

  explicit Org(bool populate = true) {
    if (populate) small_org(okta);
    okta.enable_oauth(kClientId, keys().second);
    okta.install();
  }
  Result<void> fetch(Collector& sink, const config::SystemConfig& system) {
    return fx.fetch(connectors::okta::connector_type(), system, sink);
  }
  Collector must_fetch(const config::SystemConfig& system) {
    Collector sink;
    auto r = fetch(sink, system);
    INFO(fx.log.joined());
    if (!r) FAIL(r.error().message());
    return sink;
  }
  std::size_t count(const std::string& path, const std::string& query_part = "") const {
    std::size_t n = 0;
    for (const auto& r : server.requests()) {
      n += r.path == path && r.query.find(query_part) != std::string::npos ? 1 : 0;
    }
    return n;
  }
};

Json attrs(const Collector& c, const std::string& id) {
  const Account* a = c.find_account(id);
  REQUIRE(a != nullptr);
  return Json::parse(a->attrs_json);
}

// What the small org must read as, whatever the paging, auth or faults on the way.
const std::vector<std::string> kGrants = {
    "00uada admin-role:SUPER_ADMIN member direct",
    "00uada app:GitHub member direct",
    "00uada app:GitHub member group:GitHub Users",
    "00uada group:Engineering member direct",
    "00uada group:Everyone member direct",
    "00uada group:GitHub Users member direct",
    "00ubob app:GitHub member direct",
    "00ubob group:Engineering member direct",
    "00ubob group:Everyone member direct",
    "00ucyd admin-role:ORG_ADMIN member group:Admins",
    "00ucyd group:Admins member direct",
    "00ucyd group:Engineering member direct",
    "00ucyd group:Everyone member direct",
    "00udee group:Engineering member direct",
    "00udee group:Everyone member direct",
    "00udee group:Salesforce Users member direct",
    "00ueve app:GitHub member group:GitHub Users",
    "00ueve group:Everyone member direct",
    "00ueve group:GitHub Users member direct",
    "00ufan group:Everyone member direct",
    "00ufay group:Everyone member direct",
    "00ugus group:Everyone member direct",
    "00usync group:Everyone member direct",
};

}  // namespace

TEST_CASE("okta: every user status maps as documented, DEPROVISIONED users included", "[connector][okta][integration]") {
  Org org;
  const Collector c = org.must_fetch(okta_system(org.okta, false));
  const std::map<std::string, std::pair<AccountStatus, std::string>> expected = {
      {"00uada", {AccountStatus::active, "ACTIVE"}},         {"00ubob", {AccountStatus::active, "PASSWORD_EXPIRED"}},
      {"00ucyd", {AccountStatus::active, "LOCKED_OUT"}},     {"00udee", {AccountStatus::active, "RECOVERY"}},
      {"00ueve", {AccountStatus::suspended, "STAGED"}},      {"00ufay", {AccountStatus::active, "PROVISIONED"}},
      {"00ugus", {AccountStatus::suspended, "SUSPENDED"}},   {"00uhal", {AccountStatus::disabled, "DEPROVISIONED"}},
      {"00usync", {AccountStatus::active, "ACTIVE"}},        {"00ufan", {AccountStatus::active, "ACTIVE"}}};
  REQUIRE(c.accounts.size() == expected.size());
  for (const auto& [id, want] : expected) {
    INFO(id);
    const Account* a = c.find_account(id);
    REQUIRE(a != nullptr);
    CHECK(a->status == want.first);
    CHECK(attrs(c, id)["okta_status"] == want.second);
  }
  // DEPROVISIONED users come only from the filtered list, as Okta's plain list leaves them out.
  CHECK(org.count("/api/v1/users", "filter=status%20eq%20%22DEPROVISIONED%22") == 1);

  const Account* ada = c.find_account("00uada");
  CHECK(ada->login == "ada@acme.com");
  CHECK(ada->email == "ada@acme.com");
  CHECK(ada->display_name == "ada Example");
  CHECK(ada->external_id == "E100");
  REQUIRE(ada->last_login.has_value());
  CHECK(format_iso8601(*ada->last_login) == "2026-11-30T08:15:00Z");
  CHECK(ada->created_at.has_value());
  CHECK_FALSE(c.find_account("00ubob")->last_login.has_value());  // never signed in
  CHECK(c.find_account("00ubob")->external_id.empty());
}

TEST_CASE("okta: integration users named in builtin_logins are builtin; a look-alike login is not",
          "[connector][okta][integration]") {
  Org org;
  const Collector with = org.must_fetch(okta_system(org.okta, false, {{"builtin_logins", std::vector<std::string>{"okta-sync@*"}}}));
  CHECK(with.find_account("00usync")->kind == AccountKind::builtin);
  CHECK(with.find_account("00ufan")->kind == AccountKind::human);
  CHECK(with.find_account("00uada")->kind == AccountKind::human);
  const Collector without = org.must_fetch(okta_system(org.okta, false));
  CHECK(without.find_account("00usync")->kind == AccountKind::human);
}

TEST_CASE("okta: groups, apps (direct and through a group) and admin roles (direct and through a group)",
          "[connector][okta][integration]") {
  Org org;
  const Collector c = org.must_fetch(okta_system(org.okta, false));
  CHECK(c.grant_lines() == kGrants);
  CHECK(c.entitlement_ids() == std::vector<std::string>{"admin-role:ORG_ADMIN", "admin-role:SUPER_ADMIN", "app:GitHub",
                                                        "group:Admins", "group:Engineering", "group:Everyone",
                                                        "group:GitHub Users", "group:Salesforce Users"});
  for (const auto& e : c.entitlements) {
    INFO(e.id);
    CHECK(e.privileged == (e.type == "admin-role"));
  }
  for (const auto& e : c.entitlements) {
    if (e.id == "group:Salesforce Users") CHECK(Json::parse(e.attrs_json)["group_type"] == "APP_GROUP");
    if (e.id == "admin-role:ORG_ADMIN") CHECK(Json::parse(e.attrs_json)["label"] == "Organizational Administrator");
    if (e.id == "app:GitHub") CHECK(Json::parse(e.attrs_json)["app_name"] == "github_enterprise");
  }
  // The first-party dashboard and the inactive app are not read at all.
  CHECK(org.count("/api/v1/apps/0oadash/users") == 0);
  CHECK(org.count("/api/v1/apps/0oawiki/users") == 0);
  // Group roles are asked only of the groups of users holding a role through a group.
  CHECK(org.count("/api/v1/groups/00gadm/roles") == 1);
  CHECK(org.count("/api/v1/groups/00geng/roles") == 1);  // cyd is in Engineering too
  CHECK(org.count("/api/v1/groups/00ggh/roles") == 0);
}

TEST_CASE("okta: each app user's username in that app is kept for identity matching", "[connector][okta][integration]") {
  Org org;
  const Collector c = org.must_fetch(okta_system(org.okta, false));
  CHECK(attrs(c, "00uada")["app_usernames"] == Json{{"GitHub", "ada-gh"}});
  CHECK(attrs(c, "00ueve")["app_usernames"] == Json{{"GitHub", "eve-gh"}});
  CHECK_FALSE(attrs(c, "00udee").contains("app_usernames"));  // in no app: nothing borrowed from the dashboard
}

TEST_CASE("okta: MFA enrolment is read only when read_factors is set", "[connector][okta][integration]") {
  Org org;
  const Collector off = org.must_fetch(okta_system(org.okta, false));
  CHECK(org.count("/api/v1/users/00uada/factors") == 0);
  CHECK_FALSE(attrs(off, "00uada").contains("mfa_enrolled"));

  const Collector on = org.must_fetch(okta_system(org.okta, false, {{"read_factors", true}}));
  CHECK(org.count("/api/v1/users/00uada/factors") == 1);
  CHECK(attrs(on, "00uada")["mfa_enrolled"] == true);
  CHECK(attrs(on, "00uada")["mfa_factors"] == Json::array({"push"}));
  CHECK(attrs(on, "00ubob")["mfa_enrolled"] == false);  // a factor pending activation is no enrolment
  CHECK(attrs(on, "00ucyd")["mfa_enrolled"] == false);
}

TEST_CASE("okta: pages follow the second Link header, with the largest limits", "[connector][okta][integration]") {
  Org org;
  org.okta.max_page = 2;
  const Collector c = org.must_fetch(okta_system(org.okta, false));
  CHECK(c.grant_lines() == kGrants);
  CHECK(c.accounts.size() == 10);
  CHECK(org.count("/api/v1/users") == 6);  // 9 listed users in pages of 2, then 1 DEPROVISIONED
  std::set<std::string> first_pages;
  for (const auto& r : org.server.requests()) {
    if (r.query.find("after=") == std::string::npos) first_pages.insert(r.path + "?" + r.query);
  }
  CHECK(first_pages.count("/api/v1/users?limit=200") == 1);
  CHECK(first_pages.count("/api/v1/groups?limit=10000") == 1);
  CHECK(first_pages.count("/api/v1/groups/00geng/users?limit=1000") == 1);
  CHECK(first_pages.count("/api/v1/apps?filter=status%20eq%20%22ACTIVE%22&limit=200") == 1);
  CHECK(first_pages.count("/api/v1/apps/0oagh/users?limit=500") == 1);
  CHECK(first_pages.count("/api/v1/apps/0oagh/groups?limit=200") == 1);
  CHECK(first_pages.count("/api/v1/iam/assignees/users?limit=100") == 1);
}

TEST_CASE("okta: a 429 waits until X-Rate-Limit-Reset, then the page is read", "[connector][okta][integration]") {
  Org org;
  org.okta.max_page = 2;
  org.server.inject(Fault{FaultKind::status, "/api/v1/users", "limit=2&after=4", 429,
                          {{"X-Rate-Limit-Limit", "600"}, {"X-Rate-Limit-Remaining", "0"},
                           {"X-Rate-Limit-Reset", "1800000030"}},
                          R"({"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."})"});
  const Collector c = org.must_fetch(okta_system(org.okta, false));
  CHECK(c.accounts.size() == 10);
  CHECK(org.count("/api/v1/users", "after=4") == 2);
  CHECK(org.sleeper.waits() == std::vector<milliseconds>{milliseconds(31000)});  // FixedClock 1'800'000'000
  SECTION("look-alike: X-Rate-Limit-Remaining above 0 on every answer makes no wait") {
    Org quiet;
    quiet.okta.max_page = 2;
    quiet.must_fetch(okta_system(quiet.okta, false));
    CHECK(quiet.sleeper.waits().empty());
  }
}

TEST_CASE("okta: a page that fails after the retries leaves the snapshot partial, naming the page",
          "[connector][okta][integration]") {
  Org org;
  org.okta.max_page = 2;
  Fault down{FaultKind::status, "/api/v1/groups/00geng/users", "limit=2&after=2", 503, {}, "upstream unavailable"};
  down.times = -1;
  org.server.inject(down);
  connectors::Registry registry;
  registry.add(connectors::okta::connector_type());
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  store::SnapshotStore snapshots(**db);
  auto outcome = connectors::take_snapshot(okta_system(org.okta, false), registry, org.fx.env(), snapshots);
  REQUIRE(outcome.ok());
  REQUIRE(outcome->error.has_value());
  CHECK(outcome->error->message() == "system \"okta\": GET /api/v1/groups/00geng/users page 2: HTTP 503: upstream "
                                     "unavailable (gave up after 5 attempts)");
  CHECK(outcome->info.status == SnapshotStatus::partial);
  auto complete = snapshots.latest_complete("okta");
  REQUIRE(complete.ok());
  CHECK_FALSE(complete->has_value());
}

TEST_CASE("okta: Okta's error body is explained (errorSummary, errorCode)", "[connector][okta][integration]") {
  Org org;
  org.server.inject(Fault{FaultKind::status, "/api/v1/iam/assignees/users", "", 403, {},
                          R"({"errorCode":"E0000006","errorSummary":"You do not have permission to perform the requested action","errorCauses":[]})"});
  Collector sink;
  auto r = org.fetch(sink, okta_system(org.okta, false));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == "GET /api/v1/iam/assignees/users page 1: HTTP 403: You do not have permission to perform "
                               "the requested action (E0000006)");
}

TEST_CASE("okta: OAuth private_key_jwt asks for the read scopes only, and a token expired mid-read is renewed once",
          "[connector][okta][integration][oauth]") {
  Org org;
  const Collector c = org.must_fetch(okta_system(org.okta, true));
  CHECK(c.grant_lines() == kGrants);
  CHECK(org.okta.token_requests() == 1);
  CHECK(org.okta.requested_scopes() ==
        std::vector<std::string>{"okta.users.read", "okta.groups.read", "okta.apps.read", "okta.roles.read"});
  for (const auto& r : org.server.requests()) {
    if (r.path != "/oauth2/v1/token") CHECK(r.authorization == "Bearer okta-access-1-b7e1");
  }

  SECTION("read_factors adds okta.factors.read") {
    org.must_fetch(okta_system(org.okta, true, {{"read_factors", true}}));
    CHECK(org.okta.requested_scopes().back() == "okta.factors.read");
  }
  SECTION("the access token expires after 5 requests: one 401, one renewal, a complete read") {
    Org expiring;
    expiring.okta.max_page = 2;
    expiring.okta.expire_token_after(5);
    const Collector again = expiring.must_fetch(okta_system(expiring.okta, true));
    CHECK(again.grant_lines() == kGrants);
    CHECK(expiring.okta.token_requests() == 2);
    int refused = 0;
    for (const auto& r : expiring.server.requests()) refused += r.authorization == "Bearer okta-access-1-b7e1" ? 1 : 0;
    CHECK(refused == 6);  // five accepted, the sixth refused and sent again with token 2
    CHECK_THAT(expiring.fx.log.joined(), !Catch::Contains("okta-access-"));
  }
}

TEST_CASE("okta: a cached access token is renewed a minute before it expires, not earlier",
          "[connector][okta][integration][oauth]") {
  Org org;
  auto transport = org.factory.create(http::TransportOptions{}, org.fx.log, org.fx.clock);
  REQUIRE(transport.ok());
  connectors::okta::OAuthSettings s;
  s.token_url = org.okta.base_url() + "/oauth2/v1/token";
  s.client_id = kClientId;
  s.private_key_pem = Secret(keys().first);
  s.scopes = {"okta.users.read"};
  auto signer = connectors::okta::OAuthSigner::create(s, "environment variable OKTA_KEY", **transport, org.fx.clock);
  REQUIRE(signer.ok());
  http::Request r;
  REQUIRE((*signer)->sign(r).ok());
  org.fx.clock.set(1'800'000'000 + 3000);  // look-alike: well within the hour
  REQUIRE((*signer)->sign(r).ok());
  CHECK(org.okta.token_requests() == 1);
  org.fx.clock.set(1'800'000'000 + 3541);  // 59 s left
  REQUIRE((*signer)->sign(r).ok());
  CHECK(org.okta.token_requests() == 2);
}

TEST_CASE("okta: credential configuration errors are one clear line", "[connector][okta]") {
  Org org;
  Collector sink;
  auto both = org.fetch(sink, okta_system(org.okta, false, {{"client_id", std::string("0oa1")}}));
  REQUIRE_FALSE(both.ok());
  CHECK(both.error().message() == "rollcall.toml:6: use an API token (token_env/token_file) or OAuth (client_id with "
                                  "private_key_env/private_key_file), not both");
  ConnectorFixture bad_key{org.factory, {{"OKTA_KEY", "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n"}}};
  auto r = bad_key.fetch(connectors::okta::connector_type(), okta_system(org.okta, true), sink);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == "rollcall.toml:6: the private key from environment variable OKTA_KEY is not a PEM "
                               "private key (PKCS#8 or RSA, unencrypted)");
  CHECK_THAT(r.error().message(), !Catch::Contains("not a key"));
  auto none = org.fetch(sink, system_config("okta", "okta", {{"base_url", org.okta.base_url()}}));
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message() == "rollcall.toml:1: system \"okta\" needs token_env/token_file (an API token) or "
                                  "client_id with private_key_env/private_key_file");
  CHECK(org.server.requests().empty());
}

TEST_CASE("okta: the SSWS token and OAuth secrets never reach logs or errors, even when echoed",
          "[connector][okta][integration][secrets]") {
  for (bool oauth : {false, true}) {
    DYNAMIC_SECTION((oauth ? "oauth" : "api token")) {
      Org org;
      const std::string used = oauth ? "Bearer okta-access-1-b7e1" : std::string("SSWS ") + kOktaToken;
      org.server.inject(Fault{FaultKind::status, "/api/v1/groups", "", 400, {},
                              R"({"errorCode":"E0000001","errorSummary":"bad request from )" + used + "\"}"});
      Collector sink;
      auto r = org.fetch(sink, okta_system(org.okta, oauth));
      REQUIRE_FALSE(r.ok());
      CHECK_THAT(r.error().message(), Catch::Contains("[REDACTED]"));  // the echo happened and was scrubbed
      const std::string log = org.fx.log.joined();
      CHECK_THAT(log, Catch::Contains("-> 200"));  // the request log was on
      const std::vector<std::string> secrets =
          oauth ? std::vector<std::string>{"okta-access-1-b7e1", keys().first.substr(40, 40)}
                : std::vector<std::string>{kOktaToken};
      for (const std::string& secret : secrets) {
        CHECK(r.error().message().find(secret) == std::string::npos);
        CHECK(log.find(secret) == std::string::npos);
      }
    }
  }
}

TEST_CASE("okta: a client assertion the org cannot verify is one clear line, and nothing is read",
          "[connector][okta][integration][oauth]") {
  Org org;
  org.okta.enable_oauth(kClientId, rsa_key_pair().second);  // the org holds another app key
  Collector sink;
  auto r = org.fetch(sink, okta_system(org.okta, true));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() ==
        "GET /api/v1/users page 1: POST /oauth2/v1/token: HTTP 401: The client_assertion signature is invalid. (OAuth "
        "client \"0oaRollcallService\", scopes okta.users.read okta.groups.read okta.apps.read okta.roles.read)");
  CHECK(sink.accounts.empty());
  CHECK(org.server.requests().size() == 1);  // the token request only
}
