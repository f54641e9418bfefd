// `rollcall policy diff`: what a change to the Lua policies does, like `terraform plan` does
// for infrastructure. Both sets of policies are evaluated against the same roster; the
// difference is reported per person (or registered service account), system and entitlement as
// gained, lost or changed in level, with the provenance (role/rule/file:line) from each side.
// The findings each side would produce against the same snapshots are compared by fingerprint.
// Plain values and pure functions; the PolicyEngines passed in are used from one thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policies/engine/policy.hpp"
#include "reports/report.hpp"
#include "scanner/core/result.hpp"
#include "scanner/roster/roster.hpp"

namespace rollcall::preview {

inline constexpr std::string_view kPolicyDiffSchema = "rollcall.policy-diff/v1";

// One side's view of a desired grant.
struct GrantSide {
  std::string level;              // level spec, "member|maintainer" for a set
  bool privileged = false;
  std::vector<std::string> why;   // Provenance::describe() of each source
};

enum class AccessChangeKind { gained, lost, level };
std::string_view to_string(AccessChangeKind k);  // "gained", "lost", "level"

struct AccessChange {
  AccessChangeKind kind = AccessChangeKind::gained;
  std::string subject;       // roster email, or "service account <account>" in `system`
  std::string subject_name;  // the person's name, or the service account's description
  std::string system;
  std::string entitlement;
  std::optional<GrantSide> base;  // absent for gained
  std::optional<GrantSide> head;  // absent for lost
};

enum class FindingChangeKind { appears, disappears, now_excepted, no_longer_excepted };
std::string_view to_string(FindingChangeKind k);  // "appears", ...

struct FindingChange {
  FindingChangeKind kind = FindingChangeKind::appears;
  reports::Finding finding;  // the head's finding, or the base's when it disappears
};

struct PolicyDiff {
  std::string base_label;  // "HEAD", "origin/main", or the base folder
  std::string head_label;  // "working tree"
  std::string base_digest;
  std::string head_digest;
  std::size_t people = 0;
  std::vector<AccessChange> access;  // by subject, system, entitlement
  // Whether findings were compared; when not, `findings_note` says why ("no snapshot yet").
  bool findings_compared = false;
  std::string findings_note;
  std::vector<std::string> incomplete_systems;  // not judged on either side
  std::vector<FindingChange> findings;  // by change kind, then the report order
  // Desired access or the findings it produces differ.
  bool changed() const { return !access.empty() || !findings.empty(); }
};

// Evaluates every person of `roster` (and every registered service account) under both engines
// and returns the differences, sorted. Fails on the first evaluation error, naming the side:
// `base policies: person "x@acme.com": policies/ops.lua:33: ...`.
Result<std::vector<AccessChange>> diff_access(const roster::Roster& roster, policy::PolicyEngine& base,
                                              policy::PolicyEngine& head);

// Compares two scans' findings (open and excepted) by fingerprint.
std::vector<FindingChange> diff_findings(const std::vector<reports::Finding>& base,
                                         const std::vector<reports::Finding>& head);

// Renderings. `max_lines` caps the change lines (0: no cap); what is cut is counted in a final
// "… and N more" line. Text is for a terminal (callers make it terminal-safe); Markdown is for
// a pull-request comment (every value escaped); JSON is rollcall.policy-diff/v1 and never cut.
std::string to_text(const PolicyDiff& diff, std::size_t max_lines);
std::string to_markdown(const PolicyDiff& diff, std::size_t max_lines);
std::string to_json(const PolicyDiff& diff);

}  // namespace rollcall::preview
