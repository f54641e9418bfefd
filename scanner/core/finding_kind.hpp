// The closed sets every module agrees on: severities and finding kinds, as ONE typed table.
// The drift engine emits kinds from it, policy `settings` validate severity overrides against
// it, `plan --kind` and the reports read it, and the manual's findings page is checked against
// it by a test. Adding a kind is one row here plus its check in scanner/drift.
//
// Also the structured facts a finding carries for machines (plan reads only these, never the
// English of `expected`/`actual`/`message`). Plain values; thread-safe (constant data).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/result.hpp"

namespace rollcall {

enum class Severity { info = 0, low = 1, medium = 2, high = 3, critical = 4, error = 5 };
std::string_view to_string(Severity s);
// Accepts exactly the names to_string() produces; nullopt otherwise.
std::optional<Severity> parse_severity(std::string_view text);

enum class FindingKind {
  terminated_active,
  unauthorized_access,
  privilege_mismatch,
  orphan_account,
  sod_violation,
  service_account_owner_invalid,
  duplicate_account,
  missing_access,
  exception_expired,
  dormant_account,
  system_incomplete,
  everyone_access,
  nested_access,
  credential_stale,
  credential_unused,
  credential_expired,
  credential_owner_inactive,
  mfa_missing,
};

inline constexpr std::size_t kFindingKindCount = 18;

// Credential findings name the credential as their entitlement, "credential:<id>", so each
// credential has its own fingerprint and an exception can cover exactly one.
inline constexpr std::string_view kCredentialPrefix = "credential:";

// What one finding of a kind is about, which decides its fingerprint's subject.
enum class FindingSubject {
  account,      // one account of one system (account_id set)
  person,       // a person across one system or several (person_email set)
  entitlement,  // one entitlement of one system, whoever it reaches (entitlement_id set)
  system,       // a whole system (or a policy record such as an exception)
};

struct FindingKindInfo {
  FindingKind kind;
  std::string_view name;
  Severity severity;        // default; policy settings may override it
  FindingSubject subject;
  std::string_view exempt;  // who is exempt, and why: one line for the manual and `--help`
};

// Every kind, in enum order.
std::span<const FindingKindInfo> finding_kinds();
const FindingKindInfo& info(FindingKind kind);
std::string_view to_string(FindingKind kind);
std::optional<FindingKind> parse_finding_kind(std::string_view name);
std::vector<std::string> finding_kind_names();

// How an account holds an entitlement: one (level, via) pair per path. via is "direct", the
// containing entitlement id it is inherited through, or kViaEveryone / kViaEveryoneDefault.
struct HeldLevel {
  std::string level;
  std::string via;
};

// The structured facts of a finding. Each field is set only for the kinds that say so; empty
// means "not applicable". Serialised as the `facts` object of report.json and the store.
struct FindingFacts {
  // unauthorized_access, privilege_mismatch, nested_access, everyone_access: how it is held.
  std::vector<HeldLevel> held;
  // privilege_mismatch, missing_access: the levels the policy allows; the first is the one to
  // grant or set.
  std::vector<std::string> allowed_levels;
  // missing_access without an account: "absent" (no account at all), or "disabled" (only
  // disabled or suspended accounts, listed in `accounts`).
  std::string account_state;
  // duplicate_account: every active account's id; missing_access: the inactive accounts;
  // nested_access and everyone_access: the active accounts reached (ids).
  std::vector<std::string> accounts;
  // nested_access: the entitlement the reached one is inherited through.
  std::string via;
  // nested_access, everyone_access: how many accounts (people or not) it reaches.
  std::int64_t reach = 0;
  bool privileged = false;
  // credential_*: the credential's id in the system and its kind (access_key, password, ...).
  std::string credential_id;
  std::string credential_kind;
};

// JSON text of the facts (an object; empty members left out) and back. from_json fails on
// text that is not such an object, naming what is wrong.
std::string facts_to_json(const FindingFacts& facts);
Result<FindingFacts> facts_from_json(std::string_view text);

}  // namespace rollcall
