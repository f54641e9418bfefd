// Finding construction shared by every check of the drift engine: severity overrides from policy
// settings, stable fingerprints, owners, and exceptions. An exception never hides a finding: a valid one turns it into `excepted`
// (with ticket and expiry in the evidence); an expired one leaves it open, says so in the
// evidence, and is itself reported as exception_expired.
#pragma once

#include <array>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "policies/engine/policy.hpp"
#include "reports/report.hpp"
#include "scanner/core/result.hpp"
#include "scanner/drift/identity.hpp"

namespace rollcall::drift {

// The kinds and their default severities are the one table in scanner/core/finding_kind.hpp.
using Kind = FindingKind;

// The fingerprint of a finding: sha256 (hex) of kind, system, subject and entitlement, where the
// subject is the account id, or "person:<email>" for findings about a person rather than one
// account, or "" for findings about an entitlement or a system (the kind table says which).
// Stable across scans.
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
  // account/person and entitlement set. `f.facts.privileged` raises unauthorized_access,
  // everyone_access and nested_access to critical.
  void add(Kind kind, reports::Finding f, const Subject& subject = {});
  // Adds one exception_expired finding per expired exception. `resolve` fills in the account an
  // exception written with an email or login covers (id, login, snapshot evidence) when a
  // checked system shows it.
  void add_expired_exceptions(const std::function<void(const policy::ExceptionRule&, reports::Finding&)>& resolve);

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
  std::array<reports::Severity, kFindingKindCount> severity_{};
  std::array<bool, kFindingKindCount> overridden_{};
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
