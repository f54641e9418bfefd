// The sandbox a policy runs in: the curated base environment (which functions exist, which are
// replaced, which are denied with a clear error) and the per-file environments. One file, so a
// reviewer can audit everything a policy can reach; the bounds on work done in C that the
// wrappers installed here apply are in bounded.cpp. What a policy can reach of shared state is
// read-only views (views.cpp) and functions; its globals are its own. Part of LuaHost
// (lua_host.hpp); the error discipline there applies.
#include <cstdio>

#include "policies/engine/bounded.hpp"
#include "policies/engine/lua_host.hpp"

namespace rollcall::policy::detail {
namespace {

// Registry keys (their addresses are the keys).
char kBaseKey;     // the base environment every file env reads through
char kEnvMetaKey;  // the metatable of a file environment while the file loads

// ---- Things policies may not use: clear errors instead of "attempt to call a nil value" ----

// upvalue 1: the name; upvalue 2 (optional): why.
int denied_function(lua_State* L) {
  const char* name = lua_tostring(L, lua_upvalueindex(1));
  const char* why = lua_tostring(L, lua_upvalueindex(2));
  if (why) return luaL_error(L, "%s is not available in policies (%s)", name, why);
  return luaL_error(L, "%s is not available in policies", name);
}

void push_denied_function(lua_State* L, const char* name, const char* why = nullptr) {
  lua_pushstring(L, name);
  if (why) lua_pushstring(L, why);
  lua_pushcclosure(L, denied_function, why ? 2 : 1);
}

// A library table that is absent: every read or write of it fails naming the field.
int denied_index(lua_State* L) {
  const char* name = lua_tostring(L, lua_upvalueindex(1));
  if (lua_type(L, 2) == LUA_TSTRING) {
    return luaL_error(L, "%s.%s is not available in policies", name, lua_tostring(L, 2));
  }
  return luaL_error(L, "%s is not available in policies", name);
}

void push_denied_table(lua_State* L, const char* name) {
  lua_newtable(L);
  lua_createtable(L, 0, 4);
  lua_pushstring(L, name);
  lua_pushcclosure(L, denied_index, 1);
  lua_pushvalue(L, -1);
  lua_setfield(L, -3, "__index");
  lua_setfield(L, -2, "__newindex");
  lua_pushstring(L, name);
  lua_setfield(L, -2, "__name");
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
}

// ---- Replacements for base functions ----

// setmetatable without __gc: a finalizer would run at an arbitrary later moment, outside the
// evaluation it belongs to (and outside its budget).
int safe_setmetatable(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  int t = lua_type(L, 2);
  luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
  if (t == LUA_TTABLE) {
    lua_pushliteral(L, "__gc");
    if (lua_rawget(L, 2) != LUA_TNIL) {
      return luaL_error(L, "setmetatable: __gc metamethods are not allowed in policies");
    }
    lua_pop(L, 1);
  }
  if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL) {
    return luaL_error(L, "cannot change a protected metatable");
  }
  lua_settop(L, 2);
  lua_setmetatable(L, 1);
  return 1;
}

// rawget and rawlen that read a view's data (read-only either way; without this they would
// see the view's empty table, and `next`/`pairs` would disagree with them).
int view_rawget(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  lua_settop(L, 2);
  LuaHost::push_data(L, 1);
  lua_insert(L, 2);
  lua_rawget(L, 2);
  return 1;
}

int view_rawlen(lua_State* L) {
  int t = lua_type(L, 1);
  luaL_argexpected(L, t == LUA_TTABLE || t == LUA_TSTRING, 1, "table or string");
  LuaHost::push_data(L, 1);
  lua_pushinteger(L, static_cast<lua_Integer>(lua_rawlen(L, -1)));
  return 1;
}

// load(chunk [, chunkname [, mode [, env]]]): source text only; the chunk gets `env`, or an
// environment of its own that reads through to the base environment. The chunk is named after
// the line that loads it ("policies/x.lua:12 (load)"), whatever name is asked for: errors in
// it and definitions made by it are attributed to the file that really wrote them.
int safe_load(lua_State* L) {
  if (lua_type(L, 1) != LUA_TSTRING) {
    return luaL_error(L, "load: only source text (a string) can be loaded in policies");
  }
  std::size_t len = 0;
  const char* text = lua_tolstring(L, 1, &len);
  if (len > 0 && text[0] == LUA_SIGNATURE[0]) {
    return luaL_error(L, "load: binary chunks are not allowed in policies");
  }
  luaL_optstring(L, 2, nullptr);
  bool has_env = !lua_isnone(L, 4);
  if (has_env) luaL_checktype(L, 4, LUA_TTABLE);
  LuaHost::charge(L, static_cast<lua_Integer>(len));  // compiling is linear work in C
  lua_Debug ar;
  if (LuaHost::policy_frame(L, 1, ar)) {
    lua_pushfstring(L, "=%s:%d (load)", LuaHost::chunk_file(ar.source).data(), ar.currentline);
  } else {
    lua_pushliteral(L, "=(load)");
  }
  const char* name = lua_tostring(L, -1);
  if (luaL_loadbufferx(L, text, len, name, "t") != LUA_OK) {
    luaL_pushfail(L);
    lua_insert(L, -2);
    return 2;
  }
  if (has_env)
    lua_pushvalue(L, 4);
  else
    LuaHost::push_file_env(L);
  lua_setupvalue(L, -2, 1);
  return 1;
}

// ---- os: pure time functions only, in UTC, with "now" fixed by the engine ----

std::optional<UnixTime> utc_time(lua_Integer y, lua_Integer mo, lua_Integer d, lua_Integer h, lua_Integer mi,
                                 lua_Integer s) {
  // Months outside 1..12 carry into the year; days, hours... add up, as C's mktime does.
  lua_Integer m0 = mo - 1;
  lua_Integer carry = m0 >= 0 ? m0 / 12 : -((11 - m0) / 12);
  y += carry;
  m0 -= carry * 12;  // 0..11
  if (y < 0 || y > 9999) return std::nullopt;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-01", static_cast<int>(y), static_cast<int>(m0 + 1));
  auto first = parse_iso8601(buf);
  if (!first) return std::nullopt;
  return *first + (d - 1) * 86400 + h * 3600 + mi * 60 + s;
}

lua_Integer time_field(lua_State* L, const char* key, lua_Integer dflt, bool required) {
  int t = lua_getfield(L, 1, key);
  lua_Integer v = dflt;
  if (t == LUA_TNUMBER && lua_isinteger(L, -1)) {
    v = lua_tointeger(L, -1);
  } else if (t != LUA_TNIL || required) {
    luaL_error(L, "os.time: field '%s' must be an integer", key);
  }
  lua_pop(L, 1);
  if (v < -1e9 || v > 1e9) luaL_error(L, "os.time: field '%s' is out of range", key);
  return v;
}

int os_time(lua_State* L) {
  if (lua_isnoneornil(L, 1)) {
    lua_pushinteger(L, LuaHost::of(L).now());
    return 1;
  }
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_Integer y = time_field(L, "year", 0, true), mo = time_field(L, "month", 0, true),
              d = time_field(L, "day", 0, true), h = time_field(L, "hour", 12, false),
              mi = time_field(L, "min", 0, false), s = time_field(L, "sec", 0, false);
  std::optional<UnixTime> t = utc_time(y, mo, d, h, mi, s);
  if (!t) return luaL_error(L, "os.time: date out of range (years 0000-9999)");
  lua_pushinteger(L, *t);
  return 1;
}

// upvalue 1: the real os.date. Always UTC ("!"), and "now" is the engine's.
int os_date(lua_State* L) {
  const char* fmt = luaL_optstring(L, 1, "%c");
  lua_settop(L, 2);
  if (fmt[0] != '!') {
    lua_pushfstring(L, "!%s", fmt);
    lua_replace(L, 1);
  }
  if (lua_isnil(L, 2)) {
    lua_pushinteger(L, LuaHost::of(L).now());
    lua_replace(L, 2);
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, 2, 1);
  return 1;
}

// ---- Building the base environment ----

// Copies field `name` of the table at `from` into the table at `to`.
void copy_field(lua_State* L, int from, int to, const char* name) {
  lua_getfield(L, from, name);
  lua_setfield(L, to, name);
}

// Pushes a shallow copy of the table at idx.
void push_copy(lua_State* L, int idx) {
  idx = lua_absindex(L, idx);
  lua_newtable(L);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, -4);
  }
}

