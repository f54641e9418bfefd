// The core of the policy vocabulary (owner, role, assign, rule, match) and the loading of policy
// files; the record verbs are in vocabulary_records.cpp. Error discipline: see
// vocabulary_support.hpp.
#include "policies/engine/vocabulary.hpp"

#include <algorithm>

#include "policies/engine/helpers.hpp"
#include "policies/engine/lua_read.hpp"
#include "policies/engine/vocabulary_support.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::policy::detail {
namespace {

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
  if (fn.source != nullptr && fn.source[0] == '=' && std::string_view(fn.source + 1) == kPreludeFile) {  // made by a prelude helper: its call is the source
    hook.first_line = at.line;
    hook.last_line = at.line;
  }
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
  for (Baseline& b : defs.baselines) {
    if (b.source.file == f.path) b.owner = f.owner;
  }
  for (Nesting& n : defs.nestings) {
    if (n.source.file == f.path) n.owner = f.owner;
  }
}

}  // namespace

int install_vocabulary(lua_State* L) {
  const luaL_Reg core[] = {{"owner", l_owner}, {"role", l_role},   {"assign", l_assign},
                           {"rule", l_rule},   {"match", l_match}, {nullptr, nullptr}};
  for (const luaL_Reg* verbs : {core, kRecordVerbs}) {
    for (const luaL_Reg* f = verbs; f->name; ++f) {
      lua_pushcfunction(L, f->func);
      LuaHost::set_base(L, f->name);
    }
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
