// Apply: executes a plan's actions through the connectors' Writers, safely and re-runnably.
//
// Before anything: the plan must still describe the latest observation (fresh), the workspace
// lock must be free, and the destructive actions must fit the blast-radius limits. Then per
// action: read the live state; already the desired state = noop; the planned before-state = act;
// anything else = conflict (skipped, reported). A failed write is followed by a read before any
// retry: if it took effect, it is done; only if the target is still in the before-state is it
// retried. Every action's state is journaled in the store (apply_journal), so a rerun after a
// crash skips what was done and never repeats it. Not thread-safe; one apply per workspace, held
// by ApplyLock across processes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/api/writer.hpp"
#include "scanner/core/result.hpp"
#include "scanner/core/time.hpp"
#include "scanner/plan/plan.hpp"
#include "scanner/store/sqlite.hpp"

namespace rollcall::plan {

// An exclusive, non-blocking lock on <workspace>/rollcall.apply.lock (flock), released when
// destroyed or when the process dies.
class ApplyLock {
 public:
  // Fails at once when another process holds it: "another apply is running on this workspace
  // (<path> is locked)".
  static Result<std::unique_ptr<ApplyLock>> acquire(const std::filesystem::path& path);
  ~ApplyLock();
  ApplyLock(const ApplyLock&) = delete;
  ApplyLock& operator=(const ApplyLock&) = delete;

 private:
  explicit ApplyLock(int fd) : fd_(fd) {}
  int fd_;
};

// Fails when the plan's basis is no longer the latest: a system's latest snapshot is not the
// planned data (other digest, or not complete), or the latest scan used other roster or policy
// digests. The message names what moved and says how to proceed.
Result<void> check_fresh(const Plan& plan, store::Database& db);

// Fails unless every action of the plan is exactly one the plan's own scan calls for: the scan
// is in this database, and rebuilding the plan from its stored findings yields each action with
// the same id, type, target, before and after states, and the same basis snapshots and digests.
// So a plan file can be reviewed, filtered or shortened, but an edited or invented action (an
// attacker's grant, a revoke relabelled) is refused, with no key to manage (docs/security.md).
Result<void> check_derived(const Plan& plan, store::Database& db);

struct BlastLimits {
  std::optional<std::int64_t> max_destructive;  // per plan
  std::optional<double> max_destructive_share;  // of a system's accounts in the basis snapshot, 0..1
};
// Fails when the plan's destructive actions (destructive() of each action's type, never the
// file's flag) exceed a limit, naming the count and the limit, or when an action's system is
// not in the basis (its share could not be measured).
Result<void> check_blast_radius(const Plan& plan, const BlastLimits& limits, store::Database& db);

enum class Outcome { done, noop, conflict, failed, would_change };
std::string_view to_string(Outcome outcome);

struct ActionReport {
  const Action* action = nullptr;
  Outcome outcome = Outcome::failed;
  int attempts = 0;
  std::string detail;  // conflict: the live state; failed: the error
};

struct ApplyOptions {
  bool dry_run = false;
  int max_attempts = 3;
  const Clock* clock = nullptr;  // journal times; null = the system clock
};

// Returns the Writer of a system, or fails (no writer for that connector type, bad config).
using WriterLookup = std::function<Result<connectors::Writer*>(const std::string& system)>;

// Runs every action of the plan and journals it. `progress` is called once per action as it
// finishes. Fails only on a journal (store) error; action failures are reports.
Result<std::vector<ActionReport>> apply_plan(const Plan& plan, store::Database& db, const WriterLookup& writers,
                                             const ApplyOptions& options,
                                             const std::function<void(const ActionReport&)>& progress);

}  // namespace rollcall::plan
