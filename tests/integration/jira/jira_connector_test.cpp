// The jira connector against a fake Jira Cloud site and Atlassian admin API on 127.0.0.1: the
// real curl transport and retries, every list paged (pages capped at 2), hidden emails matched
// through the organization, app and customer accounts, product access through groups, project
// roles, and each failure mode with its exact message.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "connectors/api/snapshot_runner.hpp"
#include "connectors/jira/jira_connector.hpp"
#include "scanner/store/snapshot_store.hpp"
#include "tests/integration/jira/jira_site.hpp"

using namespace rollcall;
using namespace rollcall::testing;
using Fault = FakeServer::Fault;
using FaultKind = FakeServer::FaultKind;
using std::chrono::milliseconds;

namespace {

struct Site {
  FakeServer server;
  FakeJira jira{server, kEmail, kApiToken, kOauthToken, "org-1", kOrgKey};
  RecordingSleeper sleeper;
  http::CurlTransportFactory factory{sleeper, [] { return 0.5; }};
  ConnectorFixture fx{factory, jira_env()};
  Collector sink;

  Site() {
    populate(jira);
    jira.page_cap = 2;
    jira.install();
  }
  Result<void> fetch(const config::SystemConfig& system) { return fx.fetch(connectors::jira::connector_type(), system, sink); }
  Result<void> fetch() { return fetch(jira_system(jira)); }

  nlohmann::json attrs(const std::string& id) const {
    const Account* a = sink.find_account(id);
    REQUIRE(a != nullptr);
    return nlohmann::json::parse(a->attrs_json);
  }
  std::size_t requests(const std::string& path) const { return server.count(path); }
  // The log lines about missing emails (CapturingLogger keeps no levels).
  std::vector<std::string> warnings() const {
    std::vector<std::string> out;
    for (const auto& line : fx.log.lines) {
      if (line.find("email") != std::string::npos) out.push_back(line);
    }
    return out;
  }
};

std::string error_of(const Result<void>& r) {
  REQUIRE_FALSE(r.ok());
  return r.error().message();
}

}  // namespace

TEST_CASE("jira: a site is read whole across pages, with access through groups and roles",
          "[connector][jira][integration]") {
  Site s;
  REQUIRE(s.fetch().ok());

  // Every list was paged: 10 users in pages of 2 and a final empty page, 9 groups in 5 page
  // beans, 4 members of jira-software-users in 2, 3 managed accounts in 2 cursor pages.
  CHECK(s.requests("/rest/api/3/users/search") == 6);
  CHECK(s.requests("/rest/api/3/group/bulk") == 5);
  CHECK(s.requests("/admin/v1/orgs/org-1/users") == 2);
  std::size_t software_pages = 0;
  for (const auto& r : s.server.requests()) {
    if (r.path == "/rest/api/3/group/member" && r.query.find("groupId=g-sw") != std::string::npos) {
      ++software_pages;
      CHECK(r.query.find("includeInactiveUsers=true") != std::string::npos);
    }
  }
  CHECK(software_pages == 2);
  // Only the configured project's roles are read.
  CHECK(s.requests("/rest/api/3/project/OPS/role") == 0);
  CHECK(s.requests("/rest/api/3/project/ENG/role") == 1);
  for (const auto& r : s.server.requests()) {
    if (r.path.rfind("/admin/", 0) == 0) {
      CHECK(r.authorization == std::string("Bearer ") + kOrgKey);
    } else {
      CHECK(r.authorization.rfind("Basic ", 0) == 0);
    }
  }

  CHECK(s.sink.grant_lines() == std::vector<std::string>{
                                    "acc-alice group:jira-software-users member direct",
                                    "acc-alice group:site-admins member direct",
                                    "acc-alice product:jira-software member group:jira-software-users",
                                    "acc-alice project-role:ENG:Administrators member direct",
                                    "acc-bob group:jira-admins-acme member direct",
                                    "acc-bob group:jira-software-users member direct",
                                    "acc-bob product:jira-software member group:jira-software-users",
                                    "acc-carol group:confluence-users member direct",
                                    "acc-carol group:jira-servicemanagement-users member direct",
                                    "acc-carol group:jpd-contributors member direct",
                                    "acc-carol product:jira-product-discovery member group:jpd-contributors",
                                    "acc-carol product:jira-servicedesk member group:jira-servicemanagement-users",
                                    "acc-carol project-role:ENG:Developers member direct",
                                    "acc-dave group:jira-software-users member direct",
                                    "acc-dave product:jira-software member group:jira-software-users",
                                    "acc-erin group:confluence-users member direct",
                                    "acc-erin group:jira-testers member direct",
                                    "acc-erin group:site-admins-archive member direct",
                                    "acc-erin product:jira-software member group:jira-testers",
                                    "acc-erin project-role:ENG:Developers member group:jira-testers",
                                    "app-tempo group:jira-software-users member direct",
                                    "app-tempo product:jira-software member group:jira-software-users",
                                    "cust2 group:portal-helpers member direct",
                                });

  // Privileged: the admin groups and the Administrators role; not their look-alikes.
  std::map<std::string, bool> privileged;
  for (const auto& e : s.sink.entitlements) privileged[e.id] = e.privileged;
  CHECK(privileged.at("group:site-admins"));
  CHECK(privileged.at("group:jira-admins-acme"));
  CHECK(privileged.at("project-role:ENG:Administrators"));
  CHECK_FALSE(privileged.at("group:site-admins-archive"));
  CHECK_FALSE(privileged.at("group:jira-software-users"));
  CHECK_FALSE(privileged.at("project-role:ENG:Developers"));
  CHECK_FALSE(privileged.at("product:jira-software"));
  CHECK(s.sink.entitlement_ids() ==
        std::vector<std::string>{"group:confluence-users", "group:jira-admins-acme", "group:jira-servicemanagement-users",
                                 "group:jira-software-users", "group:jira-testers", "group:jpd-contributors",
                                 "group:portal-helpers", "group:site-admins", "group:site-admins-archive",
                                 "product:jira-product-discovery", "product:jira-servicedesk",
                                 "product:jira-software", "project-role:ENG:Administrators",
                                 "project-role:ENG:Developers"});
  for (const auto& e : s.sink.entitlements) {
    if (e.id == "product:jira-software") {
      const nlohmann::json expected = {{"name", "Jira Software"}, {"seats", 10}, {"remaining_seats", 4},
                                       {"user_count", 6}, {"default_groups", {"jira-software-users"}}};
      CHECK(nlohmann::json::parse(e.attrs_json) == expected);
    }
  }
}

