// A drift test scenario: a roster built in code, a FakePolicy, an in-memory store with
// snapshots written through the real SnapshotStore, a fixed clock, and helpers to run a scan and
// look findings up.
#pragma once

#include <catch2/catch.hpp>

#include "scanner/drift/scan.hpp"
#include "scanner/store/snapshot_store.hpp"
#include "tests/unit/drift/fake_policy.hpp"

namespace rollcall::testing {

// 2026-11-01T00:00:00Z
inline constexpr UnixTime kNow = 1793491200;
inline constexpr UnixTime kDay = 86400;

inline Account account(const std::string& id, const std::string& email = "", const std::string& login = "") {
  Account a;
  a.id = id;
  a.email = email;
  a.login = login.empty() ? id : login;
  return a;
}

inline Grant grant(const std::string& account, const std::string& entitlement, const std::string& level = "member") {
  Grant g;
  g.account_id = account;
  g.entitlement_id = entitlement;
  g.level = level;
  return g;
}

struct Snapshot {
  std::vector<Account> accounts;
  std::vector<Entitlement> entitlements;
  std::vector<Grant> grants;
  std::vector<Credential> credentials;
};

class Scenario {
 public:
  // An in-memory store, or the database file `db_file` (to scan with several workers).
  explicit Scenario(const std::filesystem::path& db_file = {}) {
    auto db = db_file.empty() ? store::Database::open_memory() : store::Database::open(db_file);
    REQUIRE(db.ok());
    db_ = std::move(*db);
    roster.path = "roster.csv";
    roster.digest = "roster-digest";
    config.dir = "/workspace";
  }

  roster::Person& person(const std::string& email, const std::string& name = "") {
    roster::Person p;
    p.email = email;
    p.name = name.empty() ? email.substr(0, email.find('@')) : name;
    p.roles = {"engineer"};
    p.line = static_cast<int>(roster.people.size()) + 2;
    roster.people.push_back(p);
    return roster.people.back();
  }

  void system(const std::string& name, std::optional<std::int64_t> max_age_s = std::nullopt) {
    config::SystemConfig s;
    s.name = name;
    s.type = "file";
    s.max_snapshot_age_s = max_age_s;
    config.systems.push_back(s);
  }

  void snapshot(const std::string& system, const Snapshot& data, UnixTime at = kNow - 3600) {
    store::SnapshotStore store(*db_);
    auto w = store.begin(system, "file", at - 60);
    REQUIRE(w.ok());
    for (const auto& a : data.accounts) REQUIRE((*w)->account(a).ok());
    for (const auto& e : data.entitlements) REQUIRE((*w)->entitlement(e).ok());
    for (const auto& g : data.grants) REQUIRE((*w)->grant(g).ok());
    for (const auto& c : data.credentials) REQUIRE((*w)->credential(c).ok());
    auto info = (*w)->commit(at);
    REQUIRE(info.ok());
  }

  // A snapshot attempt that failed after reading `records` records (0: failed, >0: partial).
  void failed_snapshot(const std::string& system, const std::string& error, int records, UnixTime at = kNow - 3600) {
    store::SnapshotStore store(*db_);
    auto w = store.begin(system, "file", at - 60);
    REQUIRE(w.ok());
    for (int i = 0; i < records; ++i) REQUIRE((*w)->account(account("x" + std::to_string(i))).ok());
    auto info = (*w)->abort(Error(error), at);
    REQUIRE(info.ok());
  }

  Result<drift::ScanOutcome> run(UnixTime at = kNow) {
    roster.index();
    clock.set(at);
    return drift::run_scan({config, roster, policy, *db_, clock, "test", 30, workers, reuse});
  }

  // Runs a scan that must succeed and returns its report.
  reports::Report scan(UnixTime at = kNow) {
    auto out = run(at);
    if (!out) FAIL(out.error().message());
    return std::move(out->report);
  }

  store::Database& db() { return *db_; }

  FakePolicy policy;
  roster::Roster roster;
  config::WorkspaceConfig config;
  FixedClock clock{kNow};
  int workers = 0;
  bool reuse = true;

 private:
  std::unique_ptr<store::Database> db_;
};

inline std::vector<const reports::Finding*> of_kind(const reports::Report& r, const std::string& kind) {
  std::vector<const reports::Finding*> out;
  for (const auto& f : r.findings) {
    if (f.kind == kind) out.push_back(&f);
  }
  return out;
}

// The one finding of `kind` about `subject` (account id, person email or entitlement), or null.
inline const reports::Finding* find(const reports::Report& r, const std::string& kind, const std::string& subject) {
  for (const auto& f : r.findings) {
    if (f.kind == kind && (f.account_id == subject || f.person_email == subject || f.entitlement_id == subject)) {
      return &f;
    }
  }
  return nullptr;
}

inline std::string kinds(const reports::Report& r) {
  std::string out;
  for (const auto& f : r.findings) out += f.kind + "(" + f.system + "/" + f.account_id + "/" + f.entitlement_id + ") ";
  return out;
}

}  // namespace rollcall::testing
