// What policy code works with besides the vocabulary: the date type (date(), today(), now(),
// person.start_date) with its comparisons, the read-only views of a person and of an account
// that assign, rule and match functions receive, and the roster helpers (find_person,
// find_employee, manager_of, manager_chain, reports_to). Internal to policies/engine.
#pragma once

#include <lua.hpp>

#include <string>

#include "policies/engine/policy.hpp"
#include "scanner/core/time.hpp"

namespace rollcall::policy::detail {

struct DateBox {
  UnixTime t = 0;
  bool date_only = false;  // written as a day ("2026-12-31"): means the whole day
};

// Pushes a date value. May raise.
void push_date(lua_State* L, UnixTime t, bool date_only);
// The date value at idx, or nullptr. Non-raising.
const DateBox* to_date(lua_State* L, int idx);
// A date value or an ISO 8601 string at idx. Non-raising: false with `err` set otherwise.
bool read_date(lua_State* L, int idx, DateBox& out, std::string& err);

// Pushes the read-only view of a person / an account. May raise.
void push_person(lua_State* L, const roster::Person& person);
void push_account(lua_State* L, const AccountView& account);

// The roster Person a person view shows, or nullptr (not a view of a roster person). Non-raising.
const roster::Person* viewed_person(lua_State* L, int idx);

// Adds the date type and the helper functions to the base environment. A lua_CFunction, run
// through LuaHost::call while the host is set up; LuaHost::user() must be a Session.
int install_helpers(lua_State* L);
// Its parts, one per file: dates.cpp, person_views.cpp, roster_helpers.cpp. May raise.
void install_dates(lua_State* L);
void install_views(lua_State* L);
void install_roster_helpers(lua_State* L);

}  // namespace rollcall::policy::detail
