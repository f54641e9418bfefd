#include <catch2/catch.hpp>

#include <map>

#include "scanner/plan/apply.hpp"
#include "scanner/store/apply_journal.hpp"
#include "scanner/store/scan_store.hpp"
#include "scanner/store/snapshot_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace rollcall::plan {
namespace {

using connectors::Change;
using connectors::LiveState;

// A system in memory: grants by (account, entitlement) and accounts by id. Writes can be made to
// take effect and then fail (the incident: the server applied it, the client timed out), or to
// fail without effect.
class FakeWriter final : public connectors::Writer {
 public:
  std::map<std::pair<std::string, std::string>, std::string> grants;
  std::map<std::string, bool> accounts;  // id -> active
  std::map<std::pair<std::string, std::string>, bool> keys;  // (account, credential id) -> active
  int writes = 0;
  int reads = 0;
  int fail_after_effect = 0;  // this many next writes take effect, then report a timeout
  int fail_without_effect = 0;

  Result<LiveState> read(const Change& c) override {
    ++reads;
    LiveState s;
    auto acc = accounts.find(c.account_id);
    s.account_exists = acc != accounts.end();
    s.account_active = s.account_exists && acc->second;
    auto g = grants.find({c.account_id, c.entitlement_id});
    if (g != grants.end()) s.level = g->second;
    if (auto k = keys.find({c.account_id, c.credential_id}); k != keys.end()) s.credential_active = k->second;
    return s;
  }

