#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "connectors/github/github_connector.hpp"
#include "tests/unit/http/support.hpp"

using namespace rollcall;
using namespace rollcall::testing;
using Reply = FakeTransport::Reply;
using Value = config::Value;

namespace {

const auto kType = connectors::github::connector_type();

config::SystemConfig github_system(std::vector<std::pair<std::string, Value>> extra = {}) {
  std::vector<std::pair<std::string, Value>> keys = {{"org", std::string("acme")},
                                                     {"token_env", std::string("GITHUB_TOKEN")},
                                                     {"base_url", std::string("https://gh.test/api/v3")}};
  for (auto& kv : extra) keys.push_back(std::move(kv));
  return system_config("github", "github", keys);
}

std::string user(const std::string& login, int id, const std::string& type = "User") {
  return R"({"login":")" + login + R"(","id":)" + std::to_string(id) + R"(,"type":")" + type + R"(","site_admin":false})";
}

std::string users(std::initializer_list<std::string> items) {
  std::string out = "[";
  for (const auto& i : items) out += (out.size() > 1 ? "," : "") + i;
  return out + "]";
}

const std::string kAlice = user("alice", 1), kBob = user("bob", 2), kCarol = user("carol", 3),
                  kBot = user("deploy-bot", 4, "Bot"), kXavier = user("xavier", 9);

// A small organization: alice owns it, carol is in backend (a child of eng), xavier is an
// outside collaborator with write on api, bob has no 2FA.
void script_org(FakeTransport& t, bool owner_token = true) {
  const std::string api = "GET /api/v3";
  t.on(api + "/orgs/acme/members?role=admin&per_page=100", Reply{200, users({kAlice})});
  if (owner_token) {
    t.on(api + "/orgs/acme/members?filter=2fa_disabled&per_page=1", Reply{200, users({kBob})});
    t.on(api + "/orgs/acme/members?filter=2fa_disabled&per_page=100", Reply{200, users({kBob})});
    t.on(api + "/orgs/acme/outside_collaborators?filter=2fa_disabled&per_page=1", Reply{200, "[]"});
    t.on(api + "/orgs/acme/outside_collaborators?filter=2fa_disabled&per_page=100", Reply{200, "[]"});
    t.on(api + "/orgs/acme/invitations?per_page=1", Reply{200, "[]"});
    t.on(api + "/orgs/acme/invitations?per_page=100", Reply{200, R"([
      {"id":5,"login":null,"email":"New.Hire@Example.com","role":"direct_member","created_at":"2026-11-01T00:00:00Z","inviter":{"login":"alice"}},
      {"id":6,"login":"bob","email":null,"role":"admin","created_at":"2026-11-02T00:00:00Z"}])"});
  } else {
    const std::string only_owners = R"({"message":"Only owners can use this filter."})";
    t.on(api + "/orgs/acme/members?filter=2fa_disabled&per_page=1", Reply{422, only_owners});
    t.on(api + "/orgs/acme/outside_collaborators?filter=2fa_disabled&per_page=1", Reply{422, only_owners});
    t.on(api + "/orgs/acme/invitations?per_page=1", Reply{403, R"({"message":"Must be an owner"})"});
  }
  t.on(api + "/orgs/acme/members?per_page=100", Reply{200, users({kAlice, kBob, kCarol, kBot})});
  t.on(api + "/orgs/acme/outside_collaborators?per_page=100", Reply{200, users({kXavier})});
  t.on(api + "/orgs/acme/teams?per_page=100", Reply{200, R"([
    {"id":10,"slug":"eng","name":"Engineering","privacy":"closed","parent":null},
    {"id":11,"slug":"backend","name":"Backend","privacy":"closed","parent":{"id":10,"slug":"eng"}}])"});
  t.on(api + "/orgs/acme/teams/eng/members?role=maintainer&per_page=100", Reply{200, users({kAlice})});
  t.on(api + "/orgs/acme/teams/eng/members?per_page=100", Reply{200, users({kAlice, kBob, kCarol})});
  t.on(api + "/orgs/acme/teams/backend/members?role=maintainer&per_page=100", Reply{200, "[]"});
  t.on(api + "/orgs/acme/teams/backend/members?per_page=100", Reply{200, users({kCarol})});
}

void script_repo(FakeTransport& t) {
  const std::string api = "GET /api/v3";
  t.on(api + "/repos/acme/api/collaborators?affiliation=direct&per_page=100",
       Reply{200, R"([{"login":"xavier","id":9,"type":"User","role_name":"write"}])"});
  t.on(api + "/repos/acme/api/collaborators?affiliation=all&per_page=100", Reply{200, R"([
    {"login":"xavier","id":9,"type":"User","role_name":"write"},
    {"login":"alice","id":1,"type":"User","role_name":"admin"},
    {"login":"carol","id":3,"type":"User","permissions":{"admin":false,"maintain":true,"push":true,"triage":true,"pull":true}},
    {"login":"bob","id":2,"type":"User","role_name":"read"}])"});
  t.on(api + "/repos/acme/api/teams?per_page=100", Reply{200, R"([{"slug":"backend","permission":"maintain"}])"});
}

std::string error_of(const Result<void>& r) {
  REQUIRE_FALSE(r.ok());
  return r.error().message();
}

}  // namespace

