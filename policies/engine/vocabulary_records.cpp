// The record verbs of the policy vocabulary: sod, exception, service_account, baseline, nesting
// and settings.
// Error discipline: see vocabulary_support.hpp.
#include <algorithm>

#include "policies/engine/helpers.hpp"
#include "policies/engine/vocabulary_support.hpp"
#include "scanner/core/finding_kind.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::policy::detail {
namespace {

const std::vector<std::string> kFindingKinds = finding_kind_names();
const std::vector<std::string> kSeverities = {"info", "low", "medium", "high", "critical", "error"};

// ---- sod { name = "...", "<system>:<entitlement id>", ... } ----

bool define_sod(lua_State* L, Session& s) {
  Source at = begin_definition(L, s);
  if (lua_type(L, 1) != LUA_TTABLE) {
    return error_at(L, at, "sod needs a table: sod { name = \"x\", \"github:team:a\", \"netsuite:role:b\" }");
  }
  TableReader t(L, 1);
  SodRule rule;
  rule.source = at;
  std::string problem;
  if (std::string bad = t.unknown_key({"name", "max_held", "description"}); !bad.empty()) {
    return read_error(L, s, at, "sod",
                      {"unknown key " + quote(bad) + " (allowed: name, max_held, description)", "", bad});
  }
  if (!required_string(L, t, "name", "name = \"deploy-vs-approve\"", rule.name, problem) ||
      !optional_string(L, t, "description", rule.description, problem)) {
    return error_at(L, at, "sod: " + problem);
  }
  std::string what = "sod " + quote(rule.name);
  for (const SodRule& other : s.defs->sod_rules) {
    if (other.name == rule.name)
      return error_at(L, at, what + " is already defined at " + other.source.str());
  }
  std::size_t n = t.length();
  if (static_cast<std::size_t>(t.other_keys()) != n) {
    return error_at(L, at, what + ": list the entitlements in order, without holes");
  }
  for (std::size_t i = 1; i <= n; ++i) {
    t.push(static_cast<lua_Integer>(i));
    auto entry = LuaHost::string_at(L, -1);
    if (!entry) {
      return error_at(
          L, at, what + ": entries are \"<system>:<entitlement id>\" strings, not " + describe_type(L, -1));
    }
    std::string text(*entry);
    std::size_t colon = text.find(':');
    std::string system = colon == std::string::npos ? text : text.substr(0, colon);
    if (colon == std::string::npos || !valid_entitlement_id(std::string_view(text).substr(colon + 1))) {
      return read_error(
          L, s, at, what,
          {quote(text) + " is not \"<system>:<type>:<name>\" (e.g. \"github:team:deployers\")", text, ""});
    }
    if (!s.known_system(system)) return read_error(L, s, at, what, {s.unknown_system(system), text, ""});
    if (std::find(rule.entitlements.begin(), rule.entitlements.end(), text) != rule.entitlements.end()) {
      return read_error(L, s, at, what, {quote(text) + " is listed twice", text, ""});
    }
    rule.entitlements.push_back(std::move(text));
    lua_pop(L, 1);
  }
  if (rule.entitlements.size() < 2) return error_at(L, at, what + ": needs at least two entitlements");
  int type = t.push("max_held");
  if (type != LUA_TNIL) {
    lua_Integer max = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
    if (max < 1 || max >= static_cast<lua_Integer>(rule.entitlements.size())) {
      return read_error(
          L, s, at, what,
          {"max_held must be a whole number from 1 to " + std::to_string(rule.entitlements.size() - 1), "",
           "max_held"});
    }
    rule.max_held = static_cast<int>(max);
  }
  s.defs->sod_rules.push_back(std::move(rule));
  return true;
}

int l_sod(lua_State* L) {
  check_loading(L, "sod");
  if (!define_sod(L, session_of(L))) return LuaHost::raise(L, false);
  return 0;
}

// ---- exception { system, account | person, entitlement, expires, ticket, reason } ----

// Reads `expires`: a day means through the end of that day (UTC).
bool read_expires(lua_State* L, const TableReader& t, std::optional<UnixTime>& out, std::string& problem) {
  if (t.push("expires") == LUA_TNIL) {
    lua_pop(L, 1);
    return true;
  }
  DateBox d;
  if (!read_date(L, -1, d, problem)) {
    problem = "expires: " + problem;
    return false;
  }
  out = d.date_only ? d.t + 86399 : d.t;
  lua_pop(L, 1);
  return true;
}

bool define_exception(lua_State* L, Session& s) {
  Source at = begin_definition(L, s);
  if (lua_type(L, 1) != LUA_TTABLE) {
    return error_at(
        L, at,
        "exception needs a table: exception { system = ..., account = ..., expires = ..., ticket = ... }");
  }
  TableReader t(L, 1);
  ExceptionRule ex;
  ex.source = at;
  std::string problem;
  const std::vector<std::string> keys = {"system", "account", "person", "entitlement",
                                         "sod",    "expires", "ticket", "reason"};
  if (std::string bad = t.unknown_key({keys.begin(), keys.end()}); !bad.empty()) {
    std::string close = closest_match(bad, keys);
    return read_error(L, s, at, "exception",
                      {"unknown key " + quote(bad) + " (allowed: " + join(keys, ", ") + ")" +
                           (close.empty() ? "" : "; did you mean " + quote(close) + "?"),
                       "", bad});
  }
  std::optional<UnixTime> expires;
  std::string sod;
  if (!optional_string(L, t, "sod", sod, problem) || !optional_string(L, t, "system", ex.system, problem) ||
      !optional_string(L, t, "account", ex.account, problem) ||
      !optional_string(L, t, "person", ex.person, problem) ||
      !optional_string(L, t, "entitlement", ex.entitlement, problem) ||
      !optional_string(L, t, "reason", ex.reason, problem) || !read_expires(L, t, expires, problem)) {
    return error_at(L, at, "exception: " + problem);
  }
  if (!sod.empty()) {
    // A separation-of-duties exception covers the rule, in whichever systems it spans.
    if (!ex.system.empty() || !ex.entitlement.empty()) {
      return error_at(L, at,
                      "exception: sod names a separation-of-duties rule; leave out system and entitlement");
    }
    ex.entitlement = "sod:" + sod;
  } else if (ex.system.empty()) {
    return error_at(L, at, "exception: missing system (system = \"github\"), or sod = \"<rule name>\"");
  } else if (!s.known_system(ex.system)) {
    return read_error(L, s, at, "exception", {s.unknown_system(ex.system), ex.system, "system"});
  }
  if (ex.account.empty() == ex.person.empty()) {
    return error_at(
        L, at,
        "exception: give exactly one of account (an account in the system) or person (a roster email)");
  }
  if (!ex.entitlement.empty() && !valid_entitlement_id(ex.entitlement)) {
    return read_error(L, s, at, "exception",
                      {"malformed entitlement id " + quote(ex.entitlement) + " (expected \"<type>:<name>\")",
                       ex.entitlement, "entitlement"});
  }
  if (!expires) {
    return error_at(L, at,
                    "exception: missing expires (the last day it applies, e.g. expires = \"2026-12-31\")");
  }
  ex.expires = *expires;
  if (!required_string(L, t, "ticket", "the approval reference, e.g. ticket = \"SEC-123\"", ex.ticket,
                       problem)) {
    return error_at(L, at, "exception: " + problem);
  }
  s.defs->exceptions.push_back(std::move(ex));
  return true;
}

int l_exception(lua_State* L) {
  check_loading(L, "exception");
  if (!define_exception(L, session_of(L))) return LuaHost::raise(L, false);
  return 0;
}

// ---- service_account { system, account, owner, entitlements, expires, description } ----

bool define_service_account(lua_State* L, Session& s) {
  Source at = begin_definition(L, s);
  if (lua_type(L, 1) != LUA_TTABLE) {
    return error_at(
        L, at, "service_account needs a table: service_account { system = ..., account = ..., owner = ... }");
  }
  TableReader t(L, 1);
  ServiceAccount sa;
  sa.source = at;
  std::string problem;
  if (std::string bad =
          t.unknown_key({"system", "account", "owner", "entitlements", "expires", "description"});
      !bad.empty()) {
    return read_error(L, s, at, "service_account",
                      {"unknown key " + quote(bad) +
                           " (allowed: system, account, owner, entitlements, expires, description)",
                       "", bad});
  }
  std::optional<UnixTime> expires;
  if (!required_string(L, t, "system", "system = \"postgres\"", sa.system, problem) ||
      !required_string(L, t, "account", "account = \"svc_etl\"", sa.account, problem) ||
      !required_string(L, t, "owner", "the accountable person's roster email", sa.owner, problem) ||
      !optional_string(L, t, "description", sa.description, problem) ||
      !read_expires(L, t, expires, problem)) {
    return error_at(L, at, "service_account: " + problem);
  }
  sa.expires = expires;
  std::string what = "service_account " + quote(sa.account);
  if (!s.known_system(sa.system))
    return read_error(L, s, at, what, {s.unknown_system(sa.system), sa.system, "system"});
  for (const ServiceAccount& other : s.defs->service_accounts) {
    if (other.system == sa.system && other.account == sa.account) {
      return error_at(
          L, at, what + " in system " + quote(sa.system) + " is already defined at " + other.source.str());
    }
  }
  if (t.push("entitlements") != LUA_TNIL) {
    std::vector<EntryDef> entries;
    ReadError e;
    if (!read_entry_list(L, -1, sa.system, entries, e)) return read_error(L, s, at, what, e);
    for (EntryDef& entry : entries) {
      DesiredGrant g;
      g.system = entry.system;
      g.entitlement_id = entry.entitlement_id;
      g.level = entry.level;
      g.privileged = entry.privileged;
      Provenance p;
      p.kind = Provenance::Kind::service_account;
      p.name = sa.account;
      p.level = entry.level;
      p.source = at;  // resolve points it at the literal's line
      g.why.push_back(std::move(p));
      sa.entitlements.push_back(std::move(g));
    }
  }
  s.defs->service_accounts.push_back(std::move(sa));
  return true;
}

int l_service_account(lua_State* L) {
  check_loading(L, "service_account");
  if (!define_service_account(L, session_of(L))) return LuaHost::raise(L, false);
  return 0;
}

// ---- baseline { system = ..., entitlements = { ... }, platform_defaults = true } ----

bool define_baseline(lua_State* L, Session& s) {
  Source at = begin_definition(L, s);
  if (lua_type(L, 1) != LUA_TTABLE) {
    return error_at(L, at, "baseline needs a table: baseline { system = \"postgres\", entitlements = { ... } }");
  }
  TableReader t(L, 1);
  Baseline b;
  b.source = at;
  std::string problem;
  const std::vector<std::string> keys = {"system", "entitlements", "platform_defaults", "description"};
  if (std::string bad = t.unknown_key({keys.begin(), keys.end()}); !bad.empty()) {
    std::string close = closest_match(bad, keys);
    return read_error(L, s, at, "baseline",
                      {"unknown key " + quote(bad) + " (allowed: " + join(keys, ", ") + ")" +
                           (close.empty() ? "" : "; did you mean " + quote(close) + "?"),
                       "", bad});
  }
  if (!required_string(L, t, "system", "system = \"postgres\"", b.system, problem) ||
      !optional_string(L, t, "description", b.description, problem)) {
    return error_at(L, at, "baseline: " + problem);
  }
  if (!s.known_system(b.system)) return read_error(L, s, at, "baseline", {s.unknown_system(b.system), b.system, "system"});
  if (t.push("platform_defaults") != LUA_TNIL) {
    if (lua_type(L, -1) != LUA_TBOOLEAN) return error_at(L, at, "baseline: platform_defaults must be true or false");
    b.platform_defaults = lua_toboolean(L, -1);
  }
  if (t.push("entitlements") != LUA_TNIL) {
    std::vector<EntryDef> entries;
    ReadError e;
    if (!read_entry_list(L, -1, b.system, entries, e)) return read_error(L, s, at, "baseline", e);
    // An entry without an explicit level allows any level: read_entry_list defaults to "member".
    for (std::size_t i = 1; lua_rawgeti(L, -1, static_cast<lua_Integer>(i)) != LUA_TNIL; ++i) {
      const bool bare = lua_type(L, -1) == LUA_TSTRING;
      lua_pop(L, 1);
      BaselineEntry be;
      be.entitlement = entries[i - 1].entitlement_id;
      be.level = bare ? "" : entries[i - 1].level;
      be.source = entries[i - 1].source.line > 0 ? entries[i - 1].source : at;
      b.entitlements.push_back(std::move(be));
    }
    lua_pop(L, 1);
  }
  s.defs->baselines.push_back(std::move(b));
  return true;
}

int l_baseline(lua_State* L) {
  check_loading(L, "baseline");
  if (!define_baseline(L, session_of(L))) return LuaHost::raise(L, false);
  return 0;
}

// ---- nesting { system = ..., entitlement = ..., includes = { ... }, reason = ... } ----

bool define_nesting(lua_State* L, Session& s) {
  Source at = begin_definition(L, s);
  if (lua_type(L, 1) != LUA_TTABLE) {
    return error_at(L, at,
                    "nesting needs a table: nesting { system = \"postgres\", entitlement = \"role:app_rw\", "
                    "includes = { \"role:app_ro\" } }");
  }
  TableReader t(L, 1);
  Nesting n;
  n.source = at;
  std::string problem;
  const std::vector<std::string> keys = {"system", "entitlement", "includes", "reason"};
  if (std::string bad = t.unknown_key({keys.begin(), keys.end()}); !bad.empty()) {
    std::string close = closest_match(bad, keys);
    return read_error(L, s, at, "nesting",
                      {"unknown key " + quote(bad) + " (allowed: " + join(keys, ", ") + ")" +
                           (close.empty() ? "" : "; did you mean " + quote(close) + "?"),
                       "", bad});
  }
  if (!required_string(L, t, "system", "system = \"postgres\"", n.system, problem) ||
      !required_string(L, t, "entitlement", "entitlement = \"role:app_rw\"", n.entitlement, problem) ||
      !optional_string(L, t, "reason", n.reason, problem)) {
    return error_at(L, at, "nesting: " + problem);
  }
  if (!s.known_system(n.system)) return read_error(L, s, at, "nesting", {s.unknown_system(n.system), n.system, "system"});
  if (!valid_entitlement_id(n.entitlement)) {
    return error_at(L, at, "nesting: malformed entitlement id " + quote(n.entitlement) + " (expected \"<type>:<name>\")");
  }
  if (t.push("includes") == LUA_TNIL) return error_at(L, at, "nesting: missing includes = { \"<type>:<name>\", ... }");
  ReadError e;
  if (!read_string_list(L, -1, "includes", n.includes, e)) return read_error(L, s, at, "nesting", e);
  for (const std::string& id : n.includes) {
    if (!valid_entitlement_id(id)) {
      return error_at(L, at, "nesting: malformed entitlement id " + quote(id) + " in includes (expected \"<type>:<name>\")");
    }
  }
  s.defs->nestings.push_back(std::move(n));
  return true;
}

int l_nesting(lua_State* L) {
  check_loading(L, "nesting");
  if (!define_nesting(L, session_of(L))) return LuaHost::raise(L, false);
  return 0;
}

// ---- settings { dormant_days, dormant_statuses, match = { strip_plus_tags, domains }, severity = { ... } } ----

// Records that settings key `key` is set at `at`; false when another file set it already.
bool claim_setting(lua_State* L, Session& s, const Source& at, const std::string& key) {
  auto [it, fresh] = s.defs->settings_sources.emplace(key, at);
  if (fresh) return true;
  return error_at(L, at, "settings: " + key + " is already set at " + it->second.str());
}

bool define_severity(lua_State* L, Session& s, const Source& at) {
  if (lua_type(L, -1) != LUA_TTABLE) {
    return error_at(L, at,
                    "settings: severity must be a table, e.g. severity = { orphan_account = \"medium\" }");
  }
  TableReader t(L, -1);
  if (t.other_keys() > 0)
    return error_at(L, at, "settings: severity keys are finding kinds or \"<system>:<entitlement id>\"");
  for (const std::string& key : t.keys()) {
    t.push(key);
    auto value = LuaHost::string_at(L, -1);
    std::string level = value ? to_lower(trim(*value)) : "";
    if (std::find(kSeverities.begin(), kSeverities.end(), level) == kSeverities.end()) {
      return read_error(L, s, at, "settings: severity",
                        {quote(key) + " must be one of info, low, medium, high, critical, error", key, ""});
    }
    std::size_t colon = key.find(':');
    if (colon == std::string::npos) {
      if (std::find(kFindingKinds.begin(), kFindingKinds.end(), key) == kFindingKinds.end()) {
        std::string close = closest_match(key, kFindingKinds);
        return read_error(L, s, at, "settings: severity",
                          {"unknown finding kind " + quote(key) +
                               (close.empty() ? "" : " (did you mean " + quote(close) + "?)"),
                           "", key});
      }
      if (!claim_setting(L, s, at, "severity." + key)) return false;
      s.defs->settings.severity[key] = level;
    } else {
      std::string system = key.substr(0, colon);
      if (!s.known_system(system))
        return read_error(L, s, at, "settings: severity", {s.unknown_system(system), key, ""});
      if (!valid_entitlement_id(std::string_view(key).substr(colon + 1))) {
        return read_error(L, s, at, "settings: severity",
                          {quote(key) + " is not \"<system>:<type>:<name>\"", key, ""});
      }
      if (!claim_setting(L, s, at, "severity." + key)) return false;
      s.defs->settings.entitlement_severity[key] = level;
    }
    lua_pop(L, 1);
  }
  return true;
}

bool define_match_settings(lua_State* L, Session& s, const Source& at) {
  if (lua_type(L, -1) != LUA_TTABLE) {
    return error_at(L, at, "settings: match must be a table, e.g. match = { strip_plus_tags = true }");
  }
  TableReader t(L, -1);
  if (std::string bad = t.unknown_key({"strip_plus_tags", "domains"}); !bad.empty()) {
    return read_error(L, s, at, "settings: match",
                      {"unknown key " + quote(bad) + " (allowed: strip_plus_tags, domains)", "", bad});
  }
  if (t.push("strip_plus_tags") != LUA_TNIL) {
    if (lua_type(L, -1) != LUA_TBOOLEAN) {
      return read_error(L, s, at, "settings: match",
                        {"strip_plus_tags must be true or false", "", "strip_plus_tags"});
    }
    if (!claim_setting(L, s, at, "match.strip_plus_tags")) return false;
    s.defs->settings.strip_plus_tags = lua_toboolean(L, -1);
  }
  if (t.push("domains") != LUA_TNIL) {
    std::vector<std::string> domains;
    ReadError e;
    if (!read_string_list(L, -1, "domains", domains, e)) return read_error(L, s, at, "settings: match", e);
    if (!claim_setting(L, s, at, "match.domains")) return false;
    for (std::string& d : domains) d = to_lower(trim(d));
    s.defs->settings.domains = std::move(domains);
  }
  return true;
}

// Reads `rotation_days` / `unused_days` from the table on top of the stack into `limits`;
// `where` names it in errors ("settings: credentials", "settings: credentials.systems.aws").
bool read_credential_limits(lua_State* L, Session& s, const Source& at, const std::string& where,
                            const std::string& claim_prefix, CredentialLimits& limits) {
  if (lua_type(L, -1) != LUA_TTABLE) {
    return read_error(L, s, at, where, {"must be a table, e.g. { rotation_days = 90, unused_days = 90 }", "", ""});
  }
  const int table = lua_gettop(L);
  TableReader t(L, table);
  const std::vector<std::string> allowed = claim_prefix == "credentials."
                                               ? std::vector<std::string>{"rotation_days", "unused_days", "systems"}
                                               : std::vector<std::string>{"rotation_days", "unused_days"};
  if (std::string bad = t.unknown_key({allowed.begin(), allowed.end()}); !bad.empty()) {
    return read_error(L, s, at, where, {"unknown key " + quote(bad) + " (allowed: " + join(allowed, ", ") + ")", "", bad});
  }
  for (auto [key, field] : {std::pair{"rotation_days", &CredentialLimits::rotation_days},
                            std::pair{"unused_days", &CredentialLimits::unused_days}}) {
    if (t.push(key) == LUA_TNIL) {
      lua_pop(L, 1);
      continue;
    }
    lua_Integer days = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
    lua_pop(L, 1);
    if (days < 1 || days > 36500) {
      return read_error(L, s, at, where, {std::string(key) + " must be a whole number of days (1 or more)", "", key});
    }
    if (!claim_setting(L, s, at, claim_prefix + key)) return false;
    limits.*field = static_cast<int>(days);
  }
  lua_settop(L, table);
  return true;
}

bool define_credential_settings(lua_State* L, Session& s, const Source& at) {
  if (!read_credential_limits(L, s, at, "settings: credentials", "credentials.", s.defs->settings.credentials)) return false;
  TableReader t(L, lua_gettop(L));
  if (t.push("systems") == LUA_TNIL) return true;
  if (lua_type(L, -1) != LUA_TTABLE) {
    return read_error(L, s, at, "settings: credentials",
                      {"systems must be a table, e.g. systems = { aws = { rotation_days = 30 } }", "", "systems"});
  }
  TableReader systems(L, lua_gettop(L));
  if (systems.other_keys() > 0) {
    return read_error(L, s, at, "settings: credentials", {"systems keys are system names", "", "systems"});
  }
  for (const std::string& system : systems.keys()) {
    if (!s.known_system(system)) {
      return read_error(L, s, at, "settings: credentials.systems", {s.unknown_system(system), system, ""});
    }
    systems.push(system);
    CredentialLimits limits;
    if (!read_credential_limits(L, s, at, "settings: credentials.systems." + system,
                                "credentials.systems." + system + ".", limits)) {
      return false;
    }
    s.defs->settings.credential_systems[system] = limits;
    lua_pop(L, 1);
  }
  return true;
}

bool define_settings(lua_State* L, Session& s) {
  Source at = begin_definition(L, s);
  if (lua_type(L, 1) != LUA_TTABLE)
    return error_at(L, at, "settings needs a table: settings { dormant_days = 90 }");
  TableReader t(L, 1);
  const std::vector<std::string> allowed = {"dormant_days", "dormant_statuses", "match", "severity", "credentials"};
  if (std::string bad = t.unknown_key({allowed.begin(), allowed.end()}); !bad.empty()) {
    std::string close = closest_match(bad, allowed);
    return read_error(L, s, at, "settings",
                      {"unknown key " + quote(bad) + " (allowed: " + join(allowed, ", ") +
                           (close.empty() ? ")" : "; did you mean " + quote(close) + "?)"),
                       "", bad});
  }
  if (t.push("dormant_days") != LUA_TNIL) {
    lua_Integer days = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
    if (days < 1 || days > 36500) {
      return read_error(L, s, at, "settings",
                        {"dormant_days must be a whole number of days (1 or more)", "", "dormant_days"});
    }
    if (!claim_setting(L, s, at, "dormant_days")) return false;
    s.defs->settings.dormant_days = static_cast<int>(days);
  }
  if (t.push("dormant_statuses") != LUA_TNIL) {
    std::vector<std::string> statuses;
    ReadError e;
    if (!read_string_list(L, -1, "dormant_statuses", statuses, e)) return read_error(L, s, at, "settings", e);
    for (std::string& status : statuses) {
      status = to_lower(trim(status));
      if (status != "active" && status != "leave" && status != "terminated") {
        return read_error(L, s, at, "settings",
                          {"dormant_statuses: " + quote(status) + " is not a roster status (active, leave, terminated)", "",
                           "dormant_statuses"});
      }
    }
    if (!claim_setting(L, s, at, "dormant_statuses")) return false;
    s.defs->settings.dormant_statuses = std::move(statuses);
  }
  if (t.push("match") != LUA_TNIL && !define_match_settings(L, s, at)) return false;
  if (t.push("severity") != LUA_TNIL && !define_severity(L, s, at)) return false;
  if (t.push("credentials") != LUA_TNIL && !define_credential_settings(L, s, at)) return false;
  return true;
}

int l_settings(lua_State* L) {
  check_loading(L, "settings");
  if (!define_settings(L, session_of(L))) return LuaHost::raise(L, false);
  return 0;
}

}  // namespace

const luaL_Reg kRecordVerbs[] = {{"sod", l_sod},
                                 {"exception", l_exception},
                                 {"service_account", l_service_account},
                                 {"baseline", l_baseline},
                                 {"nesting", l_nesting},
                                 {"settings", l_settings},
                                 {nullptr, nullptr}};

}  // namespace rollcall::policy::detail
