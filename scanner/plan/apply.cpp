#include "scanner/plan/apply.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <map>

#include "scanner/core/finding_kind.hpp"
#include "scanner/core/strings.hpp"
#include "scanner/store/apply_journal.hpp"
#include "scanner/store/scan_store.hpp"
#include "scanner/store/snapshot_store.hpp"

namespace rollcall::plan {
namespace {

connectors::Change change_of(const Action& a) {
  connectors::Change c;
  c.type = a.type;
  c.account_id = a.account_id;
  c.account_login = a.account_login;
  c.entitlement_id = a.entitlement_id;
  c.level = a.after;
  c.person_name = a.person_name;
  if (a.type == ActionType::deactivate_credential && starts_with(a.entitlement_id, kCredentialPrefix)) {
    c.credential_id = a.entitlement_id.substr(kCredentialPrefix.size());
  }
  return c;
}

// The live state in the words of the plan's before/after fields.
std::string state_word(const Action& a, const connectors::LiveState& s) {
  if (a.type == ActionType::create_account || a.type == ActionType::disable_account ||
      a.type == ActionType::enable_account) {
    if (!s.account_exists) return std::string(kAbsent);
    return std::string(s.account_active ? kActive : kDisabled);
  }
  if (a.type == ActionType::deactivate_credential) {
    // A credential that is gone can no more be used than an inactive one.
    return std::string(s.credential_active.value_or(false) ? kActive : kInactive);
  }
  return s.level ? *s.level : std::string(kAbsent);
}

// Reads, decides, writes, verifies: the per-action protocol described in apply.hpp.
ActionReport run_action(const Action& a, connectors::Writer& w, const ApplyOptions& options, int& attempts) {
  ActionReport r;
  r.action = &a;
  const connectors::Change change = change_of(a);
  std::string last_error;
  while (true) {
    auto live = w.read(change);
    if (!live) {
      r.outcome = Outcome::failed;
      r.detail = "reading the live state: " + live.error().message();
      if (!last_error.empty()) r.detail += " (after a failed write: " + last_error + ")";
      return r;
    }
    const std::string now = state_word(a, *live);
    if (now == a.after) {
      r.outcome = attempts > 0 ? Outcome::done : Outcome::noop;
      if (attempts > 0 && !last_error.empty()) r.detail = "the write took effect despite: " + last_error;
      return r;
    }
    if (now != a.before) {
      r.outcome = Outcome::conflict;
      r.detail = "live state is " + quote(now) + ", planned " + quote(a.before) + " -> " + quote(a.after);
      return r;
    }
    if (options.dry_run) {
      r.outcome = Outcome::would_change;
      return r;
    }
    if (attempts >= options.max_attempts) {
      r.outcome = Outcome::failed;
      r.detail = "gave up after " + std::to_string(attempts) + " attempt(s): " + last_error;
      return r;
    }
    ++attempts;
    auto written = w.write(change);
    // Success or not, the next loop reads again: a write that "failed" (timeout, reset
    // connection) may well have taken effect, and is retried only if it did not.
    last_error = written ? "" : written.error().message();
  }
}

// The first action whose system is not in the basis: such an action would escape the
// freshness and blast-radius checks, which go system by system through the basis.
Result<void> check_in_basis(const Plan& plan) {
  for (const auto& a : plan.actions) {
    const bool found = std::any_of(plan.basis.systems.begin(), plan.basis.systems.end(),
                                   [&](const SystemBasis& s) { return s.system == a.system; });
    if (!found) {
      return fail("plan " + plan.id + ": action " + a.id + " is for system " + quote(a.system) +
                  ", which is not in the plan's basis");
    }
  }
  return {};
}

bool same_action(const Action& a, const Action& b) {
  return a.type == b.type && a.system == b.system && a.account_id == b.account_id &&
         a.account_login == b.account_login && a.person == b.person && a.person_name == b.person_name &&
         a.entitlement_id == b.entitlement_id && a.finding == b.finding && a.finding_kind == b.finding_kind &&
         a.before == b.before && a.after == b.after;
}

}  // namespace

ApplyLock::~ApplyLock() { ::close(fd_); }

Result<std::unique_ptr<ApplyLock>> ApplyLock::acquire(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return fail(path.string() + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return fail("another apply is running on this workspace (" + path.string() + " is locked)");
    return fail(path.string() + ": " + std::strerror(err));
  }
  return std::unique_ptr<ApplyLock>(new ApplyLock(fd));
}

Result<void> check_derived(const Plan& plan, store::Database& db) {
  const std::string what = "plan " + plan.id + ": ";
  store::ScanStore scans(db);
  RC_ASSIGN(auto scan, scans.get(plan.basis.scan_id));
  if (!scan) return fail(what + "its scan #" + std::to_string(plan.basis.scan_id) + " is not in this workspace");
  RC_ASSIGN(auto findings, scans.findings(scan->id));
  RC_ASSIGN(Plan derived, build_plan(*scan, findings, {}, ""));
  const std::string edited = " (the plan file was edited; run `rollcall plan` again)";
  if (derived.basis.roster_digest != plan.basis.roster_digest ||
      derived.basis.policy_digest != plan.basis.policy_digest) {
    return fail(what + "its roster or policy digest is not that of scan #" + std::to_string(scan->id) + edited);
  }
  for (const auto& s : plan.basis.systems) {
    const bool found = std::any_of(derived.basis.systems.begin(), derived.basis.systems.end(), [&](const SystemBasis& d) {
      return d.system == s.system && d.snapshot_id == s.snapshot_id && d.digest == s.digest;
    });
    if (!found) {
      return fail(what + "system " + quote(s.system) + " is not in scan #" + std::to_string(scan->id) +
                  " with that snapshot" + edited);
    }
  }
  std::map<std::string, const Action*> by_id;
  for (const auto& a : derived.actions) by_id.emplace(a.id, &a);
  for (const auto& a : plan.actions) {
    auto it = by_id.find(a.id);
    if (it == by_id.end() || !same_action(a, *it->second)) {
      return fail(what + "action " + a.id + " (" + describe(a) + ") is not one that scan #" +
                  std::to_string(scan->id) + "'s findings call for" + edited);
    }
  }
  RC_TRY(check_in_basis(plan));
  return {};
}

Result<void> check_fresh(const Plan& plan, store::Database& db) {
  constexpr const char* kHow = "; run `rollcall scan` and `rollcall plan` again, or pass --force-stale";
  const std::string what = "plan " + plan.id + " is stale: ";
  RC_TRY(check_in_basis(plan));
  store::SnapshotStore snapshots(db);
  for (const auto& s : plan.basis.systems) {
    RC_ASSIGN(auto latest, snapshots.latest(s.system));
    if (!latest) return fail(what + "system " + quote(s.system) + " has no snapshot" + kHow);
    if (latest->status != SnapshotStatus::complete) {
      return fail(what + "the latest snapshot of " + quote(s.system) + " (#" + std::to_string(latest->id) +
                  ") is not complete" + kHow);
    }
    if (latest->digest != s.digest) {
      return fail(what + quote(s.system) + " changed since snapshot #" + std::to_string(s.snapshot_id) +
                  " (latest is #" + std::to_string(latest->id) + ")" + kHow);
    }
  }
  store::ScanStore scans(db);
  RC_ASSIGN(auto scan, scans.latest());
  if (!scan) return fail(what + "no scan stored" + kHow);
  if (scan->roster_digest != plan.basis.roster_digest) return fail(what + "the roster changed" + kHow);
  if (scan->policy_digest != plan.basis.policy_digest) return fail(what + "the policies changed" + kHow);
  return {};
}

Result<void> check_blast_radius(const Plan& plan, const BlastLimits& limits, store::Database& db) {
  RC_TRY(check_in_basis(plan));
  std::map<std::string, std::int64_t> by_system;
  std::int64_t total = 0;
  for (const auto& a : plan.actions) {
    if (!destructive(a.type)) continue;
    ++by_system[a.system];
    ++total;
  }
  constexpr const char* kHow = " (pass --allow-destructive to apply anyway)";
  if (limits.max_destructive && total > *limits.max_destructive) {
    return fail("plan " + plan.id + " has " + std::to_string(total) + " destructive actions, more than max_destructive = " +
                std::to_string(*limits.max_destructive) + kHow);
  }
  if (!limits.max_destructive_share) return {};
  store::SnapshotStore snapshots(db);
  for (const auto& s : plan.basis.systems) {
    const std::int64_t n = by_system[s.system];
    if (n == 0) continue;
    RC_ASSIGN(auto snap, snapshots.get(s.snapshot_id));
    const std::int64_t accounts = snap ? snap->accounts : 0;
    if (accounts == 0 || static_cast<double>(n) > *limits.max_destructive_share * static_cast<double>(accounts)) {
      return fail("plan " + plan.id + ": " + std::to_string(n) + " destructive actions on " + quote(s.system) + " (" +
                  std::to_string(accounts) + " accounts) exceed max_destructive_share = " +
                  std::to_string(static_cast<int>(*limits.max_destructive_share * 100 + 0.5)) + "%" + kHow);
    }
  }
  return {};
}

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::done: return "done";
    case Outcome::noop: return "noop";
    case Outcome::conflict: return "conflict";
    case Outcome::failed: return "failed";
    case Outcome::would_change: return "would change";
  }
  return "";
}