TEST_CASE("github: members, owners, teams with nesting, repositories and invitations", "[connector][github]") {
  FakeTransportFactory factory;
  ConnectorFixture fx(factory, {{"GITHUB_TOKEN", "ghp_secret"}});
  script_org(factory.transport);
  script_repo(factory.transport);
  Collector sink;
  REQUIRE(fx.fetch(kType, github_system({{"repos", std::vector<std::string>{"api"}}}), sink).ok());
  CHECK(factory.transport.unscripted().empty());

  CHECK(sink.entitlement_ids() == std::vector<std::string>{"org:acme", "repo:api", "team:backend", "team:eng"});
  CHECK(sink.grant_lines() == std::vector<std::string>{
                                  "alice org:acme admin direct",
                                  "alice repo:api admin org:acme",
                                  "alice team:eng maintainer direct",
                                  "bob org:acme member direct",
                                  "bob repo:api read org:acme",
                                  "bob team:eng member direct",
                                  "carol org:acme member direct",
                                  "carol repo:api maintain team:backend",
                                  "carol team:backend member direct",
                                  "carol team:eng member team:backend",
                                  "deploy-bot org:acme member direct",
                                  "xavier repo:api write direct",
                              });
  const Account* bob = sink.find_account("bob");
  REQUIRE(bob != nullptr);
  CHECK(bob->external_id == "2");
  CHECK(nlohmann::json::parse(bob->attrs_json)["two_factor_enabled"] == false);
  CHECK(nlohmann::json::parse(sink.find_account("alice")->attrs_json)["two_factor_enabled"] == true);
  CHECK(sink.find_account("deploy-bot")->kind == AccountKind::bot);
  auto xavier = nlohmann::json::parse(sink.find_account("xavier")->attrs_json);
  CHECK(xavier["outside_collaborator"] == true);

  const Account* invited = sink.find_account("new.hire@example.com");
  REQUIRE(invited != nullptr);
  CHECK(invited->status == AccountStatus::suspended);
  CHECK(invited->email == "New.Hire@Example.com");
  auto attrs = nlohmann::json::parse(invited->attrs_json);
  CHECK(attrs["pending_invitation"] == true);
  CHECK(attrs["invitation_role"] == "direct_member");
  CHECK(attrs["invited_by"] == "alice");
  CHECK(sink.accounts.size() == 6);  // bob's invitation is not a second bob

  auto team = nlohmann::json::parse(sink.entitlements[2].attrs_json);
  CHECK(sink.entitlements[2].id == "team:backend");
  CHECK(team["parent"] == "eng");
  CHECK(team["name"] == "Backend");
}

TEST_CASE("github: without owner rights, 2FA status and invitations are left out, with a note",
          "[connector][github]") {
  FakeTransportFactory factory;
  ConnectorFixture fx(factory, {{"GITHUB_TOKEN", "ghp_secret"}});
  script_org(factory.transport, false);
  Collector sink;
  REQUIRE(fx.fetch(kType, github_system(), sink).ok());
  CHECK(nlohmann::json::parse(sink.find_account("bob")->attrs_json).count("two_factor_enabled") == 0);
  CHECK(sink.accounts.size() == 5);
  CHECK_THAT(fx.log.joined(), Catch::Contains("acme: two-factor status is not visible to this token"));
  CHECK_THAT(fx.log.joined(), Catch::Contains("acme: pending invitations are not visible to this token"));
}

