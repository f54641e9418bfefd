#include "scanner/plan/plan.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "scanner/core/digest.hpp"
#include "scanner/core/finding_kind.hpp"
#include "scanner/core/strings.hpp"
#include "scanner/core/utf8.hpp"

namespace rollcall::plan {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::array<ActionType, 7> kActionTypes = {
    ActionType::grant,           ActionType::revoke,         ActionType::set_level,           ActionType::create_account,
    ActionType::disable_account, ActionType::enable_account, ActionType::deactivate_credential};
Result<void> check_kinds(const std::vector<std::string>& kinds) {
  std::vector<std::string> known;
  for (ActionType t : kActionTypes) known.emplace_back(to_string(t));
  for (const auto& k : finding_kinds()) known.emplace_back(k.name);
  for (const auto& k : kinds) {
    if (std::find(known.begin(), known.end(), k) != known.end()) continue;
    std::string msg = "--kind " + quote(k) + ": not an action type or finding kind";
    const std::string near = closest_match(k, known);
    if (!near.empty()) msg += " (did you mean " + quote(near) + "?)";
    return fail(msg);
  }
  return {};
}

bool selected(const std::vector<std::string>& filter, std::string_view a, std::string_view b = {}) {
  if (filter.empty()) return true;
  return std::any_of(filter.begin(), filter.end(), [&](const std::string& f) { return f == a || f == b; });
}

// The one level an unauthorized or mismatched grant is held at directly, or nullopt when it is
// held several ways or through something else: only a single direct grant is something apply
// can act on; anything else is left to a human.
std::optional<std::string> single_direct_level(const FindingFacts& facts) {
  if (facts.held.size() != 1 || (facts.held[0].via != "direct" && !facts.held[0].via.empty())) return std::nullopt;
  return facts.held[0].level;
}

// The action fixing one finding, or nothing when the finding has no single obvious fix. Reads
// only the finding's structured facts, never its texts for people.
Result<std::optional<Action>> action_for(const store::FindingRecord& f) {
  auto parsed = facts_from_json(f.facts_json);
  if (!parsed) return parsed.context("finding " + f.fingerprint);
  const FindingFacts& facts = *parsed;
  Action a;
  a.system = f.system;
  a.account_id = f.account_id;
  a.account_login = f.account_login;
  a.person = f.person_id;
  a.person_name = f.person_name;
  a.entitlement_id = f.entitlement_id;
  a.finding = f.fingerprint;
  a.finding_kind = f.kind;
  const auto kind = parse_finding_kind(f.kind);
  if (kind == FindingKind::missing_access) {
    if (f.account_id.empty() && f.entitlement_id.empty() && facts.account_state == kAbsent && !f.person_id.empty()) {
      a.type = ActionType::create_account;
      a.account_id = f.person_id;
      a.before = kAbsent;
      a.after = kActive;
    } else if (f.account_id.empty() && f.entitlement_id.empty() && facts.account_state == kDisabled &&
               facts.accounts.size() == 1) {
      // A rehire: reactivate the one existing account; what it lacks is granted next round.
      a.type = ActionType::enable_account;
      a.account_id = facts.accounts.front();
      a.account_login.clear();
      a.before = kDisabled;
      a.after = kActive;
    } else if (!f.account_id.empty() && !f.entitlement_id.empty() && !facts.allowed_levels.empty()) {
      a.type = ActionType::grant;
      a.before = kAbsent;
      a.after = facts.allowed_levels.front();
    } else {
      return std::optional<Action>();  // duplicate accounts, several inactive ones: a human decides
    }
  } else if (kind == FindingKind::unauthorized_access) {
    auto level = single_direct_level(facts);
    if (f.account_id.empty() || f.entitlement_id.empty() || !level) return std::optional<Action>();
    a.type = ActionType::revoke;
    a.before = *level;
    a.after = kAbsent;
  } else if (kind == FindingKind::privilege_mismatch) {
    auto level = single_direct_level(facts);
    if (f.account_id.empty() || f.entitlement_id.empty() || !level || facts.allowed_levels.empty()) {
      return std::optional<Action>();
    }
    a.type = ActionType::set_level;
    a.before = *level;
    a.after = facts.allowed_levels.front();
  } else if (kind == FindingKind::credential_owner_inactive || kind == FindingKind::credential_unused ||
             kind == FindingKind::credential_expired) {
    if (f.account_id.empty() || facts.credential_id.empty() ||
        f.entitlement_id != std::string(kCredentialPrefix) + facts.credential_id) {
      return std::optional<Action>();
    }
    a.type = ActionType::deactivate_credential;
    a.before = kActive;
    a.after = kInactive;
  } else if (kind == FindingKind::terminated_active) {
    if (f.account_id.empty()) return std::optional<Action>();
    a.type = ActionType::disable_account;
    a.entitlement_id.clear();
    a.before = kActive;
    a.after = kDisabled;
  } else {
    return std::optional<Action>();
  }
  a.destructive = destructive(a.type);
  a.id = sha256_hex(std::string(to_string(a.type)) + '\n' + a.system + '\n' + a.account_id + '\n' +
                    a.entitlement_id).substr(0, 12);
  return std::optional<Action>(std::move(a));
}

Json action_json(const Action& a) {
  return Json{{"id", a.id},
              {"type", to_string(a.type)},
              {"system", a.system},
              {"account", a.account_id},
              {"account_login", a.account_login},
              {"person", a.person},
              {"person_name", a.person_name},
              {"entitlement", a.entitlement_id},
              {"finding", a.finding},
              {"finding_kind", a.finding_kind},
              {"before", a.before},
              {"after", a.after},
              {"destructive", a.destructive}};
}

Json skipped_json(const std::vector<SkippedSystem>& skipped) {
  Json out = Json::array();
  for (const auto& s : skipped) out.push_back(Json{{"system", s.system}, {"status", s.status}, {"reason", skip_reason(s.status)}});
  return out;
}

Json basis_json(const Basis& b) {
  Json systems = Json::array();
  for (const auto& s : b.systems) {
    systems.push_back(Json{{"system", s.system}, {"snapshot_id", s.snapshot_id}, {"digest", s.digest}});
  }
  return Json{{"scan_id", b.scan_id},
              {"roster_digest", b.roster_digest},
              {"policy_digest", b.policy_digest},
              {"systems", std::move(systems)}};
}

// The id covers what apply acts on: basis and actions, not the creation time.
std::string plan_id(const Plan& p) {
  Json actions = Json::array();
  for (const auto& a : p.actions) actions.push_back(action_json(a));
  const Json j{{"basis", basis_json(p.basis)}, {"actions", std::move(actions)}};
  // The replacing handler: stored data may predate the UTF-8 check at entry, and a plan must
  // never abort on it (docs/security.md).
  return sha256_hex(j.dump(-1, ' ', false, Json::error_handler_t::replace)).substr(0, 16);
}

template <class T>
Result<T> field(const Json& j, const char* key, const std::string& where) {
  if (!j.is_object() || !j.contains(key)) return fail(where + ": missing field " + quote(key));
  const Json& v = j[key];
  if constexpr (std::is_same_v<T, std::string>) {
    if (!v.is_string()) return fail(where + ": field " + quote(key) + " is not a string");
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_boolean()) return fail(where + ": field " + quote(key) + " is not a boolean");
  } else {
    if (!v.is_number_integer()) return fail(where + ": field " + quote(key) + " is not an integer");
  }
  return v.get<T>();
}

