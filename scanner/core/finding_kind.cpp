#include "scanner/core/finding_kind.hpp"

#include <array>
#include <nlohmann/json.hpp>

#include "scanner/core/strings.hpp"

namespace rollcall {
namespace {

using Json = nlohmann::json;
using S = Severity;
using Sub = FindingSubject;

constexpr std::array<std::string_view, 6> kSeverityNames = {"info", "low", "medium", "high", "critical", "error"};

// The one table of finding kinds. Order = FindingKind's order (checked below).
constexpr std::array<FindingKindInfo, kFindingKindCount> kKinds = {{
    {FindingKind::terminated_active, "terminated_active", S::critical, Sub::account,
     "disabled or suspended accounts; people not yet past their end date"},
    {FindingKind::unauthorized_access, "unauthorized_access", S::high, Sub::account,
     "inactive accounts; terminated people (terminated_active covers them); unmatched accounts (orphan_account "
     "covers them); entitlements in the system's baseline; grants reaching the account only through a grant to "
     "everyone (everyone_access) or through a nesting (nested_access). Critical when the entitlement is privileged"},
    {FindingKind::privilege_mismatch, "privilege_mismatch", S::high, Sub::account,
     "levels inside the set the policy allows; inactive accounts; terminated people"},
    {FindingKind::orphan_account, "orphan_account", S::high, Sub::account,
     "builtin platform accounts (Slackbot, ghost, ...); registered service accounts; inactive accounts; accounts "
     "whose identity the platform hides (counted per system as unmatched instead)"},
    {FindingKind::sod_violation, "sod_violation", S::high, Sub::person,
     "inactive accounts; people with a valid exception for the rule (excepted)"},
    {FindingKind::service_account_owner_invalid, "service_account_owner_invalid", S::high, Sub::account,
     "inactive accounts"},
    {FindingKind::duplicate_account, "duplicate_account", S::medium, Sub::person,
     "inactive accounts; builtin accounts; terminated people (terminated_active covers each account)"},
    {FindingKind::missing_access, "missing_access", S::medium, Sub::person,
     "people who should not have access yet or now: terminated, on leave, not yet started; people with an "
     "ambiguous account (orphan_account covers it); baseline entitlements (allowed, never required)"},
    {FindingKind::exception_expired, "exception_expired", S::medium, Sub::system,
     "none: each expired exception is reported once"},
    {FindingKind::dormant_account, "dormant_account", S::low, Sub::account,
     "people whose roster status is not in settings dormant_statuses (default: active only, so people on leave are "
     "exempt); accounts with no recorded login; builtin and inactive accounts"},
    {FindingKind::system_incomplete, "system_incomplete", S::error, Sub::system, "none"},
    {FindingKind::everyone_access, "everyone_access", S::high, Sub::entitlement,
     "entitlements in the system's baseline; the platform's own defaults (PostgreSQL: CONNECT and TEMPORARY on "
     "databases to PUBLIC) unless the baseline opts out. Critical when the entitlement is privileged"},
    {FindingKind::nested_access, "nested_access", S::high, Sub::entitlement,
     "nestings a policy accepts (nesting { ... }); people the policy grants the reached entitlement anyway. "
     "Critical when the reached entitlement is privileged"},
    {FindingKind::credential_stale, "credential_stale", S::medium, Sub::account,
     "inactive credentials; inactive accounts; passwords and certificates (judged by their expiry); credentials "
     "created within settings credentials.rotation_days (default 90)"},
    {FindingKind::credential_unused, "credential_unused", S::low, Sub::account,
     "inactive credentials; inactive accounts; credentials used within settings credentials.unused_days (default 90); "
     "never-used credentials created within that window; credentials whose platform does not record use"},
    {FindingKind::credential_expired, "credential_expired", S::medium, Sub::account,
     "inactive credentials; inactive accounts; credentials with no expiry or not yet past it"},
    {FindingKind::credential_owner_inactive, "credential_owner_inactive", S::critical, Sub::account,
     "inactive credentials; inactive accounts; accounts of active people; service accounts whose owner is an active "
     "person of the roster"},
    {FindingKind::mfa_missing, "mfa_missing", S::high, Sub::account,
     "inactive, builtin, service and bot accounts; accounts whose platform does not say (no mfa_enrolled attribute); "
     "where the platform reports console passwords, accounts without an active one"},
}};

constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < kKinds.size(); ++i) {
    if (static_cast<std::size_t>(kKinds[i].kind) != i) return false;
  }
  return true;
}
static_assert(table_in_enum_order(), "kKinds must list the kinds in FindingKind's order");
static_assert(static_cast<std::size_t>(FindingKind::mfa_missing) + 1 == kFindingKindCount,
              "every FindingKind needs a row in kKinds");