TEST_CASE("jira: hidden emails are filled from the organization, and the rest are marked and counted once",
          "[connector][jira][integration]") {
  Site s;
  REQUIRE(s.fetch().ok());
  CHECK(s.sink.find_account("acc-alice")->email == "alice@acme.com");
  CHECK(s.sink.find_account("acc-bob")->email == "bob@acme.com");  // hidden on the site, managed by the org
  CHECK(s.attrs("acc-bob")["email_source"] == "organization");
  CHECK(s.sink.find_account("acc-carol")->email.empty());
  CHECK(s.attrs("acc-carol")["email_hidden"] == true);
  CHECK_FALSE(s.attrs("acc-alice").contains("email_hidden"));
  CHECK_FALSE(s.attrs("acc-bob").contains("email_hidden"));
  CHECK_FALSE(s.attrs("app-tempo").contains("email_hidden"));  // apps have no email to hide
  CHECK(s.sink.find_account("acc-alice")->last_login == *parse_iso8601("2026-11-30T09:00:00Z"));
  CHECK_FALSE(s.sink.find_account("acc-carol")->last_login.has_value());
  CHECK(s.warnings() == std::vector<std::string>{
                            "jira: 1 of 6 accounts have no email visible (Atlassian profile visibility), nor in "
                            "organization \"org-1\"'s managed accounts; they are marked email_hidden and reported as "
                            "unmatched unless the mapping file names them"});

  SECTION("without the organization API, every hidden email stays hidden: one warning says so") {
    Site t;
    REQUIRE(t.fetch(jira_system(t.jira, {}, {"org_id", "org_api_key_env", "admin_base_url"})).ok());
    CHECK(t.requests("/admin/v1/orgs/org-1/users") == 0);
    CHECK(t.sink.find_account("acc-bob")->email.empty());
    CHECK(t.attrs("acc-bob")["email_hidden"] == true);
    CHECK(t.warnings() == std::vector<std::string>{
                              "jira: 2 of 6 accounts have no email visible (Atlassian profile visibility), and no "
                              "org_id/org_api_key is set to look them up; they are marked email_hidden and reported "
                              "as unmatched unless the mapping file names them"});
  }
}