void set_field_readonly(lua_State* L, int base, int table, const char* name) {
  LuaHost::push_readonly(L, table, name);
  lua_setfield(L, base, name);
}

}  // namespace


// pcall and xpcall that cannot swallow an exceeded budget or memory cap: once either is
// exceeded, the error keeps travelling up to LuaHost::call.
int LuaHost::finish_pcall(lua_State* L, int status, int extra) {
  LuaHost& host = of(L);
  if (status == LUA_ERRMEM) host.memory_exceeded_ = true;
  if (host.fatal()) return lua_error(L);
  if (status != LUA_OK) {
    lua_pushboolean(L, 0);
    lua_pushvalue(L, -2);
    return 2;
  }
  return lua_gettop(L) - extra;
}

int LuaHost::safe_pcall(lua_State* L) {
  luaL_checkany(L, 1);
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  return finish_pcall(L, lua_pcall(L, lua_gettop(L) - 2, LUA_MULTRET, 0), 0);
}

int LuaHost::safe_xpcall(lua_State* L) {
  int n = lua_gettop(L);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_pushboolean(L, 1);
  lua_pushvalue(L, 1);
  lua_rotate(L, 3, 2);  // f, handler, true, f, args...
  return finish_pcall(L, lua_pcall(L, n - 2, LUA_MULTRET, 2), 2);
}