Result<Action> parse_action(const Json& j, const std::string& where) {
  Action a;
  RC_ASSIGN(a.id, field<std::string>(j, "id", where));
  RC_ASSIGN(std::string type, field<std::string>(j, "type", where));
  auto parsed = parse_action_type(type);
  if (!parsed) return parsed.context(where);
  a.type = *parsed;
  RC_ASSIGN(a.system, field<std::string>(j, "system", where));
  RC_ASSIGN(a.account_id, field<std::string>(j, "account", where));
  RC_ASSIGN(a.account_login, field<std::string>(j, "account_login", where));
  RC_ASSIGN(a.person, field<std::string>(j, "person", where));
  RC_ASSIGN(a.person_name, field<std::string>(j, "person_name", where));
  RC_ASSIGN(a.entitlement_id, field<std::string>(j, "entitlement", where));
  RC_ASSIGN(a.finding, field<std::string>(j, "finding", where));
  RC_ASSIGN(a.finding_kind, field<std::string>(j, "finding_kind", where));
  RC_ASSIGN(a.before, field<std::string>(j, "before", where));
  RC_ASSIGN(a.after, field<std::string>(j, "after", where));
  // The file's own "destructive" flag is not trusted: it follows from the action type.
  RC_ASSIGN(bool written, field<bool>(j, "destructive", where));
  (void)written;
  a.destructive = destructive(a.type);
  return a;
}

}  // namespace

