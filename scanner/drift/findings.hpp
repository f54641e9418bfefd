// Finding construction shared by every check of the drift engine: the finding kinds and their
// default severities (DESIGN.md), severity overrides from policy settings, stable fingerprints,
// and exceptions. An exception never hides a finding: a valid one turns it into `excepted`
// (with ticket and expiry in the evidence); an expired one leaves it open, says so in the
// evidence, and is itself reported as exception_expired.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "policies/engine/policy.hpp"
#include "reports/report.hpp"
#include "scanner/core/result.hpp"
#include "scanner/drift/identity.hpp"

namespace rollcall::drift {

enum class Kind {
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
};
inline constexpr std::size_t kKindCount = 11;

std::string_view to_string(Kind kind);
// Default severity; unauthorized_access on a privileged entitlement is critical instead.
reports::Severity default_severity(Kind kind);

// The fingerprint of a finding: sha256 (hex) of kind, system, subject and entitlement, where the
// subject is the account id, or "person:<email>" for findings about a person rather than one
// account (missing_access, duplicate_account, sod_violation). Stable across scans.
std::string fingerprint(std::string_view kind, std::string_view system, std::string_view subject,
                        std::string_view entitlement);

// What the exception check needs to know about the account a finding is about.
struct Subject {
  std::string_view account_email;  // the account's own email, if any
};

class FindingSink {
 public:
  // Validates the severity overrides of the policy settings. Fails naming the bad kind or value:
  // `settings severity: unknown finding kind "orphan" (did you mean "orphan_account"?)`.
  static Result<FindingSink> create(const policy::PolicyEngine& policy, const EmailRules& rules, UnixTime now);

  // Completes `f` (kind, severity, fingerprint, exception) and keeps it. `f` must have system,
  // account/person and entitlement set. `privileged` raises unauthorized_access to critical.
  void add(Kind kind, reports::Finding f, const Subject& subject = {}, bool privileged = false);
  // Adds one exception_expired finding per expired exception.
  void add_expired_exceptions();

  std::vector<reports::Finding>& findings() { return findings_; }

 private:
  FindingSink(const policy::PolicyEngine& policy, const EmailRules& rules, UnixTime now)
      : policy_(&policy), rules_(rules), now_(now) {}
  bool expired(const policy::ExceptionRule& x) const;
  bool covers(const policy::ExceptionRule& x, const reports::Finding& f, const Subject& s) const;
  void apply_exceptions(reports::Finding& f, const Subject& s) const;

  const policy::PolicyEngine* policy_;
  EmailRules rules_;
  UnixTime now_;
  std::array<reports::Severity, kKindCount> severity_{};
  std::array<bool, kKindCount> overridden_{};
  std::unordered_map<std::string, reports::Severity> entitlement_severity_;
  std::unordered_map<std::string, std::vector<const policy::ExceptionRule*>> exceptions_by_system_;
  std::vector<const policy::ExceptionRule*> sod_exceptions_;
  std::vector<reports::Finding> findings_;
};

}  // namespace rollcall::drift

namespace rollcall::drift {

// The report order (reports/report.hpp): severity (highest first), then kind, system, account,
// entitlement, fingerprint.
void sort_findings(std::vector<reports::Finding>& findings);

}  // namespace rollcall::drift
