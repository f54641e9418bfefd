// The scim, github and slack connectors end to end: real CurlTransport and retries against
// fake API servers on 127.0.0.1, through take_snapshot into an in-memory store. Every
// scenario runs for each connector.
#include <catch2/catch.hpp>

#include <functional>
#include <memory>

#include "connectors/api/snapshot_runner.hpp"
#include "connectors/github/github_connector.hpp"
#include "connectors/scim/scim_connector.hpp"
#include "connectors/slack/slack_connector.hpp"
#include "scanner/store/snapshot_store.hpp"
#include "tests/integration/http/fake_apis.hpp"
#include "tests/unit/http/support.hpp"

using namespace rollcall;
using namespace rollcall::testing;
using Fault = FakeServer::Fault;
using FaultKind = FakeServer::FaultKind;
using Value = config::Value;
using std::chrono::milliseconds;

namespace {

// What the scenarios need to know about one connector and its fake API.
struct Subject {
  std::string name;  // also the [[system]] name
  connectors::ConnectorType type;
  std::string env_var;
  std::string token;
  int concurrency;  // the connector's default
  // Fills the fake API with n users, pages capped at `page_cap` items; keeps it alive.
  std::function<std::shared_ptr<void>(FakeServer&, std::size_t n, std::size_t page_cap)> populate;
  std::function<config::SystemConfig(const FakeServer&, std::int64_t timeout_s)> system;
  std::string users_path;  // the paged user list faults hit
  // The raw query of page `n` of the user list when pages hold `page_cap` users.
  std::function<std::string(int n, std::size_t page_cap)> page_query;
  std::size_t extra_accounts;  // accounts besides the n users (GitHub's outside collaborator)
  std::string unauthorized_error;  // the whole error when the token is rejected
};

std::vector<Subject> subjects() {
  std::vector<Subject> out;
  out.push_back(Subject{
      "okta", connectors::scim::connector_type(), "SCIM_TOKEN", "scim-secret-7f3a9c", 4,
      [](FakeServer& s, std::size_t n, std::size_t cap) {
        auto api = std::make_shared<FakeScimApi>(s, "scim-secret-7f3a9c");
        api->generate(n, n * 2, 10);
        api->max_count = cap;
        api->install();
        return std::shared_ptr<void>(api);
      },
      [](const FakeServer& s, std::int64_t timeout) {
        return system_config("okta", "scim", {{"base_url", s.url() + "/scim/v2"}, {"token_env", std::string("SCIM_TOKEN")}},
                             timeout);
      },
      "/scim/v2/Users",
      [](int n, std::size_t cap) { return "startIndex=" + std::to_string(1 + (n - 1) * cap) + "&count=100"; },
      0,
      "system \"okta\": GET /scim/v2/Users page 1: HTTP 401: invalid credentials [REDACTED] (the credential "
      "from environment variable SCIM_TOKEN was rejected)"});
  out.push_back(Subject{
      "github", connectors::github::connector_type(), "GITHUB_TOKEN", "ghp_secret5b2e9", 4,
      [](FakeServer& s, std::size_t n, std::size_t cap) {
        auto api = std::make_shared<FakeGithubApi>(s, "acme", "ghp_secret5b2e9");
        api->generate(n);
        api->max_per_page = cap;
        api->invited_emails = {"new@example.com"};
        api->install();
        return std::shared_ptr<void>(api);
      },
      [](const FakeServer& s, std::int64_t timeout) {
        return system_config("github", "github",
                             {{"org", std::string("acme")}, {"base_url", s.url()}, {"token_env", std::string("GITHUB_TOKEN")},
                              {"repos", std::vector<std::string>{"all"}}},
                             timeout);
      },
      "/orgs/acme/members",
      [](int n, std::size_t) { return n == 1 ? std::string("per_page=100") : "per_page=100&page=" + std::to_string(n); },
      2,  // the outside collaborator and the invitation
      "system \"github\": GET /orgs/acme/members?role=admin page 1: HTTP 401: Bad credentials (the credential from "
      "environment variable GITHUB_TOKEN was rejected)"});
  out.push_back(Subject{
      "slack", connectors::slack::connector_type(), "SLACK_TOKEN", "xoxb-secret-9d1f", 2,
      [](FakeServer& s, std::size_t n, std::size_t cap) {
        auto api = std::make_shared<FakeSlackApi>(s, "xoxb-secret-9d1f");
        api->generate(n);
        api->max_limit = cap;
        api->install();
        return std::shared_ptr<void>(api);
      },
      [](const FakeServer& s, std::int64_t timeout) {
        return system_config("slack", "slack", {{"base_url", s.url() + "/api"}, {"token_env", std::string("SLACK_TOKEN")}},
                             timeout);
      },
      "/api/users.list",
      [](int n, std::size_t cap) {
        return n == 1 ? std::string("limit=200") : "limit=200&cursor=next%3A" + std::to_string((n - 1) * cap);
      },
      0,
      "system \"slack\": GET /api/auth.test: Slack error invalid_auth: the token from environment variable "
      "SLACK_TOKEN was rejected"});
  return out;
}

// One run: a fake server, a CurlTransportFactory whose retries only record their waits, and a
// snapshot into an in-memory store.
struct Run {
  explicit Run(const Subject& s, FakeServer::Options options = {}, std::string token = "")
      : subject(s),
        server(options),
        factory(sleeper, [] { return 0.5; }),
        fx(factory, {{s.env_var, token.empty() ? s.token : token}}) {
    registry.add(s.type);
  }