TEST_CASE("jira: app users are service accounts, Atlassian's own are builtin, customers are read only when they hold access",
          "[connector][jira][integration]") {
  Site s;
  REQUIRE(s.fetch().ok());
  CHECK(s.sink.find_account("app-auto")->kind == AccountKind::builtin);
  CHECK(s.sink.find_account("app-tempo")->kind == AccountKind::service);
  CHECK(s.sink.find_account("app-pro")->kind == AccountKind::service);   // a vendor's look-alike name
  CHECK(s.sink.find_account("acc-erin")->kind == AccountKind::human);   // a person with the app's name
  CHECK(s.sink.find_account("acc-alice")->kind == AccountKind::human);
  CHECK(s.sink.find_account("acc-dave")->status == AccountStatus::disabled);
  CHECK(s.sink.find_account("acc-alice")->status == AccountStatus::active);
  CHECK(s.sink.find_account("cust1") == nullptr);
  REQUIRE(s.sink.find_account("cust2") != nullptr);
  CHECK(s.sink.find_account("cust2")->kind == AccountKind::guest);
  CHECK(s.attrs("cust2")["account_type"] == "customer");
  CHECK(s.sink.accounts.size() == 9);
  CHECK_THAT(s.fx.log.joined(), Catch::Contains("jira: 1 customer accounts (Jira Service Management portal customers) "
                                                "hold no group or project role; not read"));

  SECTION("builtin_apps replaces the default list") {
    Site t;
    REQUIRE(t.fetch(jira_system(t.jira, {{"builtin_apps", std::vector<std::string>{"Tempo *"}}})).ok());
    CHECK(t.sink.find_account("app-tempo")->kind == AccountKind::builtin);
    CHECK(t.sink.find_account("app-auto")->kind == AccountKind::service);
  }
}

TEST_CASE("jira: an OAuth bearer token authenticates instead of email and API token", "[connector][jira][integration]") {
  Site s;
  REQUIRE(s.fetch(jira_system(s.jira, {{"token_env", std::string("JIRA_OAUTH_TOKEN")}}, {"email", "api_token_env"})).ok());
  for (const auto& r : s.server.requests()) {
    if (r.path.rfind("/rest/", 0) == 0) CHECK(r.authorization == std::string("Bearer ") + kOauthToken);
  }
  CHECK(s.sink.accounts.size() == 9);
}

TEST_CASE("jira: a 429 with Retry-After is waited out and the page read again", "[connector][jira][integration]") {
  Site s;
  s.server.inject(Fault{FaultKind::status, "/rest/api/3/users/search", "startAt=2&maxResults=100", 429,
                        {{"Retry-After", "7"}, {"X-RateLimit-Limit", "100"}, {"X-RateLimit-Remaining", "0"},
                         {"X-RateLimit-Reset", "2027-01-15T10:00Z"}, {"RateLimit-Reason", "jira-quota-global-based"}},
                        R"({"errorMessages":["Rate limit exceeded."]})", {}, 2});
  s.server.inject(Fault{FaultKind::status, "/rest/api/3/group/member", "groupId=g-sw&includeInactiveUsers=true&startAt=2&maxResults=100",
                        429, {{"Retry-After", "3"}}, R"({"errorMessages":["Rate limit exceeded."]})"});
  REQUIRE(s.fetch().ok());
  CHECK(s.sleeper.waits() == std::vector<milliseconds>{milliseconds(7000), milliseconds(7000), milliseconds(3000)});
  CHECK(s.sink.accounts.size() == 9);
  CHECK(s.sink.grants.size() == 23);
}

TEST_CASE("jira: a page that keeps failing makes the snapshot partial, naming the request",
          "[connector][jira][integration]") {
  Site s;
  s.server.inject(Fault{FaultKind::status, "/rest/api/3/group/member",
                        "groupId=g-sw&includeInactiveUsers=true&startAt=2&maxResults=100", 503, {},
                        R"({"errorMessages":["Service Unavailable"]})", {}, -1});
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  store::SnapshotStore snapshots(**db);
  connectors::Registry registry;
  registry.add(connectors::jira::connector_type());
  auto outcome = connectors::take_snapshot(jira_system(s.jira), registry, s.fx.env(), snapshots);
  REQUIRE(outcome.ok());
  CHECK(outcome->info.status == SnapshotStatus::partial);
  REQUIRE(outcome->error.has_value());
  CHECK(outcome->error->message() ==
        "system \"jira\": GET /rest/api/3/group/member?groupId=g-sw&includeInactiveUsers=true page 2: HTTP 503: "
        "Service Unavailable (gave up after 5 attempts)");
}

TEST_CASE("jira: malformed answers fail with the request named", "[connector][jira][integration]") {
  SECTION("a page that is not JSON") {
    Site s;
    s.server.inject(Fault{FaultKind::not_json, "/rest/api/3/applicationrole"});
    CHECK(error_of(s.fetch()) == "GET /rest/api/3/applicationrole: malformed JSON at byte 1: invalid literal");
  }
  SECTION("a managed account with an empty id") {
    Site s;
    s.jira.org_users.push_back({"", "x@acme.com", ""});
    CHECK(error_of(s.fetch()) == "GET /admin/v1/orgs/org-1/users page 2: item 2: \"account_id\" is empty");
  }
  SECTION("a truncated users page") {
    Site s;
    s.server.inject(Fault{FaultKind::truncated_json, "/rest/api/3/users/search", "startAt=4&maxResults=100"});
    CHECK_THAT(error_of(s.fetch()), Catch::StartsWith("GET /rest/api/3/users/search page 3: malformed JSON at byte "));
  }
}

