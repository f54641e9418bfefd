// The date type policies work with (date(), today(), now(), person.start_date): its metatable
// (comparisons with dates and ISO strings, arithmetic in days, fields) and the date helpers.
// The lua_CFunctions here follow the error discipline of lua_host.hpp: trivially destructible
// locals only; C++ work happens in helpers that return before anything may raise.
#include "policies/engine/helpers.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

#include "policies/engine/definitions.hpp"
#include "policies/engine/lua_host.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::policy::detail {
namespace {

char kDateMeta;   // registry key: the metatable of date values

constexpr UnixTime kDay = 86400;

UnixTime floor_div(UnixTime a, UnixTime b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// "2026-12-31" for a day (or a midnight), else "2026-12-31T08:30:00Z".
void date_text(const DateBox& d, char (&buf)[40]) {
  std::string text = d.date_only || d.t % kDay == 0 ? format_date(d.t) : format_iso8601(d.t);
  std::snprintf(buf, sizeof buf, "%s", text.c_str());
}

void civil(UnixTime t, int& y, int& m, int& d) {
  std::string day = format_date(t);
  y = m = d = 0;
  std::sscanf(day.c_str(), "%d-%d-%d", &y, &m, &d);
}
// ---- the date type ----

// Reads both operands of a comparison or raises naming the operator.
void read_operands(lua_State* L, const char* op, DateBox& a, DateBox& b) {
  LuaHost& host = LuaHost::of(L);
  if (!read_date(L, 1, a, host.error_text()) || !read_date(L, 2, b, host.error_text())) {
    host.error_text().insert(0, std::string("date ") + op + ": ");
    LuaHost::raise(L, true);
  }
}

int date_lt(lua_State* L) {
  DateBox a, b;
  read_operands(L, "<", a, b);
  lua_pushboolean(L, a.t < b.t);
  return 1;
}

int date_le(lua_State* L) {
  DateBox a, b;
  read_operands(L, "<=", a, b);
  lua_pushboolean(L, a.t <= b.t);
  return 1;
}

int date_eq(lua_State* L) {
  const DateBox* a = to_date(L, 1);
  const DateBox* b = to_date(L, 2);
  lua_pushboolean(L, a && b && a->t == b->t);
  return 1;
}

int date_tostring(lua_State* L) {
  char buf[40];
  date_text(*to_date(L, 1), buf);
  lua_pushstring(L, buf);
  return 1;
}

int date_add_days(lua_State* L) {
  const DateBox* d = to_date(L, 1);
  if (!d) return luaL_error(L, "add_days: call it as a method, d:add_days(n)");
  lua_Integer n = luaL_checkinteger(L, 2);
  if (n < -3650000 || n > 3650000)
    return luaL_error(L, "add_days: %I days is out of range", static_cast<LUAI_UACINT>(n));
  push_date(L, d->t + n * kDay, d->date_only);
  return 1;
}

// date + days, days + date
int date_add(lua_State* L) {
  int date_at = to_date(L, 1) ? 1 : 2;
  const DateBox* d = to_date(L, date_at);
  int n_at = 3 - date_at;
  if (!lua_isinteger(L, n_at)) return luaL_error(L, "date +: add a whole number of days");
  lua_Integer n = lua_tointeger(L, n_at);
  if (n < -3650000 || n > 3650000)
    return luaL_error(L, "date +: %I days is out of range", static_cast<LUAI_UACINT>(n));
  push_date(L, d->t + n * kDay, d->date_only);
  return 1;
}

// date - days -> date; date - date -> whole days between them
int date_sub(lua_State* L) {
  const DateBox* a = to_date(L, 1);
  if (a && lua_isinteger(L, 2)) {
    lua_Integer n = lua_tointeger(L, 2);
    if (n < -3650000 || n > 3650000)
      return luaL_error(L, "date -: %I days is out of range", static_cast<LUAI_UACINT>(n));
    push_date(L, a->t - n * kDay, a->date_only);
    return 1;
  }
  DateBox x, y;
  read_operands(L, "-", x, y);
  lua_pushinteger(L, floor_div(x.t - y.t, kDay));
  return 1;
}

int date_index(lua_State* L) {
  const DateBox* d = to_date(L, 1);
  const char* key = lua_tostring(L, 2);
  if (!key) return luaL_error(L, "a date has no such field");
  int y, m, day;
  civil(d->t, y, m, day);
  if (std::strcmp(key, "year") == 0)
    lua_pushinteger(L, y);
  else if (std::strcmp(key, "month") == 0)
    lua_pushinteger(L, m);
  else if (std::strcmp(key, "day") == 0)
    lua_pushinteger(L, day);
  else if (std::strcmp(key, "unix") == 0)
    lua_pushinteger(L, d->t);
  else if (std::strcmp(key, "add_days") == 0)
    lua_pushcfunction(L, date_add_days);
  else
    return luaL_error(L, "a date has no field \"%s\" (it has year, month, day, unix and add_days)", key);
  return 1;
}

void push_date_metatable(lua_State* L) {
  lua_createtable(L, 0, 9);
  const luaL_Reg methods[] = {{"__lt", date_lt},
                              {"__le", date_le},
                              {"__eq", date_eq},
                              {"__add", date_add},
                              {"__sub", date_sub},
                              {"__index", date_index},
                              {"__tostring", date_tostring},
                              {nullptr, nullptr}};
  luaL_setfuncs(L, methods, 0);
  lua_pushliteral(L, "date");
  lua_setfield(L, -2, "__name");
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
}

// ---- date helpers ----

// Reads argument `arg` as a date or raises "<fn>: <why>".
void date_arg(lua_State* L, int arg, const char* fn, DateBox& out) {
  LuaHost& host = LuaHost::of(L);
  if (!read_date(L, arg, out, host.error_text())) {
    host.error_text().insert(0, std::string(fn) + ": argument " + std::to_string(arg) + ": ");
    LuaHost::raise(L, true);
  }
}

int l_date(lua_State* L) {
  DateBox d;
  date_arg(L, 1, "date", d);
  push_date(L, d.t, d.date_only);
  return 1;
}

int l_today(lua_State* L) {
  push_date(L, LuaHost::of(L).today(), true);
  return 1;
}

int l_now(lua_State* L) {
  push_date(L, LuaHost::of(L).now(), false);
  return 1;
}

int l_before(lua_State* L) {
  DateBox a, b;
  date_arg(L, 1, "before", a);
  date_arg(L, 2, "before", b);
  lua_pushboolean(L, a.t < b.t);
  return 1;
}

int l_after(lua_State* L) {
  DateBox a, b;
  date_arg(L, 1, "after", a);
  date_arg(L, 2, "after", b);
  lua_pushboolean(L, a.t > b.t);
  return 1;
}

int l_days_between(lua_State* L) {
  DateBox a, b;
  date_arg(L, 1, "days_between", a);
  date_arg(L, 2, "days_between", b);
  lua_pushinteger(L, floor_div(b.t - a.t, kDay));
  return 1;
}

}  // namespace

void push_date(lua_State* L, UnixTime t, bool date_only) {
  auto* box = static_cast<DateBox*>(lua_newuserdatauv(L, sizeof(DateBox), 0));
  box->t = t;
  box->date_only = date_only;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &kDateMeta);
  lua_setmetatable(L, -2);
}

