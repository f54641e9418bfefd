// Apply through the okta writer and the real curl transport against FakeOkta: every write is
// read before, sent once and read back; the incident of writes applied by the server but
// answered after the client's timeout; a rehire (enable, never a second account) and a joiner
// whose create timed out but succeeded.
#include <catch2/catch.hpp>

#include <algorithm>

#include "connectors/okta/okta_connector.hpp"
#include "scanner/plan/apply.hpp"
#include "tests/integration/okta/okta_support.hpp"

using namespace rollcall;
using namespace rollcall::testing;
using plan::Action;
using plan::ActionType;

namespace {

Action action(ActionType type, std::string account, std::string entitlement, std::string before, std::string after,
              std::string person_name = "") {
  Action a;
  a.type = type;
  a.system = "okta";
  a.account_id = std::move(account);
  a.entitlement_id = std::move(entitlement);
  a.before = std::move(before);
  a.after = std::move(after);
  a.person_name = std::move(person_name);
  a.id = std::string(plan::to_string(type)) + ":" + a.account_id + ":" + a.entitlement_id;
  a.destructive = type == ActionType::revoke || type == ActionType::disable_account;
  return a;
}

// One of each write the okta writer makes.
plan::Plan six_actions() {
  plan::Plan p;
  p.id = "okta";
  p.actions = {action(ActionType::grant, "00ubob", "group:GitHub Users", "absent", "member"),
               action(ActionType::revoke, "00udee", "group:Engineering", "member", "absent"),
               action(ActionType::disable_account, "00ucyd", "", "active", "disabled"),
               action(ActionType::enable_account, "00ugus", "", "disabled", "active"),
               action(ActionType::enable_account, "00uhal", "", "disabled", "active"),
               action(ActionType::create_account, "nia.hire@acme.com", "", "absent", "active", "Nia Hire")};
  return p;
}

struct Apply {
  FakeServer server;
  FakeOkta okta{server, kOktaToken};
  RecordingSleeper sleeper;
  http::CurlTransportFactory factory{sleeper, [] { return 0.5; }};
  CapturingLogger log{LogLevel::debug};
  FixedClock clock{1'800'000'000};
  std::pair<std::string, std::string> key = rsa_key_pair();
  SecretSource secrets = SecretSource::from_map({{"OKTA_TOKEN", kOktaToken}, {"OKTA_KEY", key.first}});
  bool oauth = false;
  std::vector<std::pair<std::string, config::Value>> extra;

  Apply() {
    small_org(okta);
    okta.enable_oauth(kClientId, key.second);
    okta.install();
  }

  std::vector<plan::ActionReport> apply(const plan::Plan& p, store::Database& db) {
    connectors::ConnectorEnv env{secrets, log, clock, "/work/ws"};
    env.http = &factory;
    auto writer = connectors::okta::connector_type().create_writer(okta_system(okta, oauth, extra, 1), env);
    if (!writer) FAIL(writer.error().message());
    auto lookup = [&](const std::string& name) -> Result<connectors::Writer*> {
      if (name != "okta") return fail("no system " + name);
      return writer->get();
    };
    auto reports = plan::apply_plan(p, db, lookup, plan::ApplyOptions{}, {});
    REQUIRE(reports.ok());
    return *reports;
  }
  std::size_t writes_seen(const std::string& path = "") const {
    auto seen = server.requests();
    return static_cast<std::size_t>(std::count_if(seen.begin(), seen.end(), [&](const FakeServer::Seen& s) {
      return s.method != "GET" && s.path != "/oauth2/v1/token" && (path.empty() || s.path == path);
    }));
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

const std::vector<std::string> kAllDone(6, "done");
const std::vector<std::string> kAllNoop(6, "noop");

void check_applied(const FakeOkta& okta) {
  CHECK(okta.members("00ggh") == std::vector<std::string>{"00uada", "00ueve", "00ubob"});
  CHECK(okta.members("00geng") == std::vector<std::string>{"00uada", "00ubob", "00ucyd"});
  CHECK(okta.status_of("00ucyd") == "SUSPENDED");    // disable_with defaults to suspend
  CHECK(okta.status_of("00ugus") == "ACTIVE");       // unsuspended
  CHECK(okta.status_of("00uhal") == "PROVISIONED");  // the rehire, activated (activation email sent)
  CHECK(okta.users_with_login("nia.hire@acme.com") == 1);
}

}  // namespace

TEST_CASE("apply over Okta: each write is read back, and the same plan again changes nothing",
          "[integration][apply][okta]") {
  Apply t;
  t.oauth = GENERATE(false, true);
  auto db = memory_db();
  const plan::Plan p = six_actions();
  const auto reports = t.apply(p, *db);
  for (const auto& r : reports) INFO(r.detail);
  CHECK(outcomes(reports) == kAllDone);
  CHECK(t.okta.writes() == 6);
  check_applied(t.okta);
  CHECK(t.writes_seen("/api/v1/users/00uhal/lifecycle/activate") == 1);
  CHECK(t.writes_seen("/api/v1/users/00ugus/lifecycle/unsuspend") == 1);
  CHECK(t.writes_seen("/api/v1/users/00ucyd/lifecycle/suspend") == 1);
  if (t.oauth) CHECK(t.okta.requested_scopes() == std::vector<std::string>{"okta.users.manage", "okta.groups.manage"});

  auto fresh = memory_db();
  CHECK(outcomes(t.apply(p, *fresh)) == kAllNoop);
  CHECK(t.okta.writes() == 6);
  CHECK(t.writes_seen() == 6);
}

TEST_CASE("apply over Okta: writes answered after the client's timeout are found done, each sent once",
          "[integration][apply][okta]") {
  Apply t;
  auto db = memory_db();
  const plan::Plan p = six_actions();
  t.okta.set_answer_writes_after(std::chrono::milliseconds(1500));  // timeout = 1 s
  const auto reports = t.apply(p, *db);
  REQUIRE(reports.size() == 6);
  CHECK(outcomes(reports) == kAllDone);
  const std::vector<std::string> requests = {
      "PUT /api/v1/groups/00ggh/users/00ubob",         "DELETE /api/v1/groups/00geng/users/00udee",
      "POST /api/v1/users/00ucyd/lifecycle/suspend",   "POST /api/v1/users/00ugus/lifecycle/unsuspend",
      "POST /api/v1/users/00uhal/lifecycle/activate?sendEmail=true", "POST /api/v1/users?activate=false"};
  for (std::size_t i = 0; i < reports.size(); ++i) {
    CHECK(reports[i].attempts == 1);
    CHECK(reports[i].detail ==
          "the write took effect despite: " + requests[i] + ": no complete response within 1s (the timeout)");
  }
  CHECK(t.okta.writes() == 6);
  CHECK(t.writes_seen() == 6);
  check_applied(t.okta);  // the joiner's create, retried by nobody, made one user

  t.okta.set_answer_writes_after(std::chrono::milliseconds(0));
  CHECK(outcomes(t.apply(p, *db)) == kAllNoop);
  auto fresh = memory_db();
  CHECK(outcomes(t.apply(p, *fresh)) == kAllNoop);
  CHECK(t.writes_seen() == 6);
}

TEST_CASE("apply over Okta: a rehire is enabled, never created twice", "[integration][apply][okta]") {
  Apply t;
  auto db = memory_db();
  plan::Plan p;
  p.id = "rehire";
  // The plan that a stale scan might have made (create) and the right one (enable).
  p.actions = {action(ActionType::create_account, "hal@acme.com", "", "absent", "active", "Hal Example"),
               action(ActionType::enable_account, "00uhal", "", "disabled", "active")};
  const auto reports = t.apply(p, *db);
  CHECK(outcomes(reports) == std::vector<std::string>{"conflict", "done"});
  CHECK(reports[0].detail == "live state is \"disabled\", planned \"absent\" -> \"active\"");
  CHECK(t.writes_seen() == 1);
  CHECK(t.okta.users_with_login("hal@acme.com") == 1);
  auto fresh = memory_db();
  plan::Plan again;
  again.id = "rehire-again";
  again.actions = {p.actions[1]};
  CHECK(outcomes(t.apply(again, *fresh)) == std::vector<std::string>{"noop"});
  CHECK(t.writes_seen() == 1);
}

TEST_CASE("apply over Okta: disable_with = deactivate; a STAGED user cannot be suspended and is deactivated",
          "[integration][apply][okta]") {
  Apply t;
  SECTION("deactivate") {
    t.extra = {{"disable_with", std::string("deactivate")}};
    auto db = memory_db();
    plan::Plan p;
    p.id = "deactivate";
    p.actions = {action(ActionType::disable_account, "00ucyd", "", "active", "disabled")};
    CHECK(outcomes(t.apply(p, *db)) == std::vector<std::string>{"done"});
    CHECK(t.okta.status_of("00ucyd") == "DEPROVISIONED");
    CHECK(t.writes_seen("/api/v1/users/00ucyd/lifecycle/deactivate") == 1);
  }
  SECTION("suspend, for a user Okta cannot suspend") {
    auto db = memory_db();
    plan::Plan p;
    p.id = "staged";
    p.actions = {action(ActionType::disable_account, "00ueve", "", "active", "disabled")};
    CHECK(outcomes(t.apply(p, *db)) == std::vector<std::string>{"done"});
    CHECK(t.okta.status_of("00ueve") == "DEPROVISIONED");
    CHECK(t.writes_seen("/api/v1/users/00ueve/lifecycle/suspend") == 0);
  }
}

TEST_CASE("apply over Okta: app assignments, admin roles and app groups are refused before any write; an Okta group "
          "beside them is granted",
          "[integration][apply][okta]") {
  Apply t;
  auto db = memory_db();
  plan::Plan p;
  p.id = "unsupported";
  p.actions = {action(ActionType::grant, "00ufay", "app:GitHub", "absent", "member"),
               action(ActionType::grant, "00ufay", "group:Salesforce Users", "absent", "member"),
               action(ActionType::revoke, "00uada", "admin-role:SUPER_ADMIN", "member", "absent"),
               action(ActionType::grant, "00ufay", "group:Engineering", "absent", "member")};
  const auto reports = t.apply(p, *db);
  CHECK(outcomes(reports) == std::vector<std::string>{"failed", "failed", "failed", "done"});
  CHECK(reports[0].detail ==
        "reading the live state: okta cannot grant through its API; set apply_via = \"tickets\" on the system to file "
        "such changes as tickets (app:GitHub: app assignments and admin roles are changed in Okta's admin console or "
        "through group memberships)");
  CHECK(reports[1].detail ==
        "reading the live state: okta cannot grant through its API; set apply_via = \"tickets\" on the system to file "
        "such changes as tickets (group:Salesforce Users is an APP_GROUP group, whose members Okta does not let an API "
        "change)");
  CHECK(t.writes_seen() == 1);
  CHECK(t.okta.members("00geng").back() == "00ufay");
}

TEST_CASE("apply over Okta: a joiner without a roster name is refused before the POST", "[integration][apply][okta]") {
  Apply t;
  auto db = memory_db();
  plan::Plan p;
  p.id = "nameless";
  p.actions = {action(ActionType::create_account, "x@acme.com", "", "absent", "active")};
  const auto reports = t.apply(p, *db);
  CHECK(outcomes(reports) == std::vector<std::string>{"failed"});
  CHECK_THAT(reports[0].detail,
             Catch::Contains("create_account \"x@acme.com\": Okta requires a first and last name, and the roster has none"));
  CHECK(t.writes_seen() == 0);
}
