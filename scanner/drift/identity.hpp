// Identity matching: which person of the roster (or which registered service account) an account
// in a target system belongs to. The rules, strongest first:
//   1. a service account registered in policy for this system (by account id or login);
//   2. the explicit mapping file ([match] mapping = "mapping.csv": system,account,email);
//   3. the built-in rules, all at once: the account's email, login or id equal to a person's
//      email or alias (emails normalized: case, whitespace, "+tag" when settings say so, equivalent
//      domains), its external_id equal to a person's employee_id;
//   4. the policies' `match` hooks, asked only when rule 3 found no person or several.
// An account that the rules tie to two or more people is ambiguous: reported with every
// candidate, never guessed. Not thread-safe (the policy engine is not).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "policies/engine/policy.hpp"
#include "scanner/core/model.hpp"
#include "scanner/core/result.hpp"
#include "scanner/roster/roster.hpp"

namespace rollcall::drift {

struct EmailRules {
  bool strip_plus_tags = false;
  std::vector<std::string> domains;  // equivalent domains; the first is canonical
};

// Trimmed and lowercased; "+tag" removed from the local part when strip_plus_tags; a domain in
// `domains` replaced by the first of them. Text without '@' is only trimmed and lowercased.
std::string normalize_email(std::string_view email, const EmailRules& rules);
// The same, into `out` (replaced), so a caller matching millions of accounts allocates nothing.
void normalize_email(std::string_view email, const EmailRules& rules, std::string& out);

struct MappingEntry {
  std::string system;
  std::string account;  // account id or login in that system
  std::string email;    // the person's roster email
  std::string where;    // "mapping.csv:3"
};

// Reads the mapping CSV: a header naming the columns system, account and email (in any order;
// other columns are ignored), then one row per account. Fails with "mapping.csv:LINE: ..." on a
// missing column, an empty value, or the same account mapped twice (naming both lines).
Result<std::vector<MappingEntry>> load_mapping(const std::filesystem::path& path);

enum class MatchKind : std::uint8_t { none, person, service, ambiguous };

struct Match {
  MatchKind kind = MatchKind::none;
  std::uint32_t index = 0;                // roster.people index, or policy service_accounts() index
  std::string_view via;                   // which rule matched: "email", "mapping.csv:3", ...
  std::vector<std::uint32_t> candidates;  // ambiguous: the people it could be, sorted
  std::string note;                       // what a rule said that did not decide (expired
                                          // registration, a hook naming nobody in the roster)
};

class IdentityMatcher {
 public:
  // Indexes the roster and the policy's service accounts. `roster`, `policy` and `mapping` must
  // outlive the matcher. Fails naming the mapping row when it maps to an email that is not in
  // the roster.
  static Result<IdentityMatcher> create(const roster::Roster& roster, policy::PolicyEngine& policy,
                                        const std::vector<MappingEntry>& mapping, UnixTime now);

  // The owner of one account of `system`. Fails only when a policy match hook fails.
  Result<Match> match(const std::string& system, const Account& account);

  const EmailRules& email_rules() const { return rules_; }
  // The person with this email (normalized), or -1.
  std::int64_t find_person(std::string_view email) const;

 private:
  using Ids = std::vector<std::uint32_t>;
  // Lookups by string_view without building a std::string key.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <class V>
  using Index = std::unordered_map<std::string, V, Hash, std::equal_to<>>;

  IdentityMatcher(const roster::Roster& roster, policy::PolicyEngine& policy)
      : roster_(&roster), policy_(&policy) {}
  void add_candidates(const Index<Ids>& index, std::string_view key, std::string_view rule,
                      std::string_view& via);
  const std::string& account_key(std::string_view system, std::string_view account);

  const roster::Roster* roster_;
  policy::PolicyEngine* policy_;
  EmailRules rules_;
  Index<Ids> by_email_;        // normalized email and email aliases
  Index<Ids> by_login_;        // lowercased non-email aliases
  Index<Ids> by_employee_id_;
  // "<system>\x1f<lowercased id or login>" -> index
  Index<std::uint32_t> services_;
  std::vector<std::string> service_via_;  // "service account registered at policies/svc.lua:3"
  Index<std::uint32_t> expired_services_;
  Index<std::pair<std::uint32_t, std::string>> mapping_;  // -> person, "mapping.csv:3"
  Index<bool> explicit_systems_;  // systems with any service account or mapping entry
  // Scratch, reused for every account.
  std::string key_;
  std::string normalized_;
  Ids found_;
};

}  // namespace rollcall::drift
