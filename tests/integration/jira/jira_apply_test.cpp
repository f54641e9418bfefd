// The jira writer, driven by apply (scanner/plan) through the real curl transport against the
// stateful fake site: each write read back before and verified after, look-alike targets left
// alone, unsupported changes refused before any request, and the incident - a write the site
// applies but answers only after the client's timeout - found done and never sent twice.
#include <catch2/catch.hpp>

#include <algorithm>

#include "connectors/jira/jira_connector.hpp"
#include "scanner/plan/apply.hpp"
#include "tests/integration/jira/jira_site.hpp"
#include "tests/support/writer_checks.hpp"

using namespace rollcall;
using namespace rollcall::testing;
using connectors::ChangeType;
using plan::Action;
using plan::ActionType;

namespace {

Action action(ActionType type, std::string account, std::string entitlement, std::string before, std::string after) {
  Action a;
  a.type = type;
  a.system = "jira";
  a.account_id = account;
  a.account_login = std::move(account);
  a.entitlement_id = std::move(entitlement);
  a.before = std::move(before);
  a.after = std::move(after);
  a.id = std::string(plan::to_string(type)) + ":" + a.account_id + ":" + a.entitlement_id;
  a.destructive = type == ActionType::revoke || type == ActionType::disable_account;
  return a;
}

struct Apply {
  FakeServer server;
  FakeJira jira{server, kEmail, kApiToken, kOauthToken, "org-1", kOrgKey};
  RecordingSleeper sleeper;
  http::CurlTransportFactory factory{sleeper, [] { return 0.5; }};
  ConnectorFixture fx{factory, jira_env()};

  Apply() {
    populate(jira);
    jira.install();
  }

  std::unique_ptr<connectors::Writer> writer(std::int64_t timeout_s = 10) {
    auto w = connectors::jira::connector_type().create_writer(jira_system(jira, {}, {}, timeout_s), fx.env());
    INFO((w ? std::string() : w.error().message()));
    REQUIRE(w.ok());
    return std::move(w).value();
  }

