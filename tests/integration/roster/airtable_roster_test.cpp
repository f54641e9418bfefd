// The Airtable roster source end to end: rollcall.toml's [roster], the real curl transport with
// its retries and pacing, against FakeAirtable on 127.0.0.1.
#include <catch2/catch.hpp>

#include <algorithm>

#include "connectors/http/transport_factory.hpp"
#include "scanner/roster_sources/roster_sources.hpp"
#include "tests/integration/roster/fake_airtable.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/http/support.hpp"

using namespace rollcall;
using namespace rollcall::testing;
using Json = nlohmann::json;
using std::chrono::milliseconds;

namespace {

constexpr const char* kToken = "patAcme.secret-8c1d";

// A workspace whose [roster] reads the fake's table, and what loading it needs.
struct Harness {
  FakeServer server;
  FakeAirtable airtable{server, "appAcme", "People", kToken};
  RecordingSleeper sleeper;
  http::CurlTransportFactory recording{sleeper, [] { return 0.5; }};
  http::CurlTransportFactory real;  // sleeps for real: for the pacing test
  CapturingLogger log{LogLevel::debug};
  FixedClock clock{1'800'000'000};
  SecretSource secrets = SecretSource::from_map({{"AIRTABLE_TOKEN", kToken}});
  TempDir dir;

  // People p1..pn: every third one on leave, p2 a manager with two roles.
  void populate(int n) {
    for (int i = 1; i <= n; ++i) {
      Json fields = {{"Work Email", "p" + std::to_string(i) + "@acme.com"},
                     {"Name", "Person " + std::to_string(i)},
                     {"Status", i % 3 == 0 ? "On leave" : "Active"},
                     {"Roles", i == 2 ? Json{"engineer", "manager"} : Json{"engineer"}}};
      airtable.records.push_back(FakeAirtable::record("rec" + std::to_string(i), fields));
    }
    airtable.views["Active"] = [](const Json& r) { return r["fields"].value("Status", "") == "Active"; };
  }

  Result<roster::Roster> load(const std::string& extra = "", bool real_sleeps = false) {
    dir.write("rollcall.toml", "[roster]\ntype = \"airtable\"\nbase = \"appAcme\"\ntable = \"People\"\n"
                               "token_env = \"AIRTABLE_TOKEN\"\nbase_url = \"" + server.url() + "\"\n" + extra +
                               "\n[roster.columns]\nemail = \"Work Email\"\nname = \"Name\"\nstatus = \"Status\"\n"
                               "role = \"Roles\"\n");
    auto cfg = config::load_workspace(
        dir.path(), [](const std::string&) -> const std::vector<config::KeySpec>* { return nullptr; }, {});
    if (!cfg) return fail(cfg.error().message());
    connectors::ConnectorEnv env{secrets, log, clock, dir.path()};
    env.http = real_sleeps ? &real : &recording;
    return roster_sources::load_roster(cfg->roster, env);
  }

  std::vector<std::string> queries() const {
    std::vector<std::string> out;
    for (const auto& r : server.requests()) out.push_back(r.query);
    return out;
  }
};

std::string error_of(const Result<roster::Roster>& r) {
  REQUIRE_FALSE(r.ok());
  return r.error().message();
}

}  // namespace

TEST_CASE("airtable roster: every page of the table is read, 100 records a page, by offset", "[integration][roster]") {
  Harness h;
  h.populate(250);
  h.airtable.rate_limit = false;  // the recording sleeper does not really pace
  h.airtable.install();
  auto r = h.load();
  REQUIRE(r.ok());
  REQUIRE(r->people.size() == 250);
  CHECK(h.queries() == std::vector<std::string>{"pageSize=100", "pageSize=100&offset=itr100%2Frec101",
                                                "pageSize=100&offset=itr200%2Frec201"});
  for (const auto& seen : h.server.requests()) CHECK(seen.authorization == std::string("Bearer ") + kToken);
  const roster::Person& p2 = r->people[1];
  CHECK(p2.email == "p2@acme.com");
  CHECK(p2.roles == std::vector<std::string>{"engineer", "manager"});
  CHECK(r->people[2].status == roster::PersonStatus::leave);
  CHECK(r->where(p2) == "airtable appAcme/People record rec2");
  CHECK(r->source == "airtable appAcme/People");
  CHECK(r->digest.size() == 64);
}

TEST_CASE("airtable roster: a view shows only its records; fields limits what is read", "[integration][roster]") {
  Harness h;
  h.populate(9);
  h.airtable.records[0]["fields"]["Photo"] = Json::array({{{"id", "att1"}, {"url", "https://x"}}});
  h.airtable.install();
  auto r = h.load("view = \"Active\"\nfields = [\"Work Email\", \"Name\", \"Status\", \"Roles\"]\n");
  REQUIRE(r.ok());
  std::vector<std::string> emails;
  for (const auto& p : r->people) emails.push_back(p.email);
  // p3, p6 and p9 are on leave: outside the view.
  CHECK(emails == std::vector<std::string>{"p1@acme.com", "p2@acme.com", "p4@acme.com", "p5@acme.com",
                                           "p7@acme.com", "p8@acme.com"});
  CHECK(h.queries() == std::vector<std::string>{"view=Active&fields%5B%5D=Work%20Email&fields%5B%5D=Name&"
                                                "fields%5B%5D=Status&fields%5B%5D=Roles&pageSize=100"});
  // Without fields, the attachment is read and refused (control for the fields key).
  CHECK(error_of(h.load("view = \"Active\"\n")) ==
        "airtable appAcme/People record rec1: field \"Photo\": a list holding an object (an attachment, a button or "
        "another structured value), which a roster field cannot hold");
}

TEST_CASE("airtable roster: multi-select and linked-record fields are lists; a collaborator is its email",
          "[integration][roster]") {
  Harness h;
  h.airtable.records = {
      FakeAirtable::record("recJane", {{"Work Email", "jane.doe@acme.com"},
                                       {"Roles", Json{"sre"}},
                                       {"Entitlements", Json{"Slack", "GitHub", "AWS"}},
                                       {"Projects", Json{"recP1", "recP2"}},
                                       {"Manager", {{"id", "usrM"}, {"email", "maria@acme.com"}, {"name", "Maria"}}},
                                       {"Level", 3},
                                       {"Contractor", false}}),
      FakeAirtable::record("recBob", {{"Work Email", "bob@acme.com"}}),
  };
  h.airtable.install();
  auto r = h.load();
  REQUIRE(r.ok());
  const roster::Person& jane = r->people[0];
  CHECK(jane.list_attrs.at("Entitlements") == std::vector<std::string>{"Slack", "GitHub", "AWS"});
  CHECK(jane.list_attrs.at("Projects") == std::vector<std::string>{"recP1", "recP2"});
  CHECK(jane.attrs.at("Manager") == "maria@acme.com");
  CHECK(jane.attrs.at("Level") == "3");
  CHECK(jane.attrs.at("Contractor") == "false");
  CHECK(jane.roles == std::vector<std::string>{"sre"});
  const roster::Person& bob = r->people[1];  // control: no list fields at all
  CHECK(bob.list_attrs.empty());
  CHECK(bob.roles.empty());
}

TEST_CASE("airtable roster: a malformed record fails the roster, naming the record and the field",
          "[integration][roster]") {
  Harness h;
  h.populate(150);
  h.airtable.rate_limit = false;
  h.airtable.records[120]["fields"]["Status"] = "Retired";  // on page 2
  h.airtable.install();
  CHECK(error_of(h.load()) ==
        "airtable appAcme/People record rec121: field \"Status\": status \"Retired\" is not active, leave or "
        "terminated");
  h.airtable.records[120]["fields"]["Status"] = "Active";
  h.airtable.records[130]["fields"]["Work Email"] = Json{"a@acme.com", "b@acme.com"};
  CHECK(error_of(h.load()) ==
        "airtable appAcme/People record rec131: field \"Work Email\": a list of 2 values, where the roster field "
        "\"email\" takes one");
  h.airtable.records[130]["fields"]["Work Email"] = "p1@ACME.com";
  CHECK(error_of(h.load()) ==
        "airtable appAcme/People record rec131: duplicate email \"p1@ACME.com\" (also record rec1)");
  h.airtable.records[130]["fields"]["Work Email"] = "p131@acme.com";
  h.airtable.records[140].erase("id");
  CHECK(error_of(h.load()) == "airtable appAcme/People record #141: the record has no \"id\"");
  h.airtable.records[140]["id"] = "rec141";
  REQUIRE(h.load().ok());  // the control: repaired, the same table loads
}

TEST_CASE("airtable roster: a 429 waits 30 s and retries through the transport", "[integration][roster]") {
  Harness h;
  h.populate(120);
  h.airtable.rate_limit = false;
  h.airtable.install();
  h.server.inject({FakeServer::FaultKind::status, h.airtable.path(), "pageSize=100&offset=itr100%2Frec101", 429, {},
                   R"({"errors":[{"error":"RATE_LIMIT_REACHED","message":"Rate limit exceeded. Please try again later"}]})",
                   milliseconds(0), 2});
  auto r = h.load();
  REQUIRE(r.ok());
  CHECK(r->people.size() == 120);
  CHECK(h.server.count(h.airtable.path()) == 4);
  std::vector<milliseconds> long_waits;
  for (auto w : h.sleeper.waits()) {
    if (w >= milliseconds(30'000)) long_waits.push_back(w);
  }
  CHECK(long_waits.size() == 2);
  CHECK(std::count_if(h.log.lines.begin(), h.log.lines.end(), [](const std::string& line) {
          return line.find("HTTP 429 (rate limited); retrying after 30") != std::string::npos;
        }) == 2);
}

TEST_CASE("airtable roster: requests are paced to 5 a second, so the base never answers 429",
          "[integration][roster]") {
  Harness h;
  h.populate(12);
  h.airtable.page_cap = 1;  // 12 pages: 12 requests
  h.airtable.install();
  auto t0 = std::chrono::steady_clock::now();
  auto r = h.load("", true);
  auto took = std::chrono::steady_clock::now() - t0;
  REQUIRE(r.ok());
  CHECK(r->people.size() == 12);
  CHECK(h.airtable.rate_limited() == 0);
  CHECK(took >= milliseconds(2'420));  // 11 gaps of 220 ms
}

TEST_CASE("airtable roster: the control for pacing: unpaced, the fake's rate limit does answer 429",
          "[integration][roster]") {
  Harness h;
  h.populate(12);
  h.airtable.page_cap = 1;
  h.airtable.install();
  auto r = h.load();  // the recording sleeper makes pacing and retry waits instant
  CHECK(h.airtable.rate_limited() > 0);
}

TEST_CASE("airtable roster: a rejected token, a missing one and a failing page are errors, never a roster",
          "[integration][roster]") {
  Harness h;
  h.populate(150);
  h.airtable.rate_limit = false;
  h.airtable.install();
  h.secrets = SecretSource::from_map({{"AIRTABLE_TOKEN", "patWrong.token-0000"}});
  CHECK(error_of(h.load()) ==
        "roster: GET /v0/appAcme/People page 1: HTTP 401: AUTHENTICATION_REQUIRED: Authentication required (the "
        "credential from environment variable AIRTABLE_TOKEN was rejected)");
  h.secrets = SecretSource::from_map({});
  CHECK(error_of(h.load()) == (h.dir / "rollcall.toml").string() +
                                  ":5: environment variable AIRTABLE_TOKEN is not set");
  h.secrets = SecretSource::from_map({{"AIRTABLE_TOKEN", kToken}});
  h.server.inject({FakeServer::FaultKind::status, h.airtable.path(), "pageSize=100&offset=itr100%2Frec101", 503, {},
                   R"({"error":{"type":"SERVICE_UNAVAILABLE","message":"Service temporarily unavailable"}})",
                   milliseconds(0), -1});
  CHECK(error_of(h.load()) == "roster: GET /v0/appAcme/People page 2: HTTP 503: SERVICE_UNAVAILABLE: Service "
                              "temporarily unavailable (gave up after 5 attempts)");
  CHECK(error_of(h.load("view = \"Nope\"\n")) ==
        "roster: GET /v0/appAcme/People?view=Nope page 1: HTTP 422: VIEW_NAME_NOT_FOUND: Could not find view Nope in "
        "table");
}
