// The policy engine's interface: what the rest of rollcall knows of the Lua policies. Policies
// say which people should have which entitlements in which system (roles, assign, rules), what
// is allowed by exception or as a registered service account, which combinations are forbidden
// (SoD), and settings. This header is the seam: nothing outside policies/engine touches Lua.
//
// Not thread-safe: one PolicyEngine holds one lua_State, reused across evaluations.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/result.hpp"
#include "scanner/core/time.hpp"
#include "scanner/roster/roster.hpp"

namespace rollcall::policy {

// A place in a policy file, e.g. {"policies/eng.lua", 12}; file paths are workspace-relative.
struct Source {
  std::string file;
  int line = 0;
  std::string str() const { return file + ":" + std::to_string(line); }
};

// Why an entitlement is desired (or a role held): the chain that produced it.
struct Provenance {
  enum class Kind { role, rule, service_account };
  Kind kind = Kind::role;
  std::string name;                // role or rule name, or service account id
  std::vector<std::string> chain;  // roles from the assigned one down to the one that lists it
  std::string assigned_by;         // "roster role column (roster.csv:14)" or "assign at policies/x.lua:40"
  Source source;                   // where the entitlement was written
  std::string level;               // the level this source asks for (the grant keeps the highest)
  // role "sre" <- includes "engineer" <- policies/eng.lua:12
  // rule "on-call" <- policies/ops.lua:33
  // service_account "svc_etl" <- policies/data.lua:40
  std::string describe() const;
};

// The fixed ranking used when several sources give one (system, entitlement) different levels:
//   guest < read < triage < member < write < maintain < maintainer < admin < owner
// (it keeps read<triage<write<maintain<admin and guest<member<maintainer<admin<owner). Returns
// the rank, or nullopt for a level outside the list (allowed, but two different unranked levels
// for one entitlement are an evaluation error).
std::optional<int> level_rank(std::string_view level);

// A level as the desired state carries it: one level ("admin"), or a set of allowed levels
// written { "member", "maintainer" } and carried as "member|maintainer". The first level of a
// set is the one to grant (or to set a wrong level to); any level of the set is in policy.
inline constexpr char kLevelSeparator = '|';
std::vector<std::string_view> allowed_levels(std::string_view spec);
bool level_allowed(std::string_view spec, std::string_view held);
std::string_view primary_level(std::string_view spec);
// "member or maintainer", for people.
std::string describe_levels(std::string_view spec);

struct DesiredGrant {
  std::string system;
  std::string entitlement_id;  // "<type>:<name>"
  std::string level;           // "member" unless the policy says otherwise
  bool privileged = false;     // the role/entitlement was marked privileged
  std::vector<Provenance> why;
};

struct AssignedRole {
  std::string role;
  std::string assigned_by;  // as in Provenance::assigned_by; several sources joined by "; "
  bool defined = true;      // false: the roster names a role that no policy defines (no grants)
};

// The desired state for one person.
struct PersonAccess {
  std::vector<AssignedRole> roles;    // sorted by role name
  std::vector<DesiredGrant> grants;   // sorted by (system, entitlement_id); one per pair
};

struct ExceptionRule {
  std::string system;   // empty for an SoD exception (entitlement "sod:<rule name>")
  std::string account;  // account id/login/email in the system; or empty when person is set
  std::string person;   // roster email; the exception covers that person's accounts
  // Entitlement id, or empty for "the account itself" (e.g. orphan), or "sod:<rule name>" for
  // `exception { sod = "<rule name>", ... }`, which lets the person break that SoD rule.
  std::string entitlement;
  UnixTime expires = 0;  // always set; a day written as "2026-12-31" means 23:59:59 UTC
  std::string ticket;
  std::string reason;
  std::string owner;
  Source source;
};

// What every account of a system may hold without a policy granting it per person (a group
// every entry is in, a default channel, CONNECT on a database): never judged per account, and a
// grant to everyone (kViaEveryone) of anything else is reported once per system and
// entitlement. `entitlements` may use `*` as a wildcard; `level` "" allows any level.
struct BaselineEntry {
  std::string entitlement;  // id or pattern
  std::string level;        // level spec as for grants, "" for any
  Source source;
};
struct Baseline {
  std::string system;
  std::vector<BaselineEntry> entitlements;
  // false: the platform's own default grants to everyone (kViaEveryoneDefault) are judged too
  bool platform_defaults = true;
  std::string description;
  std::string owner;
  Source source;
};

// A designed nesting: holding `entitlement` in `system` gives the entitlements in `includes`
// (a PostgreSQL role built on another, a directory group nested on purpose). Access reached
// through it is then implied; any other nesting is reported as nested_access.
struct Nesting {
  std::string system;
  std::string entitlement;
  std::vector<std::string> includes;
  std::string reason;
  std::string owner;
  Source source;
};

struct SodRule {
  std::string name;
  std::vector<std::string> entitlements;  // "<system>:<entitlement id>", at least two
  int max_held = 1;                       // holding more than this many of the set is a violation
  std::string description;
  std::string owner;                      // the owner of the policy file that declares it
  Source source;
};

struct ServiceAccount {
  std::string system;
  std::string account;
  std::string owner;  // roster email of the accountable person
  std::vector<DesiredGrant> entitlements;
  std::optional<UnixTime> expires;  // as for exceptions: a day means through its end
  std::string description;
  std::string policy_owner;  // the owner of the policy file that declares it
  Source source;
};

// Credential thresholds (credential_stale, credential_unused), in days; 0 in a per-system
// override means "as the policy-wide value".
struct CredentialLimits {
  int rotation_days = 0;
  int unused_days = 0;
};

struct Settings {
  int dormant_days = 90;
  CredentialLimits credentials = {90, 90};
  std::map<std::string, CredentialLimits> credential_systems;  // system -> overrides
  // The limits that apply to `system`: its overrides over the policy-wide values.
  CredentialLimits credential_limits(const std::string& system) const {
    CredentialLimits out = credentials;
    if (auto it = credential_systems.find(system); it != credential_systems.end()) {
      if (it->second.rotation_days > 0) out.rotation_days = it->second.rotation_days;
      if (it->second.unused_days > 0) out.unused_days = it->second.unused_days;
    }
    return out;
  }
  // Roster statuses whose people are expected to log in (dormant_account applies to them and
  // to service accounts); people on leave are not, by default.
  std::vector<std::string> dormant_statuses = {"active"};
  bool strip_plus_tags = false;
  std::vector<std::string> domains;  // equivalent email domains: first is canonical
  // finding kind -> severity override; kinds and values (info, low, medium, high, critical,
  // error) are checked at load; values are lower-case
  std::map<std::string, std::string> severity;
  // "<system>:<entitlement id>" -> severity for unauthorized_access on that entitlement
  std::map<std::string, std::string> entitlement_severity;
};

// rules() is sorted by name.
struct RuleInfo { std::string name; std::string owner; Source source; };
struct RoleInfo {
  std::string name;
  std::string owner;
  std::vector<std::string> includes;
  bool privileged = false;
  Source source;
  std::string description;
  // Everything the role gives, includes expanded; sorted by (system, entitlement_id), one per
  // pair at the highest level; assigned_by is empty in the provenance.
  std::vector<DesiredGrant> grants;
};

// What an account looks like to a Lua `match` hook (empty fields are nil in Lua).
struct AccountView {
  std::string system;
  std::string id;
  std::string login;
  std::string email;
  std::string display_name;
  std::string external_id;
};

// Sandbox limits (docs/security-sandbox.md). Exceeding any fails that evaluation (or file
// load) with an error naming the policy's file:line, and the engine rebuilds its Lua state
// before the next call.
struct Limits {
  // Lua VM instructions per evaluation / file load; work done in C functions (bytes copied,
  // elements moved) is charged to the same budget.
  std::int64_t instructions = 50'000'000;
  std::size_t memory_bytes = 64u << 20;  // for the whole lua_State
  // Wall-clock time per evaluation / file load: the backstop for work neither budget sees.
  // Checked every 1000 instructions and whenever a C function is charged that much work.
  std::chrono::milliseconds deadline{10'000};
  // The clock the deadline is measured on; empty means std::chrono::steady_clock. Tests give
  // one that advances on every read.
  std::function<std::chrono::steady_clock::time_point()> ticks;
};

class PolicyEngine {
 public:
  virtual ~PolicyEngine() = default;

