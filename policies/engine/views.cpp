// The read-only views policies see: library tables, a person, an account, a list. A view is an
// empty table whose locked metatable reads through to the data behind it and refuses writes.
// The data is never handed to policy code: pairs() and next() iterate a view with the view
// itself as their state, and every table inside the data is a view too, so nothing reachable
// from a view can be written. That is what lets one state serve every policy file: no file can
// change what another file reads. Part of LuaHost (lua_host.hpp); the error discipline there
// applies.
#include <string>

#include "policies/engine/lua_host.hpp"

namespace rollcall::policy::detail {
namespace {

char kProxyMark;  // in a read-only view's metatable: the table behind the view

// Views inside views are built by rollcall, never by policies, and are shallow (a person's
// roles, attrs); deeper than this is a cycle.
constexpr int kMaxViewDepth = 8;

int readonly_newindex(lua_State* L) {
  const char* what = "table";
  if (luaL_getmetafield(L, 1, "__name") == LUA_TSTRING) what = lua_tostring(L, -1);
  LuaHost::of(L).error_text() = std::string(what) + " is read-only";
  return LuaHost::raise(L, true);
}

int readonly_pairs(lua_State* L) {
  lua_pushcfunction(L, &LuaHost::view_next);
  lua_pushvalue(L, 1);  // the view, not its data
  lua_pushnil(L);
  return 3;
}

int readonly_len(lua_State* L) {
  LuaHost::push_data(L, 1);
  lua_pushinteger(L, static_cast<lua_Integer>(lua_rawlen(L, -1)));
  return 1;
}

bool is_view(lua_State* L, int idx) {
  if (!lua_getmetatable(L, idx)) return false;
  bool view = lua_rawgetp(L, -1, &kProxyMark) == LUA_TTABLE;
  lua_pop(L, 2);
  return view;
}

void push_view(lua_State* L, int idx, const char* what, int depth) {
  idx = lua_absindex(L, idx);
  if (depth > kMaxViewDepth) luaL_error(L, "internal error: read-only view %s nests too deeply", what);
  luaL_checkstack(L, 8, nullptr);
  // Tables inside the data become views of themselves, so no write is reachable from here.
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (lua_type(L, -1) == LUA_TTABLE && !is_view(L, -1)) {
      if (lua_type(L, -2) == LUA_TSTRING)
        lua_pushfstring(L, "%s.%s", what, lua_tostring(L, -2));
      else
        lua_pushstring(L, what);
      push_view(L, -2, lua_tostring(L, -1), depth + 1);
      lua_pushvalue(L, -4);  // key
      lua_insert(L, -2);
      lua_rawset(L, idx);  // replacing an existing field during traversal is allowed
      lua_pop(L, 1);       // the name
    }
    lua_pop(L, 1);
  }
  lua_createtable(L, 0, 0);
  lua_createtable(L, 0, 7);
  lua_pushvalue(L, idx);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, readonly_newindex);
  lua_setfield(L, -2, "__newindex");
  lua_pushcfunction(L, readonly_pairs);
  lua_setfield(L, -2, "__pairs");
  lua_pushcfunction(L, readonly_len);
  lua_setfield(L, -2, "__len");
  lua_pushstring(L, what);
  lua_setfield(L, -2, "__name");
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  lua_pushvalue(L, idx);
  lua_rawsetp(L, -2, &kProxyMark);
  lua_setmetatable(L, -2);
}

}  // namespace

void LuaHost::push_readonly(lua_State* L, int idx, const char* what) { push_view(L, idx, what, 0); }

void LuaHost::push_data(lua_State* L, int idx) {
  idx = lua_absindex(L, idx);
  if (lua_type(L, idx) == LUA_TTABLE && lua_getmetatable(L, idx)) {
    if (lua_rawgetp(L, -1, &kProxyMark) == LUA_TTABLE) {
      lua_remove(L, -2);
      return;
    }
    lua_pop(L, 2);
  }
  lua_pushvalue(L, idx);
}

int LuaHost::view_next(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 2);
  push_data(L, 1);
  lua_insert(L, 2);  // table, data, key
  if (lua_next(L, 2)) return 2;
  lua_pushnil(L);
  return 1;
}

}  // namespace rollcall::policy::detail
