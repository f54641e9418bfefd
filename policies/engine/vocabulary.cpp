// The lua_CFunctions here follow the error discipline of lua_host.hpp: each checks what may
// raise first, then calls a define_* helper that reads the arguments with the non-raising API
// into Definitions and, on a problem, writes "file:line: message" into error_text() and
// returns false; only then does the C function raise.
#include "policies/engine/vocabulary.hpp"

#include <algorithm>
#include <climits>

#include "policies/engine/helpers.hpp"
#include "policies/engine/lua_read.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::policy::detail {
namespace {

const std::vector<std::string> kFindingKinds = {
    "terminated_active", "unauthorized_access", "privilege_mismatch",
    "orphan_account",    "sod_violation",       "service_account_owner_invalid",
    "duplicate_account", "missing_access",      "exception_expired",
    "dormant_account",   "system_incomplete"};
const std::vector<std::string> kSeverities = {"info", "low", "medium", "high", "critical", "error"};

Session& session_of(lua_State* L) { return *static_cast<Session*>(LuaHost::of(L).user()); }

void check_loading(lua_State* L, const char* name) {
  if (!session_of(L).loading) {
    luaL_error(L,
               "%s can only be used while a policy file loads (at its top level), not inside "
               "assign, rule or match functions",
               name);
  }
  luaL_checkstack(L, 30, nullptr);
}

// Sets the error a define_* helper reports. It is also kept in Definitions::load_error, so a
// policy that wraps a definition in pcall still fails to load.
bool error_at(lua_State* L, const Source& at, const std::string& message) {
  std::string& text = LuaHost::of(L).error_text();
  text = (at.file.empty() ? "" : at.str() + ": ") + message;
  Definitions& defs = *session_of(L).defs;
  if (defs.load_error.empty()) defs.load_error = text;
  return false;
}

// The line a problem reported by a reader is written on: its literal, else its key, else the
// definition's line.
Source locate(const PolicyFile& file, const Source& def, const ReadError& e) {
  int line = 0;
  if (!e.literal.empty()) line = file.index.literal_line(e.literal, def.line, INT_MAX, e.key);
  if (line == 0 && !e.key.empty()) line = file.index.key_line(e.key, def.line, INT_MAX);
  return Source{def.file, line > 0 ? line : def.line};
}

bool read_error(lua_State* L, const Session& s, const Source& def, const std::string& what,
                const ReadError& e) {
  return error_at(L, locate(s.defs->files[s.file], def, e), what + ": " + e.message);
}

// The vocabulary call's position; also remembered as a definition boundary of the file.
Source begin_definition(lua_State* L, Session& s) {
  Source at = LuaHost::where(L, 1);
  if (at.file.empty()) at.file = s.defs->files[s.file].path;
  s.defs->files[s.file].definition_lines.push_back(at.line);
  return at;
}

// Reads an optional string field; false (with a message) when present and not a string.
bool optional_string(lua_State* L, const TableReader& t, const char* key, std::string& out,
                     std::string& problem) {
  int type = t.push(key);
  if (type == LUA_TNIL) {
    lua_pop(L, 1);
    return true;
  }
  auto s = LuaHost::string_at(L, -1);
  if (!s) {
    problem = std::string(key) + " must be a string, not " + describe_type(L, -1);
    return false;
  }
  out = std::string(trim(*s));
  lua_pop(L, 1);
  return true;
}

bool required_string(lua_State* L, const TableReader& t, const char* key, const char* example,
                     std::string& out, std::string& problem) {
  if (!optional_string(L, t, key, out, problem)) return false;
  if (out.empty()) {
    problem = std::string("missing ") + key + " (" + example + ")";
    return false;
  }
  return true;
}

// ---- owner "team" ----

bool define_owner(lua_State* L, Session& s) {
  Source at = begin_definition(L, s);
  PolicyFile& f = s.defs->files[s.file];
  auto name = LuaHost::string_at(L, 1);
  if (!name || trim(*name).empty()) {
    return error_at(L, at, "owner needs a team name: owner \"team-platform\"");
  }
  if (!f.owner.empty()) return error_at(L, at, "owner is already set at " + f.owner_source.str());
  f.owner = std::string(trim(*name));
  f.owner_source = at;
  return true;
}

int l_owner(lua_State* L) {
  check_loading(L, "owner");
  if (!define_owner(L, session_of(L))) return LuaHost::raise(L, false);
  return 0;
}

// ---- role "name" { body } ----

std::string role_defined_where(const Session& s, const std::string& name) {
  auto it = s.defs->role_index.find(name);
  if (it != s.defs->role_index.end()) return s.defs->roles[it->second].info.source.str();
  auto pending = s.defs->pending_roles.find(name);
  return pending != s.defs->pending_roles.end() ? pending->second.str() : "";
}

bool begin_role(lua_State* L, Session& s) {
  Source at = begin_definition(L, s);
  auto name = LuaHost::string_at(L, 1);
  if (!name || trim(*name).empty() || trim(*name) != *name) {
    return error_at(L, at, "role needs a name without surrounding spaces: role \"engineer\" { ... }");
  }
  std::string key(*name);
  if (std::string first = role_defined_where(s, key); !first.empty()) {
    return error_at(L, at, "role " + quote(key) + " is already defined at " + first);
  }
  s.defs->pending_roles[key] = at;
  return true;
}

bool define_role(lua_State* L, Session& s, int name_idx, int body_idx) {
  std::string name(*LuaHost::string_at(L, name_idx));
  auto pending = s.defs->pending_roles.find(name);
  if (pending == s.defs->pending_roles.end()) {  // the same `role "x"` given a second body
    return error_at(L, LuaHost::where(L, 1),
                    "role " + quote(name) + " is already defined at " + role_defined_where(s, name));
  }
  Source at = pending->second;
  s.defs->pending_roles.erase(pending);
  std::string what = "role " + quote(name);
  if (lua_type(L, body_idx) != LUA_TTABLE) {
    return error_at(L, at,
                    what + " needs a body: role " + quote(name) + " { github = { \"team:x\" } }, not " +
                        describe_type(L, body_idx));
  }
  const PolicyFile& file = s.defs->files[s.file];
  RoleDef def;
  def.info.name = name;
  def.info.source = at;
  def.file = s.file;
  TableReader t(L, body_idx);
  if (t.other_keys() > 0) {
    return error_at(L, at,
                    what +
                        ": the body has only named keys (includes, privileged, description, "
                        "or a system name); found a list element");
  }
  ReadError e;
  for (const std::string& key : t.keys()) {
    t.push(key);
    if (key == "includes") {
      if (!read_string_list(L, -1, "includes", def.info.includes, e)) return read_error(L, s, at, what, e);
      for (const std::string& included : def.info.includes) {
        int line = file.index.literal_line(included, at.line, INT_MAX, "includes");
        def.include_sources.push_back({at.file, line > 0 ? line : at.line});
      }
    } else if (key == "privileged") {
      if (lua_type(L, -1) != LUA_TBOOLEAN) {
        return read_error(L, s, at, what,
                          {"privileged must be true or false, not " + describe_type(L, -1), "", key});
      }
      def.info.privileged = lua_toboolean(L, -1);
    } else if (key == "description") {
      auto text = LuaHost::string_at(L, -1);
      if (!text)
        return read_error(L, s, at, what,
                          {"description must be a string, not " + describe_type(L, -1), "", key});
      def.info.description = std::string(*text);
    } else if (!s.known_system(key)) {
      return read_error(L, s, at, what, {s.unknown_system(key), "", key});
    } else if (!read_entry_list(L, -1, key, def.entries, e)) {
      return read_error(L, s, at, what, e);
    }
    lua_pop(L, 1);
  }
  s.defs->role_index[name] = s.defs->roles.size();
  s.defs->roles.push_back(std::move(def));
  return true;
}

int l_role_body(lua_State* L) {
  check_loading(L, "role");
  lua_pushvalue(L, lua_upvalueindex(1));
  if (!define_role(L, session_of(L), lua_gettop(L), 1)) return LuaHost::raise(L, false);
  return 0;
}

int l_role(lua_State* L) {
  check_loading(L, "role");
  if (!begin_role(L, session_of(L))) return LuaHost::raise(L, false);
  if (lua_gettop(L) >= 2) {  // role("name", { ... })
    if (!define_role(L, session_of(L), 1, 2)) return LuaHost::raise(L, false);
    return 0;
  }
  lua_settop(L, 1);
  lua_pushcclosure(L, l_role_body, 1);
  return 1;
}

// ---- assign(fn), rule("name", fn), match(fn) ----

enum class HookKind { assign, rule, match };

bool define_hook(lua_State* L, Session& s, HookKind kind, int ref, const lua_Debug& fn) {
  Source at = begin_definition(L, s);
  HookDef hook;
  hook.source = at;
  hook.file = s.file;
  hook.ref = ref;
  hook.first_line = fn.linedefined;
  hook.last_line = fn.lastlinedefined;
  hook.label = kind == HookKind::assign ? "assign" : "match";
  if (kind == HookKind::rule) {
    hook.name = std::string(*LuaHost::string_at(L, 1));
    hook.label = "rule " + quote(hook.name);
    for (const HookDef& other : s.defs->rules) {
      if (other.name == hook.name) {
        return error_at(L, at, "rule " + quote(hook.name) + " is already defined at " + other.source.str());
      }
    }
  }
  auto& list = kind == HookKind::assign ? s.defs->assigns
               : kind == HookKind::rule ? s.defs->rules
                                        : s.defs->matchers;
  list.push_back(std::move(hook));
  return true;
}

// Registers the function at `fn_idx` as a hook; raises on bad arguments.
int register_hook(lua_State* L, HookKind kind, int fn_idx, const char* usage) {
  if (lua_type(L, fn_idx) != LUA_TFUNCTION) return luaL_error(L, "%s", usage);
  lua_Debug ar;
  lua_pushvalue(L, fn_idx);
  lua_getinfo(L, ">S", &ar);
  lua_pushvalue(L, fn_idx);
  int ref = luaL_ref(L, LUA_REGISTRYINDEX);
  if (!define_hook(L, session_of(L), kind, ref, ar)) return LuaHost::raise(L, false);
  return 0;
}

int l_assign(lua_State* L) {
  check_loading(L, "assign");
  return register_hook(L, HookKind::assign, 1,
                       "assign needs a function: assign(function(person) return { \"role\" } end)");
}

int l_rule(lua_State* L) {
  check_loading(L, "rule");
  std::size_t len = 0;
  const char* name = lua_type(L, 1) == LUA_TSTRING ? lua_tolstring(L, 1, &len) : nullptr;
  if (!name || len == 0) {
    return luaL_error(L, "rule needs a name and a function: rule(\"on-call\", function(person) ... end)");
  }
  return register_hook(L, HookKind::rule, 2,
                       "rule needs a name and a function: rule(\"on-call\", function(person) ... end)");
}

int l_match(lua_State* L) {
  check_loading(L, "match");
  return register_hook(L, HookKind::match, 1,
                       "match needs a function: match(function(account) return \"email\" or nil end)");
}

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

// ---- settings { dormant_days, match = { strip_plus_tags, domains }, severity = { ... } } ----

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

bool define_settings(lua_State* L, Session& s) {
  Source at = begin_definition(L, s);
  if (lua_type(L, 1) != LUA_TTABLE)
    return error_at(L, at, "settings needs a table: settings { dormant_days = 90 }");
  TableReader t(L, 1);
  const std::vector<std::string> allowed = {"dormant_days", "match", "severity"};
  if (std::string bad = t.unknown_key({"dormant_days", "match", "severity"}); !bad.empty()) {
    std::string close = closest_match(bad, allowed);
    return read_error(L, s, at, "settings",
                      {"unknown key " + quote(bad) + " (allowed: dormant_days, match, severity" +
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
  if (t.push("match") != LUA_TNIL && !define_match_settings(L, s, at)) return false;
  if (t.push("severity") != LUA_TNIL && !define_severity(L, s, at)) return false;
  return true;
}

int l_settings(lua_State* L) {
  check_loading(L, "settings");
  if (!define_settings(L, session_of(L))) return LuaHost::raise(L, false);
  return 0;
}

// ---- loading files ----

int run_file(lua_State* L) {
  auto* file = static_cast<const PolicyFile*>(lua_touserdata(L, 1));
  if (luaL_loadbufferx(L, file->text.data(), file->text.size(), file->chunk_name.c_str(), "t") != LUA_OK) {
    return lua_error(L);
  }
  LuaHost::push_file_env(L);
  lua_pushvalue(L, -1);
  lua_setupvalue(L, -3, 1);  // the chunk's _ENV
  lua_pushvalue(L, -2);
  lua_call(L, 0, 0);
  LuaHost::freeze_file_env(L, -1);
  return 0;
}

// After a file has loaded: its definition boundaries are known and its owner applies to all
// it defined.
void finish_file(Definitions& defs, std::size_t index) {
  PolicyFile& f = defs.files[index];
  std::sort(f.definition_lines.begin(), f.definition_lines.end());
  f.definition_lines.erase(std::unique(f.definition_lines.begin(), f.definition_lines.end()),
                           f.definition_lines.end());
  for (RoleDef& r : defs.roles) {
    if (r.file == index) r.info.owner = f.owner;
  }
  for (auto* hooks : {&defs.assigns, &defs.rules, &defs.matchers}) {
    for (HookDef& h : *hooks) {
      if (h.file == index) h.owner = f.owner;
    }
  }
  for (ExceptionRule& e : defs.exceptions) {
    if (e.source.file == f.path) e.owner = f.owner;
  }
  for (SodRule& r : defs.sod_rules) {
    if (r.source.file == f.path) r.owner = f.owner;
  }
  for (ServiceAccount& sa : defs.service_accounts) {
    if (sa.source.file == f.path) sa.policy_owner = f.owner;
  }
}

}  // namespace

int install_vocabulary(lua_State* L) {
  const luaL_Reg functions[] = {{"owner", l_owner},         {"role", l_role},
                                {"assign", l_assign},       {"rule", l_rule},
                                {"match", l_match},         {"sod", l_sod},
                                {"exception", l_exception}, {"service_account", l_service_account},
                                {"settings", l_settings},   {nullptr, nullptr}};
  for (const luaL_Reg* f = functions; f->name; ++f) {
    lua_pushcfunction(L, f->func);
    LuaHost::set_base(L, f->name);
  }
  return 0;
}

Result<void> run_files(LuaHost& host, Session& session) {
  Definitions& defs = *session.defs;
  for (std::size_t i = 0; i < defs.files.size(); ++i) {
    const PolicyFile& file = defs.files[i];
    session.file = i;
    session.loading = true;
    auto r = host.call(run_file, const_cast<PolicyFile*>(&file));
    session.loading = false;
    if (!r) {
      const std::string& msg = r.error().message();
      return fail(starts_with(msg, file.path + ":") ? msg : file.path + ": " + msg);
    }
    if (!defs.load_error.empty()) return fail(defs.load_error);
    if (!defs.pending_roles.empty()) {
      const auto& [name, at] = *defs.pending_roles.begin();
      return fail(at.str() + ": role " + quote(name) + " has no body (write role " + quote(name) +
                  " { github = { \"team:x\" } })");
    }
    finish_file(defs, i);
  }
  return {};
}

}  // namespace rollcall::policy::detail

namespace rollcall::policy::detail {

bool Session::known_system(const std::string& name) const {
  return std::binary_search(known_systems.begin(), known_systems.end(), name);
}

std::string Session::unknown_system(const std::string& name) const {
  std::string close = closest_match(name, known_systems);
  if (!close.empty()) return "unknown system " + quote(name) + " (did you mean " + quote(close) + "?)";
  if (known_systems.empty()) return "unknown system " + quote(name) + " (rollcall.toml defines no systems)";
  return "unknown system " + quote(name) + " (systems in rollcall.toml: " + join(known_systems, ", ") + ")";
}

}  // namespace rollcall::policy::detail