bool destructive(ActionType type) {
  return type == ActionType::revoke || type == ActionType::set_level || type == ActionType::disable_account ||
         type == ActionType::deactivate_credential;
}

std::string skip_reason(std::string_view status) {
  if (status == "missing") return "never read: no snapshot was ever taken (run `rollcall snapshot`)";
  if (status == "stale") return "stale: its latest snapshot is older than max_snapshot_age";
  if (status == "partial") return "partial: its latest snapshot could not be read completely";
  if (status == "failed") return "failed: its latest snapshot read nothing";
  if (status == "unlinked") return "unlinked: the system its accounts are identified through (identity_from) has no complete snapshot";
  return std::string(status) + ": not judged in the scan";
}

Result<ActionType> parse_action_type(std::string_view text) {
  for (ActionType t : kActionTypes) {
    if (to_string(t) == text) return t;
  }
  return fail("unknown action type " + quote(text));
}

Result<Plan> build_plan(const store::ScanRecord& scan, const std::vector<store::FindingRecord>& findings,
                        const Filters& filters, std::string created_at) {
  RC_TRY(check_kinds(filters.kinds));
  Plan p;
  p.created_at = std::move(created_at);
  p.basis.scan_id = scan.id;
  p.basis.roster_digest = scan.roster_digest;
  p.basis.policy_digest = scan.policy_digest;
  const std::string where = "scan #" + std::to_string(scan.id) + ": snapshots";
  const Json snaps = Json::parse(scan.snapshots_json, nullptr, false);
  if (!snaps.is_array()) return fail(where + ": not a JSON array");
  std::set<std::string> complete;
  for (const Json& s : snaps) {
    RC_ASSIGN(std::string system, field<std::string>(s, "system", where));
    RC_ASSIGN(std::string status, field<std::string>(s, "status", where));
    if (!selected(filters.systems, system)) continue;
    if (status != "complete") {
      p.skipped_systems.push_back({system, status});
      continue;
    }
    SystemBasis b;
    b.system = system;
    RC_ASSIGN(b.snapshot_id, field<std::int64_t>(s, "snapshot_id", where));
    RC_ASSIGN(b.digest, field<std::string>(s, "digest", where));
    p.basis.systems.push_back(std::move(b));
    complete.insert(system);
  }
  std::sort(p.basis.systems.begin(), p.basis.systems.end(),
            [](const SystemBasis& a, const SystemBasis& b) { return a.system < b.system; });
  std::sort(p.skipped_systems.begin(), p.skipped_systems.end(),
            [](const SkippedSystem& a, const SkippedSystem& b) { return a.system < b.system; });

  std::set<std::string> ids;
  for (const auto& f : findings) {
    if (f.status != "new" && f.status != "persisting") continue;  // excepted, resolved, carried
    if (!complete.count(f.system)) continue;
    if (!filters.owners.empty() && !selected(filters.owners, f.owner)) continue;
    RC_ASSIGN(auto a, action_for(f));
    if (!a || !selected(filters.kinds, to_string(a->type), f.kind)) continue;
    if (!ids.insert(a->id).second) continue;  // one action per target, even if two findings ask
    p.actions.push_back(std::move(*a));
  }
  std::sort(p.actions.begin(), p.actions.end(), [](const Action& a, const Action& b) {
    return std::tie(a.system, a.account_id, a.entitlement_id, a.type) <
           std::tie(b.system, b.account_id, b.entitlement_id, b.type);
  });
  p.id = plan_id(p);
  return p;
}

