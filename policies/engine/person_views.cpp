// The read-only views of a person and of an account that assign, rule and match functions
// receive (built on LuaHost's views, views.cpp).
// The lua_CFunctions here follow the error discipline of lua_host.hpp: trivially destructible
// locals only; C++ work happens in helpers that return before anything may raise.
#include "policies/engine/helpers.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

#include "policies/engine/definitions.hpp"
#include "policies/engine/lua_host.hpp"
#include "policies/engine/vocabulary_support.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::policy::detail {
namespace {

// registry key: { [what] = a read-only empty list }, one per kind of list ("person.roles"), shared
// by every empty list of that kind (a view cannot be changed, so sharing it is safe)
char kEmptyViews;
char kPersonKey;  // in a person view's metatable: the roster Person it shows

void set_string(lua_State* L, const char* key, const std::string& value) {
  lua_pushlstring(L, value.data(), value.size());
  lua_setfield(L, -2, key);
}

// Empty values are left out: in Lua they read as nil, which is what "absent" looks like there.
void set_optional(lua_State* L, const char* key, const std::string& value) {
  if (!value.empty()) set_string(L, key, value);
}

void push_list(lua_State* L, const std::vector<std::string>& items, const char* what) {
  if (items.empty()) {
    lua_rawgetp(L, LUA_REGISTRYINDEX, &kEmptyViews);
    if (lua_getfield(L, -1, what) == LUA_TNIL) {
      lua_pop(L, 1);
      lua_newtable(L);
      LuaHost::push_readonly(L, -1, what);
      lua_remove(L, -2);
      lua_pushvalue(L, -1);
      lua_setfield(L, -3, what);
    }
    lua_remove(L, -2);
    return;
  }
  lua_createtable(L, static_cast<int>(items.size()), 0);
  for (std::size_t i = 0; i < items.size(); ++i) {
    lua_pushlstring(L, items[i].data(), items[i].size());
    lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
  }
  LuaHost::push_readonly(L, -1, what);
  lua_remove(L, -2);
}

}  // namespace

const roster::Person* viewed_person(lua_State* L, int idx) {
  if (!lua_getmetatable(L, idx)) return nullptr;
  lua_rawgetp(L, -1, &kPersonKey);
  const auto* person = static_cast<const roster::Person*>(lua_touserdata(L, -1));
  lua_pop(L, 2);
  return person;
}

void push_person(lua_State* L, const roster::Person& p) {
  luaL_checkstack(L, 10, nullptr);
  lua_createtable(L, 0, 14);
  set_string(L, "email", p.email);
  set_optional(L, "employee_id", p.employee_id);
  set_optional(L, "name", p.name);
  set_optional(L, "department", p.department);
  set_optional(L, "title", p.title);
  set_optional(L, "manager_email", p.manager_email);
  std::string_view status = roster::to_string(p.status);
  lua_pushlstring(L, status.data(), status.size());
  lua_setfield(L, -2, "status");
  push_list(L, p.roles, "person.roles");
  lua_setfield(L, -2, "roles");
  push_list(L, p.aliases, "person.aliases");
  lua_setfield(L, -2, "aliases");
  lua_createtable(L, 0, static_cast<int>(p.attrs.size() + p.list_attrs.size()));
  for (const auto& [column, value] : p.attrs) set_optional(L, column.c_str(), value);
  // List values (Airtable multi-select, JSON and PostgreSQL arrays) are read-only lists.
  for (const auto& [column, list] : p.list_attrs) {
    push_list(L, list, "person.attrs list");
    lua_setfield(L, -2, column.c_str());
  }
  LuaHost::push_readonly(L, -1, "person.attrs");
  lua_remove(L, -2);
  lua_setfield(L, -2, "attrs");
  if (p.start_date) {
    push_date(L, *p.start_date, true);
    lua_setfield(L, -2, "start_date");
  }
  if (p.end_date) {
    push_date(L, *p.end_date, true);
    lua_setfield(L, -2, "end_date");
  }
  LuaHost::push_readonly(L, -1, "person");
  lua_remove(L, -2);
  // Only roster people: their address is stable for the engine's life, so a view kept by
  // policy code past its evaluation can never point at a destroyed Person.
  const roster::Person* first = session_of(L).roster->people.data();
  const roster::Person* end = first + session_of(L).roster->people.size();
  if (&p >= first && &p < end) {
    lua_getmetatable(L, -1);
    lua_pushlightuserdata(L, const_cast<roster::Person*>(&p));
    lua_rawsetp(L, -2, &kPersonKey);
    lua_pop(L, 1);
  }
}

void push_account(lua_State* L, const AccountView& a) {
  luaL_checkstack(L, 6, nullptr);
  lua_createtable(L, 0, 6);
  set_string(L, "system", a.system);
  set_string(L, "id", a.id);
  set_optional(L, "login", a.login);
  set_optional(L, "email", a.email);
  set_optional(L, "display_name", a.display_name);
  set_optional(L, "external_id", a.external_id);
  LuaHost::push_readonly(L, -1, "account");
  lua_remove(L, -2);
}

void install_views(lua_State* L) {
  lua_newtable(L);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &kEmptyViews);
}

}  // namespace rollcall::policy::detail
