// The incident: a SCIM server applies a write and answers only after the client gave up
// waiting. Apply, through the real SCIM writer and the real curl transport, must read the
// target again, see that the write took effect, and never send it a second time. Then: the
// same plan again changes nothing, and a target that moved since the plan is left alone.
#include <catch2/catch.hpp>

#include <algorithm>

#include "connectors/http/transport_factory.hpp"
#include "connectors/scim/scim_connector.hpp"
#include "scanner/plan/apply.hpp"
#include "tests/integration/apply_http/scim_state_api.hpp"
#include "tests/unit/http/support.hpp"

using namespace rollcall;
using namespace rollcall::testing;
using plan::Action;
using plan::ActionType;
using plan::Outcome;

namespace {

constexpr const char* kToken = "scim-secret-51d0";

Action action(ActionType type, std::string account, std::string entitlement, std::string before, std::string after) {
  Action a;
  a.type = type;
  a.system = "okta";
  a.account_id = std::move(account);
  a.entitlement_id = std::move(entitlement);
  a.before = std::move(before);
  a.after = std::move(after);
  a.id = std::string(plan::to_string(type)) + ":" + a.account_id + ":" + a.entitlement_id;
  a.destructive = type == ActionType::revoke || type == ActionType::disable_account;
  return a;
}

// One of each action the SCIM writer carries out.
plan::Plan four_actions() {
  plan::Plan p;
  p.id = "incident";
  p.actions = {action(ActionType::grant, "u1", "group:Engineering", "absent", "member"),
               action(ActionType::revoke, "u2", "group:Engineering", "member", "absent"),
               action(ActionType::create_account, "new.hire@acme.com", "", "absent", "active"),
               action(ActionType::disable_account, "u3", "", "active", "disabled")};
  return p;
}

// A SCIM server with jane (u1), bob (u2, in Engineering) and carl (u3), and an apply set up as
// `rollcall apply` sets it up: the scim type's writer over CurlTransportFactory, with
// timeout = "1s" on the system; retry waits are recorded, not slept.
struct Incident {
  FakeServer server;
  ScimStateApi scim{server, kToken};
  RecordingSleeper sleeper;
  http::CurlTransportFactory factory{sleeper, [] { return 0.5; }};
  CapturingLogger log{LogLevel::debug};
  FixedClock clock{1'800'000'000};
  SecretSource secrets = SecretSource::from_map({{"SCIM_TOKEN", kToken}});
  bool member_filter = false;  // the SCIM system's member_filter key

  Incident() {
    scim.add_user({"u1", "jane@acme.com", true});
    scim.add_user({"u2", "bob@acme.com", true});
    scim.add_user({"u3", "carl@acme.com", true});
    scim.add_group({"g1", "Engineering", {"u2"}});
  }

  // Applies `p` with a fresh writer, journaling into `db`.
  std::vector<plan::ActionReport> apply(const plan::Plan& p, store::Database& db) {
    connectors::ConnectorEnv env{secrets, log, clock, "/work/ws"};
    env.http = &factory;
    const auto system = system_config("okta", "scim",
                                      {{"base_url", scim.base_url()},
                                       {"token_env", std::string("SCIM_TOKEN")},
                                       {"member_filter", member_filter}},
                                      1);
    auto writer = connectors::scim::connector_type().create_writer(system, env);
    REQUIRE(writer.ok());
    auto lookup = [&](const std::string& name) -> Result<connectors::Writer*> {
      if (name != "okta") return fail("no system " + name);
      return writer->get();
    };
    auto reports = plan::apply_plan(p, db, lookup, plan::ApplyOptions{}, {});
    REQUIRE(reports.ok());
    return *reports;
  }

  // Writes (every method but GET) as the HTTP server saw them.
  std::size_t writes_seen() const {
    auto seen = server.requests();
    return static_cast<std::size_t>(
        std::count_if(seen.begin(), seen.end(), [](const FakeServer::Seen& s) { return s.method != "GET"; }));
  }
};

std::unique_ptr<store::Database> memory_db() {
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  return std::move(db).value();
}

std::vector<std::string> outcomes(const std::vector<plan::ActionReport>& reports) {
  std::vector<std::string> out;
  for (const auto& r : reports) out.push_back(std::string(plan::to_string(r.outcome)));
  return out;
}

}  // namespace

TEST_CASE("apply over SCIM: writes answered after the client's timeout are done, each sent exactly once",
          "[integration][apply][scim]") {
  Incident t;
  t.member_filter = GENERATE(false, true);  // memberships read from the member list, or by filter
  auto db = memory_db();
  const plan::Plan p = four_actions();
  // Every write takes effect at once and is answered 1.5 s later: the client (timeout 1 s)
  // gives up on each and cannot know whether it happened.
  t.scim.set_answer_writes_after(std::chrono::milliseconds(1500));

  const auto reports = t.apply(p, *db);
  REQUIRE(reports.size() == 4);
  CHECK(outcomes(reports) == std::vector<std::string>{"done", "done", "done", "done"});
  const std::vector<std::string> requests = {"PATCH /scim/v2/Groups/g1", "PATCH /scim/v2/Groups/g1",
                                             "POST /scim/v2/Users", "PATCH /scim/v2/Users/u3"};
  for (std::size_t i = 0; i < reports.size(); ++i) {
    CHECK(reports[i].attempts == 1);
    CHECK(reports[i].detail ==
          "the write took effect despite: " + requests[i] + ": no complete response within 1s (the timeout)");
  }

  // Exactly one write per action reached the server, and each took effect once.
  CHECK(t.scim.writes() == 4);
  CHECK(t.writes_seen() == 4);
  CHECK(t.scim.members("g1") == std::vector<std::string>{"u1"});
  CHECK(t.scim.users_named("new.hire@acme.com") == 1);
  CHECK_FALSE(t.scim.active("u3"));

  SECTION("the same plan again, on the same journal: zero writes, every action a no-op") {
    t.scim.set_answer_writes_after(std::chrono::milliseconds(0));
    const auto again = t.apply(p, *db);
    CHECK(outcomes(again) == std::vector<std::string>{"noop", "noop", "noop", "noop"});
    CHECK(t.scim.writes() == 4);
    CHECK(t.writes_seen() == 4);
  }
  SECTION("the same plan again without the journal: the live reads find every target done") {
    t.scim.set_answer_writes_after(std::chrono::milliseconds(0));
    auto fresh = memory_db();
    const auto again = t.apply(p, *fresh);
    CHECK(outcomes(again) == std::vector<std::string>{"noop", "noop", "noop", "noop"});
    for (const auto& r : again) CHECK(r.attempts == 0);
    CHECK(t.scim.writes() == 4);
    CHECK(t.writes_seen() == 4);
    CHECK(t.scim.members("g1") == std::vector<std::string>{"u1"});
    CHECK(t.scim.users_named("new.hire@acme.com") == 1);
  }
}

TEST_CASE("apply over SCIM: a plan applied twice writes once", "[integration][apply][scim]") {
  Incident t;
  const plan::Plan p = four_actions();
  auto first_db = memory_db();
  CHECK(outcomes(t.apply(p, *first_db)) == std::vector<std::string>{"done", "done", "done", "done"});
  CHECK(t.scim.writes() == 4);
  auto second_db = memory_db();
  CHECK(outcomes(t.apply(p, *second_db)) == std::vector<std::string>{"noop", "noop", "noop", "noop"});
  CHECK(t.scim.writes() == 4);
  CHECK(t.writes_seen() == 4);
}

TEST_CASE("apply over SCIM: targets that moved since the plan are conflicts, and nothing is written",
          "[integration][apply][scim]") {
  Incident t;
  auto db = memory_db();
  plan::Plan p;
  p.id = "moved";
  p.actions = {action(ActionType::create_account, "new.hire@acme.com", "", "absent", "active"),
               action(ActionType::disable_account, "u3", "", "active", "disabled"),
               action(ActionType::revoke, "u2", "group:Engineering", "member", "absent")};
  // Between plan and apply, by hand: the new hire's account was created, disabled; carl's and
  // bob's accounts were deleted (bob's membership with it: that revoke is a no-op).
  t.scim.add_user({"u9", "New.Hire@acme.com", false});
  t.scim.remove_user("u3");
  t.scim.remove_user("u2");

  const auto reports = t.apply(p, *db);
  CHECK(outcomes(reports) == std::vector<std::string>{"conflict", "conflict", "noop"});
  CHECK(reports[0].detail == "live state is \"disabled\", planned \"absent\" -> \"active\"");
  CHECK(reports[1].detail == "live state is \"absent\", planned \"active\" -> \"disabled\"");
  CHECK(t.scim.writes() == 0);
  CHECK(t.writes_seen() == 0);
  CHECK(t.scim.users_named("new.hire@acme.com") == 1);
}

TEST_CASE("apply over SCIM: a 409 on create is read back and found done", "[integration][apply][scim]") {
  Incident t;
  auto db = memory_db();
  plan::Plan p;
  p.id = "race";
  p.actions = {action(ActionType::create_account, "dana@acme.com", "", "absent", "active")};
  // The read finds no dana, but another tool creates her account before the POST arrives.
  t.scim.race_next_create({"u5", "dana@acme.com", true});
  const auto reports = t.apply(p, *db);
  CHECK(outcomes(reports) == std::vector<std::string>{"done"});
  CHECK(reports[0].detail == "the write took effect despite: POST /scim/v2/Users: HTTP 409: userName dana@acme.com is already taken");
  CHECK(t.scim.writes() == 1);
  CHECK(t.scim.users_named("dana@acme.com") == 1);
}

TEST_CASE("apply over SCIM: a rehire re-enables the one existing user, once; a second run writes nothing",
          "[integration][apply][scim][rehire]") {
  Incident t;
  t.scim.add_user({"u4", "back@acme.com", false});  // left last year, rehired now
  plan::Plan p;
  p.id = "rehire";
  p.actions = {action(ActionType::enable_account, "u4", "", "disabled", "active")};
  auto first_db = memory_db();
  CHECK(outcomes(t.apply(p, *first_db)) == std::vector<std::string>{"done"});
  CHECK(t.scim.writes() == 1);
  auto second_db = memory_db();
  CHECK(outcomes(t.apply(p, *second_db)) == std::vector<std::string>{"noop"});
  CHECK(t.writes_seen() == 1);
  CHECK(t.scim.active("u4"));
  CHECK(t.scim.users_named("back@acme.com") == 1);  // never a second user for the same person
}