int LuaHost::install_sandbox(lua_State* L) {
  // The real libraries are opened into the state's own globals, which policies never see.
  luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
  int g = lua_gettop(L);
  luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 0);
  int string_lib = lua_gettop(L);
  luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 0);
  int table_lib = lua_gettop(L);
  luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 0);
  int math_lib = lua_gettop(L);
  luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 0);
  int utf8_lib = lua_gettop(L);
  luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 0);
  int os_lib = lua_gettop(L);

  lua_newtable(L);
  int base = lua_gettop(L);
  lua_pushvalue(L, base);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &kBaseKey);

  for (const char* name : {"assert", "error", "getmetatable", "ipairs", "pairs", "rawequal", "select", "tostring",
                           "type", "_VERSION"}) {
    copy_field(L, g, base, name);
  }
  // Views read through, never hand out their data (views.cpp).
  lua_pushcfunction(L, &LuaHost::view_next);
  lua_setfield(L, base, "next");
  lua_pushcfunction(L, view_rawget);
  lua_setfield(L, base, "rawget");
  lua_pushcfunction(L, view_rawlen);
  lua_setfield(L, base, "rawlen");
  lua_getfield(L, g, "tonumber");
  push_charged(L, -1);
  lua_setfield(L, base, "tonumber");
  lua_pop(L, 1);
  lua_pushcfunction(L, &LuaHost::safe_pcall);
  lua_setfield(L, base, "pcall");
  lua_pushcfunction(L, &LuaHost::safe_xpcall);
  lua_setfield(L, base, "xpcall");
  lua_pushcfunction(L, safe_setmetatable);
  lua_setfield(L, base, "setmetatable");
  lua_pushcfunction(L, safe_load);
  lua_setfield(L, base, "load");
  for (const char* name : {"require", "dofile", "loadfile", "collectgarbage", "rawset", "warn"}) {
    push_denied_function(L, name);
    lua_setfield(L, base, name);
  }
  push_denied_function(L, "print", "policies do not write output; use error() to stop with a message");
  lua_setfield(L, base, "print");
  for (const char* name : {"io", "debug", "package", "coroutine"}) {
    push_denied_table(L, name);
    lua_setfield(L, base, name);
  }

  // string, also reachable as the methods of every string value: the string metatable's
  // __index is the copy behind the `string` view, which no policy can reach.
  push_copy(L, string_lib);
  int string_copy = lua_gettop(L);
  bound_string_library(L, string_copy);
  push_denied_function(L, "string.dump");
  lua_setfield(L, string_copy, "dump");
  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);
  lua_pushvalue(L, string_copy);
  lua_setfield(L, -2, "__index");
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 2);
  set_field_readonly(L, base, string_copy, "string");

  push_copy(L, table_lib);
  bound_table_library(L, -1);
  set_field_readonly(L, base, lua_gettop(L), "table");

  push_copy(L, math_lib);
  for (const char* name : {"math.random", "math.randomseed"}) {
    push_denied_function(L, name, "evaluation must be repeatable");
    lua_setfield(L, -2, name + 5);
  }
  set_field_readonly(L, base, lua_gettop(L), "math");

  push_copy(L, utf8_lib);
  bound_utf8_library(L, -1);
  set_field_readonly(L, base, lua_gettop(L), "utf8");

  lua_newtable(L);
  int os_copy = lua_gettop(L);
  lua_pushcfunction(L, os_time);
  lua_setfield(L, os_copy, "time");
  lua_getfield(L, os_lib, "date");
  lua_pushcclosure(L, os_date, 1);
  push_charged(L, -1);
  lua_setfield(L, os_copy, "date");
  lua_pop(L, 1);
  copy_field(L, os_lib, os_copy, "difftime");
  for (const char* name : {"os.execute", "os.exit", "os.getenv", "os.remove", "os.rename", "os.setlocale",
                           "os.tmpname", "os.clock"}) {
    push_denied_function(L, name);
    lua_setfield(L, os_copy, name + 3);
  }
  set_field_readonly(L, base, os_copy, "os");

  lua_createtable(L, 0, 2);
  lua_pushvalue(L, base);
  lua_setfield(L, -2, "__index");
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  lua_rawsetp(L, LUA_REGISTRYINDEX, &kEnvMetaKey);
  return 0;
}