std::vector<std::string> string_list(const Json& j, const char* key) {
  std::vector<std::string> out;
  for (const auto& v : j.at(key)) out.push_back(v.get<std::string>());
  return out;
}

}  // namespace

std::string_view to_string(Severity s) { return kSeverityNames[static_cast<std::size_t>(s)]; }

std::optional<Severity> parse_severity(std::string_view text) {
  for (std::size_t i = 0; i < kSeverityNames.size(); ++i) {
    if (kSeverityNames[i] == text) return static_cast<Severity>(i);
  }
  return std::nullopt;
}

std::span<const FindingKindInfo> finding_kinds() { return kKinds; }
const FindingKindInfo& info(FindingKind kind) { return kKinds[static_cast<std::size_t>(kind)]; }
std::string_view to_string(FindingKind kind) { return info(kind).name; }

std::optional<FindingKind> parse_finding_kind(std::string_view name) {
  for (const auto& k : kKinds) {
    if (k.name == name) return k.kind;
  }
  return std::nullopt;
}

std::vector<std::string> finding_kind_names() {
  std::vector<std::string> out;
  for (const auto& k : kKinds) out.emplace_back(k.name);
  return out;
}

std::string facts_to_json(const FindingFacts& f) {
  Json j = Json::object();
  if (!f.held.empty()) {
    Json held = Json::array();
    for (const auto& h : f.held) held.push_back(Json{{"level", h.level}, {"via", h.via}});
    j["held"] = std::move(held);
  }
  if (!f.allowed_levels.empty()) j["allowed_levels"] = f.allowed_levels;
  if (!f.account_state.empty()) j["account_state"] = f.account_state;
  if (!f.accounts.empty()) j["accounts"] = f.accounts;
  if (!f.via.empty()) j["via"] = f.via;
  if (f.reach != 0) j["reach"] = f.reach;
  if (f.privileged) j["privileged"] = true;
  if (!f.credential_id.empty()) j["credential_id"] = f.credential_id;
  if (!f.credential_kind.empty()) j["credential_kind"] = f.credential_kind;
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<FindingFacts> facts_from_json(std::string_view text) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail("finding facts: not a JSON object");
  FindingFacts f;
  try {
    if (j.contains("held")) {
      for (const auto& h : j.at("held")) f.held.push_back({h.at("level").get<std::string>(), h.at("via").get<std::string>()});
    }
    if (j.contains("allowed_levels")) f.allowed_levels = string_list(j, "allowed_levels");
    if (j.contains("account_state")) f.account_state = j.at("account_state").get<std::string>();
    if (j.contains("accounts")) f.accounts = string_list(j, "accounts");
    if (j.contains("via")) f.via = j.at("via").get<std::string>();
    if (j.contains("reach")) f.reach = j.at("reach").get<std::int64_t>();
    if (j.contains("privileged")) f.privileged = j.at("privileged").get<bool>();
    if (j.contains("credential_id")) f.credential_id = j.at("credential_id").get<std::string>();
    if (j.contains("credential_kind")) f.credential_kind = j.at("credential_kind").get<std::string>();
  } catch (const Json::exception& e) {
    return fail(std::string("finding facts: ") + e.what());
  }
  return f;
}

}  // namespace rollcall
