// The write side of a connector: read the live state of ONE target, and apply one change to it.
//
// Apply (scanner/plan) drives a Writer: it reads the target right before acting, acts only when
// the live state is the planned before-state, and after any failed write reads again before it
// retries. A Writer therefore never retries a write itself and never decides whether a change is
// needed. Not thread-safe; one Writer serves one system for one apply run.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "scanner/core/result.hpp"

namespace rollcall::connectors {

// enable_account reactivates an existing disabled or suspended account (a rehire), where
// create_account would fail or duplicate it. deactivate_credential makes one credential
// unusable, reversibly where the platform allows (an access key set Inactive), otherwise by
// removing it (a console password's login profile deleted).
enum class ChangeType { grant, revoke, set_level, create_account, disable_account, enable_account, deactivate_credential };

inline std::string_view to_string(ChangeType type) {
  switch (type) {
    case ChangeType::grant: return "grant";
    case ChangeType::revoke: return "revoke";
    case ChangeType::set_level: return "set_level";
    case ChangeType::create_account: return "create_account";
    case ChangeType::disable_account: return "disable_account";
    case ChangeType::enable_account: return "enable_account";
    case ChangeType::deactivate_credential: return "deactivate_credential";
  }
  return "";
}

// One change to one target. For grant/set_level, `level` is the level to hold; for
// create_account, `account_id` is the person's email.
struct Change {
  ChangeType type = ChangeType::grant;
  std::string account_id;
  std::string account_login;
  std::string entitlement_id;  // "" for account changes
  std::string level;
  std::string person_name;  // create_account: the person's name in the roster ("" if unknown)
  std::string credential_id;  // deactivate_credential: the credential's id in the system
};

// The live state of one target: the account, and its grant of the change's entitlement.
struct LiveState {
  bool account_exists = false;
  bool account_active = false;
  std::optional<std::string> level;  // the direct grant's level; nullopt when absent
  // deactivate_credential: whether the credential is active; nullopt when it no longer exists.
  std::optional<bool> credential_active;
};

// A system's writer may not support every change (GitHub cannot disable an account, only
// remove it). read() then fails at once with unsupported(): apply reports the action failed,
// and the user can route the system to tickets (apply_via = "tickets").
inline Error unsupported(const Change& change, std::string_view connector_type) {
  return Error(std::string(connector_type) + " cannot " + std::string(to_string(change.type)) +
               " through its API; set apply_via = \"tickets\" on the system to file such changes as tickets");
}

class Writer {
 public:
  virtual ~Writer() = default;
  // Reads the target of `change` now. Fails when the system cannot be read (the error names
  // the system and the request); a failure is never reported as "absent".
  virtual Result<LiveState> read(const Change& change) = 0;
  // Applies the change once. A failure may mean the write did or did not take effect.
  virtual Result<void> write(const Change& change) = 0;
};

}  // namespace rollcall::connectors
