// The desired state: for every person of the roster, the entitlements the policies say they
// should hold in each system, evaluated once per scan and kept compact (interned ids, one small
// record per desired grant) so 100k people with millions of desired grants fit in little memory.
// Built once, then read-only.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "policies/engine/policy.hpp"
#include "scanner/core/result.hpp"
#include "scanner/drift/string_pool.hpp"
#include "scanner/roster/roster.hpp"

namespace rollcall::drift {

struct DesiredEntry {
  std::uint32_t person;       // roster.people index
  std::uint32_t entitlement;  // DesiredState::entitlements id
  std::uint32_t level;        // DesiredState::levels id
  std::uint32_t provenance;   // DesiredState::texts id: provenance lines joined by '\n'
  std::uint32_t owner;        // DesiredState::texts id: the policy owner (team) of the first source
};

struct SystemDesired {
  std::vector<DesiredEntry> entries;    // grouped by person, in roster order
  std::vector<std::uint32_t> offsets;   // entries of person p: [offsets[p], offsets[p + 1])
  std::unordered_set<std::uint32_t> privileged;  // entitlement ids some policy marks privileged
};

class DesiredState {
 public:
  // memoized: people of one policy::PolicyEngine::evaluation_class are evaluated once (the
  // state is the same as per_person's, which tests compare).
  enum class Evaluation { memoized, per_person };

  // Evaluates the policies for every person. `systems` are the configured system names. Fails
  // with the policy engine's error (naming file:line and the person), or when a policy desires
  // access in a system that is not configured.
  static Result<DesiredState> evaluate(const roster::Roster& roster, policy::PolicyEngine& policy,
                                       const std::vector<std::string>& systems,
                                       Evaluation mode = Evaluation::memoized);

  // The desired entries of one person in one system (empty when the system is unknown).
  std::pair<const DesiredEntry*, const DesiredEntry*> of(std::size_t system, std::uint32_t person) const;
  // Index of a configured system, or -1.
  int system_index(const std::string& name) const;
  const SystemDesired& system(std::size_t index) const { return systems_[index]; }
  // Roles held by a person: "engineer (roster role column (roster.csv:3)), ..."; "" when none.
  const std::string& roles_of(std::uint32_t person) const { return texts.str(roles_[person]); }
  std::size_t grant_count() const;

  StringPool entitlements;
  StringPool levels;
  StringPool texts;

 private:
  std::unordered_map<std::string, std::size_t> system_index_;
  std::vector<SystemDesired> systems_;
  std::vector<std::uint32_t> roles_;
};

}  // namespace rollcall::drift
