#include "policies/engine/lua_read.hpp"

#include <algorithm>

#include "policies/engine/helpers.hpp"
#include "policies/engine/lua_host.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::policy::detail {

TableReader::TableReader(lua_State* L, int idx) : L_(L), top_(lua_gettop(L)) {
  LuaHost::push_data(L, idx);
  index_ = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, index_)) {
    if (auto key = LuaHost::string_at(L, -2)) keys_.emplace_back(*key);
    else ++other_keys_;
    lua_pop(L, 1);
  }
  std::sort(keys_.begin(), keys_.end());
}

int TableReader::push(std::string_view key) const {
  lua_pushnil(L_);
  while (lua_next(L_, index_)) {
    auto k = LuaHost::string_at(L_, -2);
    if (k && *k == key) {
      lua_remove(L_, -2);
      return lua_type(L_, -1);
    }
    lua_pop(L_, 1);
  }
  lua_pushnil(L_);
  return LUA_TNIL;
}

std::string TableReader::unknown_key(const std::vector<std::string_view>& allowed) const {
  for (const auto& k : keys_) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) return k;
  }
  return "";
}

std::string describe_type(lua_State* L, int idx) {
  int t = lua_type(L, idx);
  if (t == LUA_TNIL || t == LUA_TNONE) return "nil";
  if (to_date(L, idx)) return "a date";
  return std::string("a ") + lua_typename(L, t);
}

bool valid_entitlement_id(std::string_view id) {
  std::size_t colon = id.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == id.size()) return false;
  return trim(id) == id && trim(id.substr(0, colon)) == id.substr(0, colon) &&
         trim(id.substr(colon + 1)) == id.substr(colon + 1);
}

namespace {

bool check_id(std::string_view id, const std::string& system, ReadError& err) {
  if (valid_entitlement_id(id)) return true;
  err = {"malformed entitlement id " + quote(id) + " in system " + quote(system) +
             " (expected \"<type>:<name>\")",
         std::string(id), system};
  return false;
}

}  // namespace

bool read_entry(lua_State* L, int idx, const std::string& system, EntryDef& out, ReadError& err) {
  out = EntryDef{};
  out.system = system;
  if (auto id = LuaHost::string_at(L, idx)) {
    if (!check_id(*id, system, err)) return false;
    out.entitlement_id = std::string(*id);
    return true;
  }
  if (lua_type(L, idx) != LUA_TTABLE) {
    err = {"an entitlement in system " + quote(system) +
               " must be \"<type>:<name>\" or { \"<type>:<name>\", level = \"...\" }, not " +
               describe_type(L, idx),
           "", system};
    return false;
  }
  TableReader t(L, idx);
  if (t.length() != 1 || t.other_keys() != 1 || t.push(1) != LUA_TSTRING) {
    err = {"an entitlement table in system " + quote(system) +
               " holds exactly one id first: { \"<type>:<name>\", level = \"...\" }",
           "", system};
    return false;
  }
  std::string_view id = *LuaHost::string_at(L, -1);
  if (!check_id(id, system, err)) return false;
  out.entitlement_id = std::string(id);
  if (std::string bad = t.unknown_key({"level", "privileged"}); !bad.empty()) {
    err = {"entitlement " + quote(id) + ": unknown key " + quote(bad) + " (allowed: level, privileged)",
           std::string(id), system};
    return false;
  }
  int type = t.push("level");
  if (type != LUA_TNIL) {
    auto level = LuaHost::string_at(L, -1);
    if (!level || trim(*level).empty()) {
      err = {"entitlement " + quote(id) + ": level must be a non-empty string, not " +
                 describe_type(L, -1),
             std::string(id), system};
      return false;
    }
    out.level = std::string(trim(*level));
  }
  type = t.push("privileged");
  if (type != LUA_TNIL) {
    if (type != LUA_TBOOLEAN) {
      err = {"entitlement " + quote(id) + ": privileged must be true or false, not " +
                 describe_type(L, -1),
             std::string(id), system};
      return false;
    }
    out.privileged = lua_toboolean(L, -1);
  }
  return true;
}

bool read_entry_list(lua_State* L, int idx, const std::string& system, std::vector<EntryDef>& out,
                     ReadError& err) {
  if (lua_type(L, idx) != LUA_TTABLE) {
    err = {quote(system) + " must be a list of entitlements, e.g. { \"team:platform\" }, not " +
               describe_type(L, idx),
           "", system};
    return false;
  }
  TableReader t(L, idx);
  std::size_t n = t.length();
  if (!t.keys().empty() || static_cast<std::size_t>(t.other_keys()) != n) {
    err = {quote(system) + " must be a list of entitlements, e.g. { \"team:platform\" }" +
               (t.keys().empty() ? std::string(" (it has holes)")
                                 : " (found key " + quote(t.keys().front()) + ")"),
           "", system};
    return false;
  }
  for (std::size_t i = 1; i <= n; ++i) {
    t.push(static_cast<lua_Integer>(i));
    EntryDef entry;
    if (!read_entry(L, -1, system, entry, err)) return false;
    lua_pop(L, 1);
    out.push_back(std::move(entry));
  }
  return true;
}

bool read_grants(lua_State* L, int idx, const Session& session, std::vector<EntryDef>& out,
                 ReadError& err) {
  if (lua_type(L, idx) != LUA_TTABLE) {
    err = {"must return nil or { <system> = { <entitlements> } }, not " + describe_type(L, idx), "", ""};
    return false;
  }
  TableReader t(L, idx);
  if (t.other_keys() > 0) {
    err = {"must return { <system> = { <entitlements> } }: found a list element where a system "
           "name was expected",
           "", ""};
    return false;
  }
  for (const auto& system : t.keys()) {
    if (!session.known_system(system)) {
      err = {session.unknown_system(system), "", system};
      return false;
    }
    t.push(system);
    if (!read_entry_list(L, -1, system, out, err)) return false;
    lua_pop(L, 1);
  }
  return true;
}

bool read_string_list(lua_State* L, int idx, const std::string& what, std::vector<std::string>& out,
                      ReadError& err) {
  if (lua_type(L, idx) != LUA_TTABLE) {
    err = {what + " must be a list of strings, e.g. { \"a\", \"b\" }, not " + describe_type(L, idx),
           "", what};
    return false;
  }
  TableReader t(L, idx);
  std::size_t n = t.length();
  if (!t.keys().empty() || static_cast<std::size_t>(t.other_keys()) != n) {
    err = {what + " must be a list of strings, e.g. { \"a\", \"b\" }", "", what};
    return false;
  }
  for (std::size_t i = 1; i <= n; ++i) {
    t.push(static_cast<lua_Integer>(i));
    auto s = LuaHost::string_at(L, -1);
    if (!s || s->empty()) {
      err = {what + " must be a list of non-empty strings; element " + std::to_string(i) + " is " +
                 (s ? std::string("empty") : describe_type(L, -1)),
             "", what};
      return false;
    }
    out.emplace_back(*s);
    lua_pop(L, 1);
  }
  return true;
}

}  // namespace rollcall::policy::detail