const DateBox* to_date(lua_State* L, int idx) {
  if (lua_type(L, idx) != LUA_TUSERDATA || !lua_getmetatable(L, idx)) return nullptr;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &kDateMeta);
  bool is_date = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  return is_date ? static_cast<const DateBox*>(lua_touserdata(L, idx)) : nullptr;
}

bool read_date(lua_State* L, int idx, DateBox& out, std::string& err) {
  if (const DateBox* d = to_date(L, idx)) {
    out = *d;
    return true;
  }
  auto text = LuaHost::string_at(L, idx);
  if (!text) {
    err = "expected a date or an ISO 8601 date string, not " +
          std::string(lua_type(L, idx) <= LUA_TNIL ? "nil" : std::string("a ") + luaL_typename(L, idx));
    return false;
  }
  auto t = parse_iso8601(*text);
  if (!t) {
    err = t.error().message();
    return false;
  }
  out.t = *t;
  out.date_only = trim(*text).size() == 10;
  return true;
}

void install_dates(lua_State* L) {
  push_date_metatable(L);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &kDateMeta);
  const luaL_Reg functions[] = {{"date", l_date}, {"today", l_today}, {"now", l_now}, {"before", l_before},
                                {"after", l_after}, {"days_between", l_days_between}, {nullptr, nullptr}};
  for (const luaL_Reg* f = functions; f->name; ++f) {
    lua_pushcfunction(L, f->func);
    LuaHost::set_base(L, f->name);
  }
}

}  // namespace rollcall::policy::detail