  Result<void> write(const Change& c) override {
    ++writes;
    if (fail_without_effect > 0) {
      --fail_without_effect;
      return fail("PATCH /Groups/g1: connection reset");
    }
    switch (c.type) {
      case connectors::ChangeType::grant:
      case connectors::ChangeType::set_level: grants[{c.account_id, c.entitlement_id}] = c.level; break;
      case connectors::ChangeType::revoke: grants.erase({c.account_id, c.entitlement_id}); break;
      case connectors::ChangeType::create_account: accounts[c.account_id] = true; break;
      case connectors::ChangeType::disable_account: accounts[c.account_id] = false; break;
      case connectors::ChangeType::enable_account: accounts[c.account_id] = true; break;
      case connectors::ChangeType::deactivate_credential: keys[{c.account_id, c.credential_id}] = false; break;
    }
    if (fail_after_effect > 0) {
      --fail_after_effect;
      return fail("PATCH /Groups/g1: timed out after 1000 ms");
    }
    return {};
  }
};

Action action(ActionType type, std::string account, std::string entitlement, std::string before, std::string after) {
  Action a;
  a.type = type;
  a.system = "scim";
  a.account_id = account;
  a.account_login = account;
  a.entitlement_id = entitlement;
  a.before = std::move(before);
  a.after = std::move(after);
  a.destructive = type == ActionType::revoke || type == ActionType::disable_account || type == ActionType::set_level;
  a.id = std::string(to_string(type)) + "-" + account + "-" + entitlement;
  return a;
}

Plan sample_plan() {
  Plan p;
  p.id = "plan1";
  p.actions = {action(ActionType::grant, "u1", "group:eng", "absent", "member"),
               action(ActionType::revoke, "u2", "group:admins", "member", "absent"),
               action(ActionType::disable_account, "u3", "", "active", "disabled")};
  return p;
}

FakeWriter sample_system() {
  FakeWriter w;
  w.accounts = {{"u1", true}, {"u2", true}, {"u3", true}};
  w.grants[{"u2", "group:admins"}] = "member";
  return w;
}

struct Run {
  std::vector<ActionReport> reports;
  std::vector<std::string> outcomes() const {
    std::vector<std::string> v;
    for (const auto& r : reports) v.emplace_back(to_string(r.outcome));
    return v;
  }
};

Run run(const Plan& p, store::Database& db, FakeWriter& w, ApplyOptions options = {}) {
  auto r = apply_plan(p, db, [&](const std::string&) -> Result<connectors::Writer*> { return &w; }, options, {});
  REQUIRE(r.ok());
  return Run{std::move(*r)};
}

std::string journal_state(store::Database& db, const std::string& action_id) {
  auto st = db.prepare("SELECT state || '/' || attempts FROM apply_journal WHERE action_id = ?");
  REQUIRE(st.ok());
  st->bind(1, action_id);
  auto row = st->step();
  REQUIRE(row.ok());
  return *row ? st->text(0) : "";
}

TEST_CASE("apply: the incident - a write that times out after taking effect is verified, not repeated", "[apply]") {
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  FakeWriter w = sample_system();
  w.fail_after_effect = 1;
  Plan p;
  p.id = "plan1";
  p.actions = {action(ActionType::grant, "u1", "group:eng", "absent", "member")};
  Run r = run(p, **db, w);
  CHECK(r.outcomes() == std::vector<std::string>{"done"});
  CHECK(r.reports[0].detail == "the write took effect despite: PATCH /Groups/g1: timed out after 1000 ms");
  CHECK(w.writes == 1);
  CHECK(w.grants.size() == 2);
  CHECK(journal_state(**db, p.actions[0].id) == "done/1");
}

TEST_CASE("apply: a write that failed without effect is retried after a read", "[apply]") {
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  FakeWriter w = sample_system();
  w.fail_without_effect = 1;
  Plan p;
  p.id = "plan1";
  p.actions = {action(ActionType::grant, "u1", "group:eng", "absent", "member")};
  Run r = run(p, **db, w);
  CHECK(r.outcomes() == std::vector<std::string>{"done"});
  CHECK(w.writes == 2);
  CHECK(w.reads == 3);  // before acting, after the failed write, after the retry
}

TEST_CASE("apply: a write that keeps failing gives up after max_attempts", "[apply]") {
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  FakeWriter w = sample_system();
  w.fail_without_effect = 10;
  Plan p;
  p.id = "plan1";
  p.actions = {action(ActionType::grant, "u1", "group:eng", "absent", "member")};
  Run r = run(p, **db, w);
  CHECK(r.outcomes() == std::vector<std::string>{"failed"});
  CHECK(r.reports[0].detail == "gave up after 3 attempt(s): PATCH /Groups/g1: connection reset");
  CHECK(w.writes == 3);
  CHECK(journal_state(**db, p.actions[0].id) == "failed/3");
}

TEST_CASE("apply: running the same plan twice writes once and reports no-ops the second time", "[apply]") {
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  FakeWriter w = sample_system();
  const Plan p = sample_plan();
  CHECK(run(p, **db, w).outcomes() == std::vector<std::string>{"done", "done", "done"});
  CHECK(w.writes == 3);
  CHECK(run(p, **db, w).outcomes() == std::vector<std::string>{"noop", "noop", "noop"});
  CHECK(w.writes == 3);
  CHECK_FALSE(w.accounts["u3"]);
  CHECK(w.grants.count({"u2", "group:admins"}) == 0);
}

TEST_CASE("apply: a target already in the desired state is a no-op without a write", "[apply]") {
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  FakeWriter w = sample_system();
  w.grants[{"u1", "group:eng"}] = "member";
  const Plan p = sample_plan();
  CHECK(run(p, **db, w).outcomes() == std::vector<std::string>{"noop", "done", "done"});
  CHECK(w.writes == 2);
}

TEST_CASE("apply: a target changed since the plan is a conflict, skipped and reported", "[apply]") {
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  FakeWriter w = sample_system();
  w.grants[{"u2", "group:admins"}] = "owner";  // someone raised it meanwhile
  const Plan p = sample_plan();
  Run r = run(p, **db, w);
  CHECK(r.outcomes() == std::vector<std::string>{"done", "conflict", "done"});
  CHECK(r.reports[1].detail == "live state is \"owner\", planned \"member\" -> \"absent\"");
  CHECK(w.grants[{"u2", "group:admins"}] == "owner");
  CHECK(journal_state(**db, p.actions[1].id) == "conflict/0");
}

TEST_CASE("apply: a rerun after an interrupted run does not repeat the write it had made", "[apply]") {
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  FakeWriter w = sample_system();
  const Plan p = sample_plan();
  // The first run wrote the first action and died before journaling the outcome.
  REQUIRE(store::ApplyJournal(**db, "plan1").record({p.actions[0].id, "", "", "pending", 0, "", 0, 0}, 0, 0).ok());
  w.grants[{"u1", "group:eng"}] = "member";
  Run r = run(p, **db, w);
  CHECK(r.outcomes() == std::vector<std::string>{"done", "done", "done"});
  CHECK(r.reports[0].detail == "written by an interrupted earlier run");
  CHECK(w.writes == 2);
}

TEST_CASE("apply: --dry-run reads the live state and writes nothing, not even the journal", "[apply]") {
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  FakeWriter w = sample_system();
  w.grants[{"u2", "group:admins"}] = "owner";
  ApplyOptions options;
  options.dry_run = true;
  Run r = run(sample_plan(), **db, w, options);
  CHECK(r.outcomes() == std::vector<std::string>{"would change", "conflict", "would change"});
  CHECK(w.writes == 0);
  CHECK(w.reads == 3);
  CHECK(journal_state(**db, sample_plan().actions[0].id).empty());
}

TEST_CASE("apply: a second apply on the same workspace is refused at once", "[apply]") {
  testing::TempDir dir;
  auto first = ApplyLock::acquire(dir / "rollcall.apply.lock");
  REQUIRE(first.ok());
  auto second = ApplyLock::acquire(dir / "rollcall.apply.lock");
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().message() ==
        "another apply is running on this workspace (" + (dir / "rollcall.apply.lock").string() + " is locked)");
  first->reset();
  CHECK(ApplyLock::acquire(dir / "rollcall.apply.lock").ok());
}

// A store with one snapshot of "scim" (n accounts) and one scan over it.
struct StoreFixture {
  std::unique_ptr<store::Database> db;
  store::SnapshotInfo snapshot;
};