void LuaHost::set_base(lua_State* L, const char* name) {
  lua_rawgetp(L, LUA_REGISTRYINDEX, &kBaseKey);
  lua_insert(L, -2);
  lua_setfield(L, -2, name);
  lua_pop(L, 1);
}

void LuaHost::push_base(lua_State* L) { lua_rawgetp(L, LUA_REGISTRYINDEX, &kBaseKey); }

void LuaHost::push_file_env(lua_State* L) {
  lua_newtable(L);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &kEnvMetaKey);
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  lua_setfield(L, -2, "_G");
}

namespace {
int global_write(lua_State* L) {
  const char* name = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?";
  return luaL_error(L,
                    "cannot set global \"%s\" while evaluating (declare it local; globals may "
                    "only be set while the file loads)",
                    name);
}
}  // namespace

void LuaHost::freeze_file_env(lua_State* L, int idx) {
  idx = lua_absindex(L, idx);
  lua_newtable(L);  // the file's globals move here
  int data = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, data);
  }
  lua_pushnil(L);
  while (lua_next(L, idx)) {  // setting existing fields to nil during traversal is allowed
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    lua_pushnil(L);
    lua_rawset(L, idx);
  }
  lua_createtable(L, 0, 1);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &kBaseKey);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, data);
  lua_createtable(L, 0, 3);
  lua_pushvalue(L, data);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, global_write);
  lua_setfield(L, -2, "__newindex");
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, idx);
  lua_pop(L, 1);
}

}  // namespace rollcall::policy::detail
