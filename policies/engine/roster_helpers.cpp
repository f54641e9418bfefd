// The roster helpers policies call: find_person, find_employee, manager_of, manager_chain,
// reports_to, and the manager lookup of the evaluation session.
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
    s.person = viewed_person(L, arg);
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

void install_roster_helpers(lua_State* L) {
  const luaL_Reg functions[] = {{"find_person", l_find_person}, {"find_employee", l_find_employee},
                                {"manager_of", l_manager_of},   {"manager_chain", l_manager_chain},
                                {"reports_to", l_reports_to},   {nullptr, nullptr}};
  for (const luaL_Reg* f = functions; f->name; ++f) {
    lua_pushcfunction(L, f->func);
    LuaHost::set_base(L, f->name);
  }
}

}  // namespace rollcall::policy::detail
