// A remediation plan: the actions that would converge a system's actual access to the desired
// access, derived from the findings of one stored scan, and its `rollcall.plan/v1` JSON form.
//
// A plan records its basis (the scan, the snapshot each system was read from, the roster and
// policy digests) so that apply can refuse it once the world it was computed from has moved.
// Only findings with one obvious fix become actions: missing_access (grant, create_account when
// the person has no account at all, enable_account when their one account is disabled),
// unauthorized_access (revoke), privilege_mismatch (set_level), terminated_active
// (disable_account), and credential_owner_inactive, credential_unused and credential_expired
// (deactivate_credential; a stale credential needs its owner to rotate it, so it is not planned). Actions follow from the findings' structured facts only. Excepted and resolved findings, carried
// findings and every finding of a system that was not complete in the scan produce nothing.
// Plain values; no thread-safety concerns.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/api/writer.hpp"
#include "scanner/core/result.hpp"
#include "scanner/store/scan_store.hpp"

namespace rollcall::plan {

inline constexpr std::string_view kPlanSchema = "rollcall.plan/v1";

// An action is one change of a connector's writer (connectors/api/writer.hpp), by the same
// names: grant, revoke, set_level, create_account, disable_account, enable_account,
// deactivate_credential.
using ActionType = connectors::ChangeType;
using connectors::to_string;
// Fails on anything but those names.
Result<ActionType> parse_action_type(std::string_view text);

// States are plain words: for grant, revoke and set_level, the grant's level or "absent"; for
// create_account and disable_account, the account's "absent", "active" or "disabled".
inline constexpr std::string_view kAbsent = "absent";
inline constexpr std::string_view kActive = "active";
inline constexpr std::string_view kDisabled = "disabled";
// deactivate_credential: "active" -> "inactive" (a credential that no longer exists reads as
// inactive: it cannot be used either).
inline constexpr std::string_view kInactive = "inactive";

struct Action {
  std::string id;  // stable: derived from type, system, account and entitlement
  ActionType type = ActionType::grant;
  std::string system;
  std::string account_id;     // for create_account: the person's email (the account to create)
  std::string account_login;
  std::string person;         // the person's roster email, or ""
  std::string person_name;    // the person's name in the roster, or "" (create_account uses it)
  std::string entitlement_id; // "" for account actions
  std::string finding;        // fingerprint of the finding this action fixes
  std::string finding_kind;
  std::string before;         // expected live state right before acting
  std::string after;          // desired state
  bool destructive = false;   // removes or lowers access
};

struct SystemBasis {
  std::string system;
  std::int64_t snapshot_id = 0;
  std::string digest;
};

struct Basis {
  std::int64_t scan_id = 0;
  std::string roster_digest;
  std::string policy_digest;
  std::vector<SystemBasis> systems;  // complete systems of the scan, by name
};

// A selected system the scan could not judge, so the plan computes nothing for it. status is
// the scan's word for it: missing (never read), stale, partial or failed.
struct SkippedSystem {
  std::string system;
  std::string status;
};
// "never read: no snapshot was ever taken (run `rollcall snapshot`)", for people.
std::string skip_reason(std::string_view status);

struct Plan {
  std::string id;  // sha256 (hex, 16 chars) of the basis and actions
  std::string created_at;
  Basis basis;
  std::vector<Action> actions;  // ordered by system, account, entitlement, type
  std::vector<SkippedSystem> skipped_systems;  // not judged in the scan: no action computed
};

struct Filters {
  std::vector<std::string> systems;  // empty: all
  std::vector<std::string> kinds;    // action types or finding kinds; empty: all
  std::vector<std::string> owners;   // finding owner teams; empty: all
};

// Whether an action of this type removes or lowers access: revoke, set_level (level orders are
// per system, so any change of level counts) and disable_account. Derived, never read from a
// plan file.
bool destructive(ActionType type);

// Builds the plan of `scan` from its stored findings. Fails when a filter names an unknown kind
// (`--kind "grnt": not an action type or finding kind (did you mean "grant"?)`) or the scan's
// snapshot list is malformed.
Result<Plan> build_plan(const store::ScanRecord& scan, const std::vector<store::FindingRecord>& findings,
                        const Filters& filters, std::string created_at);

// The plan as `rollcall.plan/v1` JSON (pretty-printed, ends with a newline).
std::string to_json(const Plan& plan);
// Parses and validates a plan file's text. A plan file is untrusted input (docs/security.md):
// fails on bad JSON, another schema, a missing or mistyped field, an action whose system is not
// in the basis, two actions with one id, or a plan id that does not match its content (an
// edited plan), naming it. Each action's `destructive` is destructive(type), whatever the
// file says. (The id is an unkeyed hash: apply also checks each action against the stored
// scan, see check_derived in apply.hpp.)
Result<Plan> parse_plan(std::string_view text);

// One line per action like `terraform plan`: "+ grant github jdoe team:platform (member)".
std::string describe(const Action& action);

}  // namespace rollcall::plan