TEST_CASE("jira: a rejected token fails at once, named by its source, never echoed", "[connector][jira][integration]") {
  Site s;
  s.fx.secrets = SecretSource::from_map({{"JIRA_API_TOKEN", "wrong-token-9911"}, {"ATLASSIAN_ORG_KEY", kOrgKey}});
  const std::string e = error_of(s.fetch());
  CHECK(e == "GET /rest/api/3/users/search page 1: HTTP 401: Client must be authenticated to access this resource: "
             "[REDACTED] (the credential from environment variable JIRA_API_TOKEN (user \"rollcall-bot@acme.com\") "
             "was rejected)");
  CHECK(s.requests("/rest/api/3/users/search") == 1);
}

TEST_CASE("jira: configuration mistakes are named by file:line and key", "[connector][jira]") {
  Site s;
  auto create = [&](const config::SystemConfig& sys) { return s.fx.create(connectors::jira::connector_type(), sys); };
  auto both = create(jira_system(s.jira, {{"token_env", std::string("JIRA_OAUTH_TOKEN")}}));
  REQUIRE_FALSE(both.ok());
  CHECK(both.error().message() == "rollcall.toml:5: use an OAuth bearer token (token_env/token_file) or email with an "
                                  "API token (api_token_env/api_token_file), not both");
  auto half = create(jira_system(s.jira, {}, {"api_token_env"}));
  REQUIRE_FALSE(half.ok());
  CHECK(half.error().message() == "rollcall.toml:5: an API token needs both email and api_token_env/api_token_file");
  auto no_key = create(jira_system(s.jira, {}, {"org_api_key_env"}));
  REQUIRE_FALSE(no_key.ok());
  CHECK(no_key.error().message() == "rollcall.toml:8: matching accounts through the organization needs both org_id "
                                    "and org_api_key_env/org_api_key_file");
  auto project = create(jira_system(s.jira, {{"projects", std::vector<std::string>{"ENG", "a/b"}}}));
  REQUIRE_FALSE(project.ok());
  CHECK(project.error().message() == "rollcall.toml:7: \"a/b\" is not a project key");
  auto none = create(jira_system(s.jira, {}, {"email", "api_token_env"}));
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message() == "rollcall.toml:1: system \"jira\" needs email with api_token_env/api_token_file, or "
                                  "token_env/token_file (OAuth bearer token)");
}

TEST_CASE("jira: a site of 1,000 accounts and 30 groups costs one request per page", "[connector][jira][integration]") {
  FakeServer server;
  FakeJira jira{server, kEmail, kApiToken, kOauthToken, "org-1", kOrgKey};
  for (int i = 0; i < 1000; ++i) {
    jira.users.push_back({"acc-" + std::to_string(i), "User " + std::to_string(i), "u" + std::to_string(i) + "@acme.com"});
  }
  for (int g = 0; g < 30; ++g) {
    FakeJira::Group group{"team-" + std::to_string(g), "g" + std::to_string(g), {}};
    for (int m = 0; m < 60; ++m) group.members.push_back("acc-" + std::to_string((g * 31 + m) % 1000));
    jira.groups.push_back(std::move(group));
  }
  jira.install();
  RecordingSleeper sleeper;
  http::CurlTransportFactory factory{sleeper, [] { return 0.5; }};
  ConnectorFixture fx{factory, jira_env()};
  Collector sink;
  auto r = fx.fetch(connectors::jira::connector_type(),
                    jira_system(jira, {}, {"org_id", "org_api_key_env", "admin_base_url", "projects"}), sink);
  INFO((r ? std::string() : r.error().message()));
  REQUIRE(r.ok());
  CHECK(sink.accounts.size() == 1000);
  CHECK(sink.grants.size() == 30 * 60);
  // 10 pages of 100 and the empty one; one page bean of groups; members capped at 50 a page by
  // Jira, so 2 pages a group.
  CHECK(server.count("/rest/api/3/users/search") == 11);
  CHECK(server.count("/rest/api/3/group/bulk") == 1);
  CHECK(server.count("/rest/api/3/group/member") == 60);
  CHECK(server.count("/rest/api/3/applicationrole") == 1);
  CHECK(server.requests().size() == 73);
  CHECK(server.connections() <= 4);  // kept-alive connections, at most `concurrency` of them
}