Result<std::vector<ActionReport>> apply_plan(const Plan& plan, store::Database& db, const WriterLookup& writers,
                                             const ApplyOptions& options,
                                             const std::function<void(const ActionReport&)>& progress) {
  store::ApplyJournal journal(db, plan.id);
  const SystemClock system_clock;
  const Clock& clock = options.clock ? *options.clock : system_clock;
  std::vector<ActionReport> reports;
  for (std::size_t seq = 0; seq < plan.actions.size(); ++seq) {
    const Action& a = plan.actions[seq];
    auto record = [&](std::string_view state, int attempts, const std::string& error) -> Result<void> {
      if (options.dry_run) return {};  // a dry run leaves no trace
      return journal.record({a.id, a.system, describe(a), std::string(state), attempts, error},
                            static_cast<std::int64_t>(seq), clock.now());
    };
    RC_ASSIGN(std::string before, journal.state(a.id));
    ActionReport r;
    r.action = &a;
    if (before == "done" || before == "noop") {
      r.outcome = Outcome::noop;  // completed by an earlier run: never repeated, not even read
      r.detail = "applied by an earlier run (journal)";
    } else if (auto w = writers(a.system); !w) {
      r.outcome = Outcome::failed;
      r.detail = w.error().message();
      RC_TRY(record(to_string(r.outcome), 0, r.detail));
    } else {
      // Journal the intent first: a crash from here on leaves "pending", and the rerun's read
      // of the live state tells whether the write happened.
      RC_TRY(record("pending", 0, ""));
      int attempts = 0;
      r = run_action(a, **w, options, attempts);
      r.attempts = attempts;
      if (before == "pending" && r.outcome == Outcome::noop) {
        r.outcome = Outcome::done;
        r.detail = "written by an interrupted earlier run";
      }
      RC_TRY(record(to_string(r.outcome), attempts, r.detail));
    }
    if (progress) progress(r);
    reports.push_back(std::move(r));
  }
  return reports;
}

}  // namespace rollcall::plan