  // Loads every policies/**/*.lua under `dir` in a stable (sorted path) order and validates
  // them. known_systems are the system names in rollcall.toml; a reference to any other is an
  // error. `roster` must outlive the engine (manager-chain helpers read it). `now` is the
  // reference time for expiry checks. Fails with "policies/x.lua:12: ..." on the first error.
  static Result<std::unique_ptr<PolicyEngine>> load(const std::filesystem::path& dir,
                                                    const std::filesystem::path& workspace_dir,
                                                    const std::vector<std::string>& known_systems,
                                                    const roster::Roster& roster, UnixTime now,
                                                    Limits limits = {});

  // The desired access of one person: roster roles plus `assign` roles, their entitlements
  // (includes expanded) and the `rule` results, merged per (system, entitlement). The person's
  // status is not considered here (policies may look at it). Fails on a Lua runtime error, an
  // exceeded budget or memory cap, or a bad hook result, as
  // `person "x@acme.com": policies/ops.lua:33: ...`. The engine stays usable after a failure.
  virtual Result<PersonAccess> evaluate(const roster::Person& person) = 0;

  // For callers that evaluate many people (the scan) and memoize: people with equal keys get
  // equal evaluate() results except for the `assigned_by` of their roles and provenances, which
  // name each person's own roster row and are all `assigned_by` here. nullopt when that cannot
  // be known without evaluating the person (the policies have `assign` or `rule` hooks, which
  // may read anything about the person): evaluate() that person. Counts the person as evaluated
  // for warnings(), as evaluate() does.
  struct EvaluationClass {
    std::string key;
    std::string assigned_by;
  };
  virtual std::optional<EvaluationClass> evaluation_class(const roster::Person& person) {
    (void)person;
    return std::nullopt;
  }