  connectors::SnapshotOutcome snapshot(std::int64_t timeout_s = 10) {
    auto db = store::Database::open_memory();
    REQUIRE(db.ok());
    database = std::move(db).value();
    store = std::make_unique<store::SnapshotStore>(*database);
    auto outcome = connectors::take_snapshot(subject.system(server, timeout_s), registry, fx.env(), *store);
    if (!outcome.ok()) FAIL(outcome.error().message());
    return std::move(outcome).value();
  }
  std::size_t requests_for(const std::string& query) const {
    std::size_t n = 0;
    for (const auto& r : server.requests()) n += r.path == subject.users_path && r.query == query ? 1 : 0;
    return n;
  }
  void fault(Fault f, int page, std::size_t cap) {
    f.path = subject.users_path;
    f.query = subject.page_query(page, cap);
    server.inject(std::move(f));
  }

  const Subject& subject;
  std::shared_ptr<void> api;  // outlives the server, whose handlers use it
  FakeServer server;
  RecordingSleeper sleeper;
  http::CurlTransportFactory factory;
  ConnectorFixture fx;
  connectors::Registry registry;
  std::unique_ptr<store::Database> database;
  std::unique_ptr<store::SnapshotStore> store;
};

bool waited(const RecordingSleeper& s, milliseconds d) {
  for (auto w : s.waits()) {
    if (w == d) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("http connectors: the happy path stores a complete snapshot", "[connector][integration]") {
  for (const Subject& s : subjects()) {
    DYNAMIC_SECTION(s.name) {
      Run run(s);
      run.api = s.populate(run.server, 12, 100);
      auto outcome = run.snapshot();
      INFO(run.fx.log.joined());
      REQUIRE_FALSE(outcome.error.has_value());
      CHECK(outcome.info.status == SnapshotStatus::complete);
      CHECK(outcome.info.accounts == static_cast<std::int64_t>(12 + s.extra_accounts));
      CHECK(outcome.info.grants > 0);
      for (const auto& r : run.server.requests()) CHECK(r.authorization == "Bearer " + s.token);
      CHECK(run.sleeper.waits().empty());
    }
  }
}

TEST_CASE("http connectors: hundreds of pages over reused connections", "[connector][integration]") {
  for (const Subject& s : subjects()) {
    DYNAMIC_SECTION(s.name) {
      Run run(s);
      run.api = s.populate(run.server, 500, 2);
      auto outcome = run.snapshot();
      REQUIRE_FALSE(outcome.error.has_value());
      CHECK(outcome.info.accounts == static_cast<std::int64_t>(500 + s.extra_accounts));
      CHECK(run.server.count(s.users_path) >= 250);
      // Pages are read one after another over one kept-alive connection; only the parallel
      // parts (team members, repositories, user groups) open up to `concurrency` more.
      CHECK(run.server.connections() <= s.concurrency);
      if (s.name == "okta") CHECK(run.server.connections() == 1);
    }
  }
}

TEST_CASE("http connectors: an empty system is a complete, empty snapshot", "[connector][integration]") {
  for (const Subject& s : subjects()) {
    DYNAMIC_SECTION(s.name) {
      Run run(s);
      run.api = s.populate(run.server, 0, 100);
      auto outcome = run.snapshot();
      REQUIRE_FALSE(outcome.error.has_value());
      CHECK(outcome.info.status == SnapshotStatus::complete);
      CHECK(outcome.info.accounts == static_cast<std::int64_t>(s.extra_accounts));
    }
  }
}

TEST_CASE("http connectors: a 429 with Retry-After is retried after the delay", "[connector][integration]") {
  for (const Subject& s : subjects()) {
    DYNAMIC_SECTION(s.name) {
      Run run(s);
      run.api = s.populate(run.server, 10, 2);
      run.fault(Fault{FaultKind::status, "", "", 429, {{"Retry-After", "2"}}, R"({"ok":false,"error":"ratelimited"})"}, 3, 2);
      auto outcome = run.snapshot();
      REQUIRE_FALSE(outcome.error.has_value());
      CHECK(outcome.info.accounts == static_cast<std::int64_t>(10 + s.extra_accounts));
      CHECK(run.requests_for(s.page_query(3, 2)) == 2);
      CHECK(waited(run.sleeper, milliseconds(2000)));
    }
  }
}

TEST_CASE("http connectors: 500 then 502 are retried, then the page is read", "[connector][integration]") {
  for (const Subject& s : subjects()) {
    DYNAMIC_SECTION(s.name) {
      Run run(s);
      run.api = s.populate(run.server, 10, 2);
      run.fault(Fault{FaultKind::status, "", "", 500, {}, "oops"}, 2, 2);
      run.fault(Fault{FaultKind::status, "", "", 502, {}, "<html>bad gateway</html>"}, 2, 2);
      auto outcome = run.snapshot();
      REQUIRE_FALSE(outcome.error.has_value());
      CHECK(outcome.info.accounts == static_cast<std::int64_t>(10 + s.extra_accounts));
      CHECK(run.requests_for(s.page_query(2, 2)) == 3);
      CHECK(run.sleeper.waits() == std::vector<milliseconds>{milliseconds(500), milliseconds(1000)});
    }
  }
}

TEST_CASE("http connectors: a connection dropped mid-body is retried", "[connector][integration]") {
  for (const Subject& s : subjects()) {
    DYNAMIC_SECTION(s.name) {
      Run run(s);
      run.api = s.populate(run.server, 10, 2);
      run.fault(Fault{FaultKind::drop_mid_body}, 2, 2);
      auto outcome = run.snapshot();
      REQUIRE_FALSE(outcome.error.has_value());
      CHECK(outcome.info.accounts == static_cast<std::int64_t>(10 + s.extra_accounts));
      CHECK(run.requests_for(s.page_query(2, 2)) == 2);
      CHECK_THAT(run.fx.log.joined(),
                 Catch::Contains("-> failed: the connection closed before the whole response body arrived"));
    }
  }
}

TEST_CASE("http connectors: a truncated page leaves the snapshot partial, with the page named",
          "[connector][integration]") {
  // The page body is cut in half, wherever that falls.
  const std::map<std::string, std::string> expected = {
      {"okta", "system \"okta\": GET /scim/v2/Users page 3: malformed JSON at byte 541: unexpected end of input; "
               "expected ':'"},
      {"github", "system \"github\": GET /orgs/acme/members page 3: malformed JSON at byte 63: unexpected end of "
                 "input; expected ']'"},
      {"slack", "system \"slack\": GET /api/users.list page 3: malformed JSON at byte 290: invalid string: missing "
                "closing quote"},
  };
  for (const Subject& s : subjects()) {
    DYNAMIC_SECTION(s.name) {
      Run run(s);
      run.api = s.populate(run.server, 10, 2);
      run.fault(Fault{FaultKind::truncated_json}, 3, 2);
      auto outcome = run.snapshot();
      REQUIRE(outcome.error.has_value());
      CHECK(outcome.error->message() == expected.at(s.name));
      CHECK(outcome.info.status == SnapshotStatus::partial);
      CHECK(run.requests_for(s.page_query(3, 2)) == 1);  // bad data is not retried
      auto latest = run.store->latest(s.name);
      REQUIRE(latest.ok());
      REQUIRE(latest->has_value());
      CHECK((*latest)->status == SnapshotStatus::partial);
      auto complete = run.store->latest_complete(s.name);
      REQUIRE(complete.ok());
      CHECK_FALSE(complete->has_value());
    }
  }
}

TEST_CASE("http connectors: a page that is not JSON at all leaves the snapshot partial", "[connector][integration]") {
  for (const Subject& s : subjects()) {
    DYNAMIC_SECTION(s.name) {
      Run run(s);
      run.api = s.populate(run.server, 10, 2);
      run.fault(Fault{FaultKind::not_json}, 2, 2);
      auto outcome = run.snapshot();
      REQUIRE(outcome.error.has_value());
      std::string label = s.name == "okta" ? "GET /scim/v2/Users" : s.name == "github" ? "GET /orgs/acme/members" : "GET /api/users.list";
      CHECK(outcome.error->message() == "system \"" + s.name + "\": " + label +
                                            " page 2: malformed JSON at byte 1: invalid literal");
      CHECK(outcome.info.status == SnapshotStatus::partial);
    }
  }
}

TEST_CASE("http connectors: a rejected token is one request and a clear error", "[connector][integration]") {
  for (const Subject& s : subjects()) {
    DYNAMIC_SECTION(s.name) {
      Run run(s, {}, "wrong-token-123");
      run.api = s.populate(run.server, 10, 2);
      auto outcome = run.snapshot();
      REQUIRE(outcome.error.has_value());
      CHECK(outcome.error->message() == s.unauthorized_error);
      CHECK(outcome.info.status == SnapshotStatus::failed);
      CHECK(run.server.requests().size() == 1);
      CHECK(run.sleeper.waits().empty());
      CHECK_THAT(run.fx.log.joined(), !Catch::Contains("wrong-token-123"));
    }
  }
}

TEST_CASE("http connectors: a page slower than the timeout is retried", "[connector][integration]") {
  for (const Subject& s : subjects()) {
    DYNAMIC_SECTION(s.name) {
      Run run(s);
      run.api = s.populate(run.server, 6, 2);
      run.fault(Fault{FaultKind::delay, "", "", 200, {}, "", milliseconds(2500)}, 2, 2);
      auto outcome = run.snapshot(1);
      REQUIRE_FALSE(outcome.error.has_value());
      CHECK(run.requests_for(s.page_query(2, 2)) == 2);
      CHECK_THAT(run.fx.log.joined(), Catch::Contains("no complete response within 1s (the timeout); retrying"));
    }
  }
}

TEST_CASE("scim: a server that never answers in time fails the snapshot after the attempts",
          "[connector][scim][integration]") {
  const Subject s = subjects()[0];
  Run run(s);
  run.api = s.populate(run.server, 6, 2);
  Fault slow{FaultKind::delay, "", "", 200, {}, "", milliseconds(1500)};
  slow.times = -1;
  run.fault(slow, 2, 2);
  auto outcome = run.snapshot(1);
  REQUIRE(outcome.error.has_value());
  CHECK(outcome.error->message() ==
        "system \"okta\": GET /scim/v2/Users page 2: no complete response within 1s (the timeout) (gave up after 5 "
        "attempts)");
  CHECK(outcome.info.status == SnapshotStatus::partial);
  CHECK(run.requests_for(s.page_query(2, 2)) == 5);
}

TEST_CASE("http connectors: the token never appears in logs or errors", "[connector][integration]") {
  for (const Subject& s : subjects()) {
    DYNAMIC_SECTION(s.name) {
      {
        Run run(s);
        run.api = s.populate(run.server, 10, 2);
        run.fault(Fault{FaultKind::status, "", "", 503, {}, "echo: Bearer " + s.token}, 2, 2);
        auto outcome = run.snapshot();
        REQUIRE_FALSE(outcome.error.has_value());
        CHECK_THAT(run.fx.log.joined(), Catch::Contains("-> 200"));  // the request log was on
        CHECK_THAT(run.fx.log.joined(), !Catch::Contains(s.token));
      }
      {
        Run run(s);
        run.api = s.populate(run.server, 10, 2);
        Fault echo{FaultKind::status, "", "", 400, {}, R"({"message":"bad request from Bearer )" + s.token + R"("})"};
        run.fault(echo, 1, 2);
        run.fault(echo, 1, 2);
        auto outcome = run.snapshot();
        if (outcome.error) CHECK_THAT(outcome.error->message(), !Catch::Contains(s.token));
        CHECK_THAT(run.fx.log.joined(), !Catch::Contains(s.token));
        CHECK(outcome.info.error.find(s.token) == std::string::npos);
      }
    }
  }
}