  std::vector<plan::ActionReport> apply(const plan::Plan& p, store::Database& db, std::int64_t timeout_s = 10) {
    auto w = writer(timeout_s);
    auto lookup = [&](const std::string& name) -> Result<connectors::Writer*> {
      if (name != "jira") return fail("no system " + name);
      return w.get();
    };
    auto reports = plan::apply_plan(p, db, lookup, plan::ApplyOptions{}, {});
    REQUIRE(reports.ok());
    return *reports;
  }

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

// One of each write: group grant and revoke, a seat granted through the product's default
// group, a seat removed from every group that gives it.
plan::Plan four_actions() {
  plan::Plan p;
  p.id = "jira";
  p.actions = {action(ActionType::grant, "acc-carol", "group:jira-software-users", "absent", "member"),
               action(ActionType::revoke, "acc-bob", "group:jira-admins-acme", "member", "absent"),
               action(ActionType::grant, "acc-alice", "product:jira-servicedesk", "absent", "member"),
               action(ActionType::revoke, "acc-erin", "product:jira-software", "member", "absent")};
  return p;
}

}  // namespace

TEST_CASE("jira writer: reads a membership and a seat as the read side names them", "[writer][jira][integration]") {
  Apply t;
  auto w = t.writer();
  CHECK(level_of(must_read(*w, make_change(ChangeType::grant, "acc-alice", "group:site-admins", "member"))) == "member");
  CHECK(level_of(must_read(*w, make_change(ChangeType::grant, "acc-erin", "group:site-admins", "member"))) == "absent");
  // erin holds the Jira Software seat through jira-testers, not the default group.
  CHECK(level_of(must_read(*w, make_change(ChangeType::grant, "acc-erin", "product:jira-software", "member"))) == "member");
  CHECK(level_of(must_read(*w, make_change(ChangeType::grant, "acc-carol", "product:jira-software", "member"))) == "absent");
  auto dave = must_read(*w, make_change(ChangeType::revoke, "acc-dave", "group:jira-software-users"));
  CHECK(dave.account_exists);
  CHECK_FALSE(dave.account_active);
  auto gone = must_read(*w, make_change(ChangeType::revoke, "acc-nobody", "group:jira-software-users"));
  CHECK_FALSE(gone.account_exists);
  CHECK(t.writes_seen() == 0);
}

TEST_CASE("jira writer: group and seat changes are applied, verified, and a rerun is a no-op", "[writer][jira][integration]") {
  Apply t;
  auto db = memory_db();
  const auto reports = t.apply(four_actions(), *db);
  CHECK(outcomes(reports) == std::vector<std::string>{"done", "done", "done", "done"});
  CHECK(t.jira.members("jira-software-users") ==
        std::vector<std::string>{"acc-alice", "acc-bob", "acc-dave", "app-tempo", "acc-carol"});
  CHECK(t.jira.members("jira-admins-acme").empty());
  CHECK(t.jira.members("jira-servicemanagement-users") == std::vector<std::string>{"acc-carol", "acc-alice"});
  CHECK(t.jira.members("jira-testers").empty());
  // The look-alikes: erin's other groups are untouched.
  CHECK(t.jira.members("confluence-users") == std::vector<std::string>{"acc-carol", "acc-erin"});
  CHECK(t.jira.members("site-admins-archive") == std::vector<std::string>{"acc-erin"});
  CHECK(t.jira.writes() == 4);
  std::vector<std::string> sent;
  for (const auto& r : t.server.requests()) {
    if (r.method != "GET") sent.push_back(r.method + " " + r.path + "?" + r.query);
  }
  CHECK(sent == std::vector<std::string>{"POST /rest/api/3/group/user?groupId=g-sw",
                                         "DELETE /rest/api/3/group/user?groupId=g-jadm&accountId=acc-bob",
                                         "POST /rest/api/3/group/user?groupId=g-jsm",
                                         "DELETE /rest/api/3/group/user?groupId=g-test&accountId=acc-erin"});

  auto fresh = memory_db();
  CHECK(outcomes(t.apply(four_actions(), *fresh)) == std::vector<std::string>{"noop", "noop", "noop", "noop"});
  CHECK(t.jira.writes() == 4);
}

TEST_CASE("jira writer: a seat held through two groups is removed from both", "[writer][jira][integration]") {
  Apply t;
  t.jira.add_member("jira-testers", "acc-alice");  // alice: jira-software-users and jira-testers
  auto db = memory_db();
  plan::Plan p;
  p.id = "two";
  p.actions = {action(ActionType::revoke, "acc-alice", "product:jira-software", "member", "absent")};
  CHECK(outcomes(t.apply(p, *db)) == std::vector<std::string>{"done"});
  CHECK(t.jira.writes() == 2);
  CHECK(t.jira.members("jira-testers") == std::vector<std::string>{"acc-erin"});
  CHECK(t.jira.members("jira-software-users") == std::vector<std::string>{"acc-bob", "acc-dave", "app-tempo"});
  CHECK(t.jira.members("site-admins") == std::vector<std::string>{"acc-alice"});  // not a seat group
}

TEST_CASE("apply over Jira: writes answered after the client's timeout are done, each sent exactly once",
          "[writer][jira][integration]") {
  Apply t;
  auto db = memory_db();
  const plan::Plan p = four_actions();
  // Every write takes effect at once and is answered 1.5 s later; the client waits 1 s.
  t.jira.set_answer_writes_after(std::chrono::milliseconds(1500));
  const auto reports = t.apply(p, *db, 1);
  REQUIRE(reports.size() == 4);
  CHECK(outcomes(reports) == std::vector<std::string>{"done", "done", "done", "done"});
  const std::vector<std::string> requests = {"POST /rest/api/3/group/user?groupId=g-sw",
                                             "DELETE /rest/api/3/group/user?groupId=g-jadm&accountId=acc-bob",
                                             "POST /rest/api/3/group/user?groupId=g-jsm",
                                             "DELETE /rest/api/3/group/user?groupId=g-test&accountId=acc-erin"};
  for (std::size_t i = 0; i < reports.size(); ++i) {
    CHECK(reports[i].attempts == 1);
    CHECK(reports[i].detail ==
          "the write took effect despite: " + requests[i] + ": no complete response within 1s (the timeout)");
  }
  CHECK(t.jira.writes() == 4);
  CHECK(t.writes_seen() == 4);
  CHECK(t.jira.members("jira-admins-acme").empty());

  t.jira.set_answer_writes_after(std::chrono::milliseconds(0));
  auto fresh = memory_db();
  const auto again = t.apply(p, *fresh);
  CHECK(outcomes(again) == std::vector<std::string>{"noop", "noop", "noop", "noop"});
  CHECK(t.writes_seen() == 4);
}

TEST_CASE("jira writer: what it cannot or must not do fails before any write", "[writer][jira][integration]") {
  Apply t;
  auto w = t.writer();
  auto error = [&](const connectors::Change& c) {
    auto r = w->read(c);
    REQUIRE_FALSE(r.ok());
    return r.error().message();
  };
  CHECK(error(make_change(ChangeType::disable_account, "acc-dave")) ==
        "jira cannot disable_account through its API; set apply_via = \"tickets\" on the system to file such changes "
        "as tickets (the Jira REST API cannot create, deactivate or reactivate Atlassian accounts; an organization "
        "admin does that in admin.atlassian.com)");
  CHECK(error(make_change(ChangeType::grant, "acc-carol", "project-role:ENG:Administrators", "member")) ==
        "jira cannot grant through its API; set apply_via = \"tickets\" on the system to file such changes as tickets "
        "(project-role:ENG:Administrators: project role actors are not written; grant a group the role holds instead)");
  CHECK(error(make_change(ChangeType::grant, "acc-carol", "group:no-such-group", "member")) ==
        "no Jira group is named \"no-such-group\"; rollcall does not create groups");
  CHECK(error(make_change(ChangeType::grant, "acc-ghost", "group:jira-testers", "member")) ==
        "account \"acc-ghost\" no longer exists (GET /rest/api/3/user?accountId=acc-ghost: 404)");
  CHECK(error(make_change(ChangeType::grant, "acc-carol", "group:jira-testers", "admin")) ==
        "Jira groups and seats have one level, \"member\"; cannot grant \"admin\" of \"group:jira-testers\"");
  CHECK(error(make_change(ChangeType::grant, "acc-carol", "team:x", "member")) ==
        "\"team:x\" is not a Jira entitlement (group:<name>, product:<key>, project-role:<project>:<role>)");
  // Jira Product Discovery has no default group: which group gives the seat is not guessed.
  auto jpd = w->write(make_change(ChangeType::grant, "acc-bob", "product:jira-product-discovery", "member"));
  REQUIRE_FALSE(jpd.ok());
  CHECK(jpd.error().message() == "product:jira-product-discovery has 0 default groups, so the group that gives the "
                                 "seat is not clear; grant a group:<name> of jpd-contributors instead");
  // A revoke from a group that does not exist is a no-op at the read: nobody is in it.
  CHECK(level_of(must_read(*w, make_change(ChangeType::revoke, "acc-carol", "group:no-such-group"))) == "absent");
  CHECK(t.writes_seen() == 0);
}
