// The apply journal: one row per (plan, action), moved from pending to done/noop/conflict/
// failed as apply works, so that a rerun after a crash skips what was completed; and, kept
// forever, the audit trail of what apply did (`rollcall history --applies`). Borrows the
// Database; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/result.hpp"
#include "scanner/core/time.hpp"
#include "scanner/store/sqlite.hpp"

namespace rollcall::store {

struct JournalEntry {
  std::string action_id;
  std::string system;
  std::string action;  // the plan's line for it: "+ grant github jdoe team:platform (member)"
  std::string state;   // pending, done, noop, conflict, failed
  std::int64_t attempts = 0;
  std::string last_error;
  UnixTime first_at = 0;
  UnixTime updated_at = 0;
};

// One plan as applied, over all its runs.
struct JournalPlan {
  std::string plan_id;
  UnixTime first_at = 0;    // the first action recorded
  UnixTime updated_at = 0;  // the last update
  std::map<std::string, std::int64_t> states;  // state -> number of actions
};

class ApplyJournal {
 public:
  ApplyJournal(Database& db, std::string plan_id) : db_(db), plan_id_(std::move(plan_id)) {}

  // The recorded state of an action, or "" when none.
  Result<std::string> state(const std::string& action_id);
  // Records the action's state now; the first record of an action keeps its first_at.
  Result<void> record(const JournalEntry& entry, std::int64_t seq, UnixTime now);

  // The plans applied in this workspace, most recently updated first, at most `limit`.
  static Result<std::vector<JournalPlan>> plans(Database& db, int limit);
  // The actions of one plan in plan order; empty when the plan was never applied.
  Result<std::vector<JournalEntry>> entries();

 private:
  Database& db_;
  std::string plan_id_;
};

}  // namespace rollcall::store
