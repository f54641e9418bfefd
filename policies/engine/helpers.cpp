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
// registry key: { [what] = a read-only empty list }, one per kind of list ("person.roles"), shared
// by every empty list of that kind (a view cannot be changed, so sharing it is safe)
char kEmptyViews;
char kPersonKey;  // in a person view's metatable: the roster Person it shows

constexpr UnixTime kDay = 86400;

Session& session_of(lua_State* L) { return *static_cast<Session*>(LuaHost::of(L).user()); }

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

// ---- roster helpers ----

// Whose manager chain a helper walks: a roster person, or (for a view of someone not in the
// roster) just the manager email the view carries.
struct Subject {
  const roster::Person* person = nullptr;
  std::string_view manager_email;
};

// The subject named by argument `arg`: an email (looked up in the roster) or a person view.
// Raises when it is neither. Views of roster people carry their Person; the strings point
// into Lua values held by the argument, valid while the C function runs.
Subject subject_arg(lua_State* L, int arg, const char* fn) {
  Subject s;
  std::size_t len = 0;
  if (lua_type(L, arg) == LUA_TSTRING) {
    const char* email = lua_tolstring(L, arg, &len);
    s.person = session_of(L).roster->find_by_email(std::string_view(email, len));
  } else if (lua_type(L, arg) == LUA_TTABLE) {
    if (lua_getmetatable(L, arg)) {
      lua_rawgetp(L, -1, &kPersonKey);
      s.person = static_cast<const roster::Person*>(lua_touserdata(L, -1));
      lua_pop(L, 2);
    }
    if (!s.person) {
      LuaHost::push_data(L, arg);
      if (lua_getfield(L, -1, "email") != LUA_TSTRING)
        luaL_error(L, "%s: argument %d must be a person or an email", fn, arg);
      lua_pop(L, 1);
      if (lua_getfield(L, -1, "manager_email") == LUA_TSTRING) {
        const char* m = lua_tolstring(L, -1, &len);
        s.manager_email = std::string_view(m, len);
      }
      lua_pop(L, 2);  // the strings stay reachable through the argument
    }
  } else {
    luaL_error(L, "%s: argument %d must be a person or an email", fn, arg);
  }
  if (s.person) s.manager_email = s.person->manager_email;
  return s;
}

// Whether two emails are the same address: trimmed, ASCII case-insensitive.
bool same_email(std::string_view a, std::string_view b) {
  a = trim(a);
  b = trim(b);
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

const roster::Person* first_manager(Session& s, const Subject& who) {
  if (who.person) return s.manager_of(*who.person);
  return who.manager_email.empty() ? nullptr : s.roster->find_by_email(who.manager_email);
}

// Fills session.people with the managers above `who`, nearest first; stops at a manager who
// is not in the roster and at a cycle.
void collect_chain(Session& s, const Subject& who) {
  s.people.clear();
  for (const roster::Person* m = first_manager(s, who); m && s.people.size() < 1000; m = s.manager_of(*m)) {
    if (m == who.person || std::find(s.people.begin(), s.people.end(), m) != s.people.end()) return;
    s.people.push_back(m);
  }
}

// Whether `email` is anywhere above `who` in the manager chain (including a direct manager
// who is not in the roster).
bool in_chain(Session& s, const Subject& who, std::string_view email) {
  if (same_email(who.manager_email, email)) return true;
  collect_chain(s, who);
  for (const roster::Person* m : s.people) {
    if (same_email(m->email, email) || same_email(m->manager_email, email)) return true;
  }
  return false;
}

int l_find_person(lua_State* L) {
  std::size_t len = 0;
  const char* email = luaL_checklstring(L, 1, &len);
  const roster::Person* p = session_of(L).roster->find_by_email(std::string_view(email, len));
  if (p)
    push_person(L, *p);
  else
    lua_pushnil(L);
  return 1;
}

int l_find_employee(lua_State* L) {
  std::size_t len = 0;
  const char* id = luaL_checklstring(L, 1, &len);
  const roster::Person* p = session_of(L).roster->find_by_employee_id(std::string_view(id, len));
  if (p)
    push_person(L, *p);
  else
    lua_pushnil(L);
  return 1;
}

int l_manager_of(lua_State* L) {
  const roster::Person* m = first_manager(session_of(L), subject_arg(L, 1, "manager_of"));
  if (m)
    push_person(L, *m);
  else
    lua_pushnil(L);
  return 1;
}

int l_manager_chain(lua_State* L) {
  Subject who = subject_arg(L, 1, "manager_chain");
  Session& s = session_of(L);
  collect_chain(s, who);
  lua_createtable(L, static_cast<int>(s.people.size()), 0);
  for (std::size_t i = 0; i < s.people.size(); ++i) {
    const std::string& email = s.people[i]->email;
    lua_pushlstring(L, email.data(), email.size());
    lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
  }
  LuaHost::push_readonly(L, -1, "manager_chain");
  return 1;
}

int l_reports_to(lua_State* L) {
  Subject who = subject_arg(L, 1, "reports_to");
  std::size_t len = 0;
  const char* email = luaL_checklstring(L, 2, &len);
  lua_pushboolean(L, in_chain(session_of(L), who, std::string_view(email, len)));
  return 1;
}

// ---- views ----

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

const roster::Person* Session::manager_of(const roster::Person& p) {
  if (p.manager_email.empty()) return nullptr;
  const std::vector<roster::Person>& all = roster->people;
  const roster::Person* first = all.data();
  if (&p < first || &p >= first + all.size()) return roster->find_by_email(p.manager_email);
  if (managers.empty()) {
    managers.reserve(all.size());
    for (const roster::Person& q : all) {
      managers.push_back(q.manager_email.empty() ? nullptr : roster->find_by_email(q.manager_email));
    }
  }
  return managers[static_cast<std::size_t>(&p - first)];
}

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

int install_helpers(lua_State* L) {
  push_date_metatable(L);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &kDateMeta);
  lua_newtable(L);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &kEmptyViews);
  const luaL_Reg functions[] = {{"date", l_date},
                                {"today", l_today},
                                {"now", l_now},
                                {"before", l_before},
                                {"after", l_after},
                                {"days_between", l_days_between},
                                {"find_person", l_find_person},
                                {"find_employee", l_find_employee},
                                {"manager_of", l_manager_of},
                                {"manager_chain", l_manager_chain},
                                {"reports_to", l_reports_to},
                                {nullptr, nullptr}};
  for (const luaL_Reg* f = functions; f->name; ++f) {
    lua_pushcfunction(L, f->func);
    LuaHost::set_base(L, f->name);
  }
  return 0;
}

}  // namespace rollcall::policy::detail