TEST_CASE("github: resolve_emails reads each account's public name and email", "[connector][github]") {
  FakeTransportFactory factory;
  ConnectorFixture fx(factory, {{"GITHUB_TOKEN", "ghp_secret"}});
  script_org(factory.transport);
  for (const char* login : {"alice", "bob", "carol", "deploy-bot", "xavier"}) {
    std::string l = login;
    factory.transport.on("GET /api/v3/users/" + l,
                         Reply{200, R"({"login":")" + l + R"(","name":"Name of )" + l + R"(","email":")" +
                                        (l == "bob" ? std::string("") : l + "@example.com") + "\"}"});
  }
  factory.transport.on("GET /api/v3/users/bob", Reply{200, R"({"login":"bob","name":null,"email":null})"});
  Collector sink;
  REQUIRE(fx.fetch(kType, github_system({{"resolve_emails", true}}), sink).ok());
  CHECK(sink.find_account("alice")->email == "alice@example.com");
  CHECK(sink.find_account("alice")->display_name == "Name of alice");
  CHECK(sink.find_account("bob")->email.empty());
  CHECK(sink.find_account("xavier")->email == "xavier@example.com");
}

TEST_CASE("github: a 403 names the scopes the token lacks", "[connector][github]") {
  FakeTransportFactory factory;
  ConnectorFixture fx(factory, {{"GITHUB_TOKEN", "ghp_secret"}});
  auto& t = factory.transport;
  t.on("GET /api/v3/orgs/acme/members?role=admin&per_page=100",
       Reply{403, R"({"message":"Resource not accessible by personal access token"})",
             {{"X-Accepted-OAuth-Scopes", "admin:org, read:org"}, {"X-OAuth-Scopes", "repo"},
              {"X-Accepted-GitHub-Permissions", "members=read"}}});
  Collector sink;
  CHECK(error_of(fx.fetch(kType, github_system(), sink)) ==
        "GET /api/v3/orgs/acme/members?role=admin page 1: HTTP 403: Resource not accessible by personal access "
        "token (a fine-grained token needs the permission members=read; a classic token needs one of the scopes "
        "admin:org, read:org and has repo)");
  CHECK(t.sent().size() == 1);
}

TEST_CASE("github: an unknown organization says so", "[connector][github]") {
  FakeTransportFactory factory;
  ConnectorFixture fx(factory, {{"GITHUB_TOKEN", "ghp_secret"}});
  factory.transport.on("GET /api/v3/orgs/acme/members?role=admin&per_page=100", Reply{404, R"({"message":"Not Found"})"});
  Collector sink;
  CHECK(error_of(fx.fetch(kType, github_system(), sink)) ==
        "GET /api/v3/orgs/acme/members?role=admin page 1: HTTP 404: Not Found (it does not exist, or the token "
        "cannot see it)");
}

TEST_CASE("github: configuration mistakes are reported with file:line", "[connector][github]") {
  FakeTransportFactory factory;
  ConnectorFixture fx(factory, {{"GITHUB_TOKEN", "t"}});
  auto error = [&](const config::SystemConfig& sys) {
    auto r = fx.create(kType, sys);
    REQUIRE_FALSE(r.ok());
    return r.error().message();
  };
  CHECK(error(system_config("gh", "github", {{"org", std::string("acme")}})) ==
        "rollcall.toml:1: system \"gh\" needs token_env or token_file");
  CHECK(error(github_system({{"repos", std::vector<std::string>{"acme/api"}}})) ==
        "rollcall.toml:7: \"acme/api\" is not a repository name (write \"api\", not \"acme/api\"), or use \"all\"");
  CHECK(error(github_system({{"repos", std::vector<std::string>{"api", "all"}}})) ==
        "rollcall.toml:7: \"all\" must stand alone");
}