  // Runs the policies' `match` hooks for an account, in file order; the roster email (as written
  // in the roster) of the first answer, or nullopt when no hook decides. An answer that is not
  // a roster email is an error.
  virtual Result<std::optional<std::string>> match(const AccountView& account) = 0;
  virtual bool has_match_hooks() const = 0;

  // Whether loading or evaluating read the exact time (os.time(), now()): results may then
  // change any second, so a later scan must not reuse them. today() does not count.
  virtual bool read_exact_time() const { return true; }

  virtual const std::vector<ExceptionRule>& exceptions() const = 0;
  virtual const std::vector<SodRule>& sod_rules() const = 0;
  virtual const std::vector<ServiceAccount>& service_accounts() const = 0;
  virtual const std::vector<Baseline>& baselines() const = 0;
  virtual const std::vector<Nesting>& nestings() const = 0;
  virtual const Settings& settings() const = 0;
  virtual const std::vector<RoleInfo>& roles() const = 0;
  virtual const std::vector<RuleInfo>& rules() const = 0;
  // sha256 over the sorted (path, contents) of every policy file: for each, its
  // workspace-relative path, NUL, its length in decimal, NUL, its bytes.
  virtual const std::string& digest() const = 0;
  // Non-fatal findings of `policy check`, one line each with file:line: exceptions expiring
  // within 14 days or expired, files without owner, roster roles no policy defines, service
  // accounts whose owner is missing or terminated... "Role held by nobody" warnings appear only
  // once every roster person has been evaluated through this engine.
  virtual std::vector<std::string> warnings() const = 0;
};

}  // namespace rollcall::policy