std::string to_json(const Plan& p) {
  Json actions = Json::array();
  for (const auto& a : p.actions) actions.push_back(action_json(a));
  const Json j{{"schema", kPlanSchema},
               {"id", p.id},
               {"created_at", p.created_at},
               {"basis", basis_json(p.basis)},
               {"skipped_systems", skipped_json(p.skipped_systems)},
               {"actions", std::move(actions)}};
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

Result<Plan> parse_plan(std::string_view text) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::exception& e) {
    // nlohmann echoes the bytes it last read, which may be half a character: escaped, so the
    // message stays valid UTF-8 (docs/security.md).
    return fail("not valid JSON: " + escape_invalid_utf8(e.what()));
  }
  RC_ASSIGN(std::string schema, field<std::string>(j, "schema", "plan"));
  if (schema != kPlanSchema) return fail("plan: schema " + quote(schema) + " is not " + quote(kPlanSchema));
  Plan p;
  RC_ASSIGN(p.id, field<std::string>(j, "id", "plan"));
  RC_ASSIGN(p.created_at, field<std::string>(j, "created_at", "plan"));
  if (!j.contains("basis") || !j["basis"].is_object()) return fail("plan: missing field \"basis\"");
  const Json& b = j["basis"];
  RC_ASSIGN(p.basis.scan_id, field<std::int64_t>(b, "scan_id", "plan basis"));
  RC_ASSIGN(p.basis.roster_digest, field<std::string>(b, "roster_digest", "plan basis"));
  RC_ASSIGN(p.basis.policy_digest, field<std::string>(b, "policy_digest", "plan basis"));
  if (!b.contains("systems") || !b["systems"].is_array()) return fail("plan basis: missing field \"systems\"");
  for (const Json& s : b["systems"]) {
    SystemBasis sb;
    RC_ASSIGN(sb.system, field<std::string>(s, "system", "plan basis system"));
    RC_ASSIGN(sb.snapshot_id, field<std::int64_t>(s, "snapshot_id", "plan basis system"));
    RC_ASSIGN(sb.digest, field<std::string>(s, "digest", "plan basis system"));
    p.basis.systems.push_back(std::move(sb));
  }
  if (j.contains("skipped_systems") && j["skipped_systems"].is_array()) {
    for (const Json& s : j["skipped_systems"]) {
      SkippedSystem k;
      RC_ASSIGN(k.system, field<std::string>(s, "system", "plan skipped system"));
      RC_ASSIGN(k.status, field<std::string>(s, "status", "plan skipped system"));
      p.skipped_systems.push_back(std::move(k));
    }
  }
  if (!j.contains("actions") || !j["actions"].is_array()) return fail("plan: missing field \"actions\"");
  for (std::size_t i = 0; i < j["actions"].size(); ++i) {
    RC_ASSIGN(Action a, parse_action(j["actions"][i], "plan action " + std::to_string(i + 1)));
    p.actions.push_back(std::move(a));
  }
  if (plan_id(p) != p.id) return fail("plan " + p.id + ": content does not match its id (the file was edited)");
  std::set<std::string> basis_systems, ids;
  for (const auto& s : p.basis.systems) basis_systems.insert(s.system);
  for (std::size_t i = 0; i < p.actions.size(); ++i) {
    const Action& a = p.actions[i];
    const std::string where = "plan " + p.id + ": action " + std::to_string(i + 1) + " (" + a.id + ")";
    // An action outside the basis would escape both the stale-plan and the blast-radius check.
    if (!basis_systems.count(a.system)) {
      return fail(where + ": system " + quote(a.system) + " is not in the plan's basis");
    }
    if (!ids.insert(a.id).second) return fail(where + ": the id appears twice");
  }
  return p;
}

std::string describe(const Action& a) {
  const std::string who = a.account_login.empty() ? a.account_id : a.account_login;
  switch (a.type) {
    case ActionType::grant:
      return "+ grant " + a.system + " " + who + " " + a.entitlement_id + " (" + a.after + ")";
    case ActionType::revoke:
      return "- revoke " + a.system + " " + who + " " + a.entitlement_id + " (" + a.before + ")";
    case ActionType::set_level:
      return "~ set_level " + a.system + " " + who + " " + a.entitlement_id + " (" + a.before + " -> " + a.after + ")";
    case ActionType::create_account:
      return "+ create_account " + a.system + " " + who;
    case ActionType::disable_account:
      return "- disable_account " + a.system + " " + who;
    case ActionType::enable_account:
      return "+ enable_account " + a.system + " " + who;
    case ActionType::deactivate_credential:
      return "- deactivate_credential " + a.system + " " + who + " " + a.entitlement_id;
  }
  return "";
}

}  // namespace rollcall::plan