store::SnapshotInfo snapshot(store::Database& db, int accounts) {
  store::SnapshotStore snapshots(db);
  auto w = snapshots.begin("scim", "scim", 100);
  REQUIRE(w.ok());
  for (int i = 0; i < accounts; ++i) {
    Account a;
    a.id = "u" + std::to_string(i);
    REQUIRE((*w)->account(a).ok());
  }
  auto info = (*w)->commit(101);
  REQUIRE(info.ok());
  return *info;
}

StoreFixture basis(int accounts) {
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  StoreFixture b{std::move(*db), {}};
  b.snapshot = snapshot(*b.db, accounts);
  store::ScanRecord scan;
  scan.roster_digest = "r1";
  scan.policy_digest = "p1";
  REQUIRE(store::ScanStore(*b.db).save(scan, {}).ok());
  return b;
}

Plan plan_on(const StoreFixture& b) {
  Plan p = sample_plan();
  p.basis.roster_digest = "r1";
  p.basis.policy_digest = "p1";
  p.basis.systems = {{"scim", b.snapshot.id, b.snapshot.digest}};
  return p;
}

TEST_CASE("apply: a plan whose basis is still the latest observation is fresh", "[apply]") {
  StoreFixture b = basis(3);
  CHECK(check_fresh(plan_on(b), *b.db).ok());
}

TEST_CASE("apply: a stale plan is refused", "[apply]") {
  StoreFixture b = basis(3);
  Plan p = plan_on(b);
  SECTION("the system changed") {
    const store::SnapshotInfo later = snapshot(*b.db, 4);
    auto r = check_fresh(p, *b.db);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() == "plan plan1 is stale: \"scim\" changed since snapshot #" + std::to_string(b.snapshot.id) +
                                     " (latest is #" + std::to_string(later.id) +
                                     "); run `rollcall scan` and `rollcall plan` again, or pass --force-stale");
  }
  SECTION("the policies changed") {
    p.basis.policy_digest = "p0";
    auto r = check_fresh(p, *b.db);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() ==
          "plan plan1 is stale: the policies changed; run `rollcall scan` and `rollcall plan` again, or pass --force-stale");
  }
  SECTION("the roster changed") {
    p.basis.roster_digest = "r0";
    auto r = check_fresh(p, *b.db);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() ==
          "plan plan1 is stale: the roster changed; run `rollcall scan` and `rollcall plan` again, or pass --force-stale");
  }
}

TEST_CASE("apply: a mass revoke over the blast-radius limit is refused", "[apply]") {
  StoreFixture b = basis(4);
  const Plan p = plan_on(b);  // two destructive actions
  SECTION("absolute limit") {
    auto r = check_blast_radius(p, {1, std::nullopt}, *b.db);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() ==
          "plan plan1 has 2 destructive actions, more than max_destructive = 1 (pass --allow-destructive to apply anyway)");
    CHECK(check_blast_radius(p, {2, std::nullopt}, *b.db).ok());
  }
  SECTION("share of the system's accounts") {
    auto r = check_blast_radius(p, {std::nullopt, 0.25}, *b.db);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() == "plan plan1: 2 destructive actions on \"scim\" (4 accounts) exceed "
                                 "max_destructive_share = 25% (pass --allow-destructive to apply anyway)");
    CHECK(check_blast_radius(p, {std::nullopt, 0.5}, *b.db).ok());
  }
}


TEST_CASE("apply: the deprovisioning job run twice finds the key already inactive and records a no-op", "[apply][credential]") {
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  FakeWriter w;
  w.accounts = {{"ci-bot", true}};
  w.keys[{"ci-bot", "AKIA1"}] = true;
  w.keys[{"ci-bot", "AKIA2"}] = true;
  Plan p;
  p.id = "plan-keys";
  p.actions = {action(ActionType::deactivate_credential, "ci-bot", "credential:AKIA1", "active", "inactive")};
  // The first run times out after the key was deactivated: verified by reading, not repeated.
  w.fail_after_effect = 1;
  CHECK(run(p, **db, w).outcomes() == std::vector<std::string>{"done"});
  CHECK(w.writes == 1);
  CHECK_FALSE(w.keys[{"ci-bot", "AKIA1"}]);
  CHECK(w.keys[{"ci-bot", "AKIA2"}]);  // the other key of the same account is untouched
  // The job runs again (a retried webhook): the key is already inactive.
  auto db2 = store::Database::open_memory();
  CHECK(run(p, **db2, w).outcomes() == std::vector<std::string>{"noop"});
  CHECK(w.writes == 1);
}

TEST_CASE("apply: a credential deleted since the plan counts as deactivated: a no-op", "[apply][credential]") {
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  FakeWriter w;
  w.accounts = {{"ann", true}};
  Plan p;
  p.id = "plan-gone";
  p.actions = {action(ActionType::deactivate_credential, "ann", "credential:password", "active", "inactive")};
  CHECK(run(p, **db, w).outcomes() == std::vector<std::string>{"noop"});  // no such credential any more
  CHECK(w.writes == 0);
}

}  // namespace
}  // namespace rollcall::plan
