// The read-only views policies see: library tables, a person, an account, a list. A view is an
// empty table whose locked metatable reads through to the data behind it and refuses writes.
// Part of LuaHost (lua_host.hpp); the error discipline there applies.
#include "policies/engine/lua_host.hpp"

namespace rollcall::policy::detail {
namespace {

char kProxyMark;  // in a read-only view's metatable: the table behind the view

int readonly_newindex(lua_State* L) {
  const char* what = "table";
  if (luaL_getmetafield(L, 1, "__name") == LUA_TSTRING) what = lua_tostring(L, -1);
  return luaL_error(L, "%s is read-only", what);
}

int readonly_next(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 2);
  if (lua_next(L, 1)) return 2;
  lua_pushnil(L);
  return 1;
}

int readonly_pairs(lua_State* L) {
  lua_pushcfunction(L, readonly_next);
  LuaHost::push_data(L, 1);
  lua_pushnil(L);
  return 3;
}

int readonly_len(lua_State* L) {
  LuaHost::push_data(L, 1);
  lua_pushinteger(L, static_cast<lua_Integer>(lua_rawlen(L, -1)));
  return 1;
}

}  // namespace

void LuaHost::push_readonly(lua_State* L, int idx, const char* what) {
  idx = lua_absindex(L, idx);
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

}  // namespace rollcall::policy::detail
