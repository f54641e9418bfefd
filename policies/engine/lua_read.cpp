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
    if (auto key = LuaHost::string_at(L, -2))
      keys_.emplace_back(*key);
    else
      ++other_keys_;
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
  out.system = system;
  out.level = "member";
  out.privileged = false;
  out.source = {};
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
  if (type == LUA_TTABLE) {
    // A set of allowed levels: { "member", "maintainer" }, the first one granted.
    std::vector<std::string> levels;
    ReadError list_err;
    if (!read_string_list(L, -1, "entitlement " + quote(id) + ": level", levels, list_err) || levels.empty()) {
      err = {"entitlement " + quote(id) + ": level must be a string or a non-empty list of strings",
             std::string(id), system};
      return false;
    }
    out.level.clear();
    for (const std::string& l : levels) {
      const std::string_view one = trim(l);
      if (one.empty() || one.find(kLevelSeparator) != std::string_view::npos) {
        err = {"entitlement " + quote(id) + ": level " + quote(l) + " is empty or holds a '|'", std::string(id),
               system};
        return false;
      }
      if (level_allowed(out.level, one) && !out.level.empty()) continue;
      if (!out.level.empty()) out.level += kLevelSeparator;
      out.level += one;
    }
  } else if (type != LUA_TNIL) {
    auto level = LuaHost::string_at(L, -1);
    if (!level || trim(*level).empty() || trim(*level).find(kLevelSeparator) != std::string_view::npos) {
      err = {"entitlement " + quote(id) + ": level must be a non-empty string or a list of them, not " +
                 describe_type(L, -1),
             std::string(id), system};
      return false;
    }
    out.level = std::string(trim(*level));
  }
  type = t.push("privileged");
  if (type != LUA_TNIL) {
    if (type != LUA_TBOOLEAN) {
      err = {"entitlement " + quote(id) + ": privileged must be true or false, not " + describe_type(L, -1),
             std::string(id), system};
      return false;
    }
    out.privileged = lua_toboolean(L, -1);
  }
  return true;
}

namespace {

// Whether the table at idx holds exactly the keys 1..n (a list without holes or named keys);
// `named` is set to the first string key found, if any. One traversal, nothing allocated.
bool is_list(lua_State* L, int idx, lua_Integer n, std::string_view& named) {
  lua_Integer count = 0;
  bool ok = true;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (auto key = LuaHost::string_at(L, -1)) {
      if (named.empty()) named = *key;
      ok = false;
    } else if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 || lua_tointeger(L, -1) > n) {
      ok = false;
    }
    ++count;
  }
  return ok && count == n;
}

}  // namespace

bool read_entry_list(lua_State* L, int idx, const std::string& system, std::vector<EntryDef>& out,
                     ReadError& err) {
  if (lua_type(L, idx) != LUA_TTABLE) {
    err = {quote(system) + " must be a list of entitlements, e.g. { \"team:platform\" }, not " +
               describe_type(L, idx),
           "", system};
    return false;
  }
  int top = lua_gettop(L);
  LuaHost::push_data(L, idx);
  int list = lua_gettop(L);
  auto n = static_cast<lua_Integer>(lua_rawlen(L, list));
  std::string_view named;
  if (!is_list(L, list, n, named)) {
    err = {quote(system) + " must be a list of entitlements, e.g. { \"team:platform\" }" +
               (named.empty() ? std::string(" (it has holes)") : " (found key " + quote(named) + ")"),
           "", system};
    lua_settop(L, top);
    return false;
  }
  for (lua_Integer i = 1; i <= n; ++i) {
    lua_rawgeti(L, list, i);
    out.emplace_back();
    bool ok = read_entry(L, -1, system, out.back(), err);
    lua_pop(L, 1);
    if (!ok) {
      out.pop_back();
      lua_settop(L, top);
      return false;
    }
  }
  lua_settop(L, top);
  return true;
}

// One traversal; when several systems have problems, the first in name order is reported, so
// the message does not depend on hash order.
bool read_grants(lua_State* L, int idx, const Session& session, std::vector<EntryDef>& out, ReadError& err) {
  if (lua_type(L, idx) != LUA_TTABLE) {
    err = {"must return nil or { <system> = { <entitlements> } }, not " + describe_type(L, idx), "", ""};
    return false;
  }
  int top = lua_gettop(L);
  LuaHost::push_data(L, idx);
  int result = lua_gettop(L);
  bool failed = false;
  std::string system;
  lua_pushnil(L);
  while (lua_next(L, result)) {
    auto key = LuaHost::string_at(L, -2);
    if (!key) {
      err = {
          "must return { <system> = { <entitlements> } }: found a list element where a system "
          "name was expected",
          "", ""};
      lua_settop(L, top);
      return false;
    }
    bool earlier = !failed || *key < err.key;
    system.assign(key->data(), key->size());
    ReadError problem;
    if (!session.known_system(system)) {
      problem = {session.unknown_system(system), "", system};
    } else if (read_entry_list(L, -1, system, out, problem)) {
      lua_pop(L, 1);
      continue;
    }
    if (earlier) {
      err = std::move(problem);
      err.key = system;
      failed = true;
    }
    lua_pop(L, 1);
  }
  lua_settop(L, top);
  return !failed;
}

bool read_string_list(lua_State* L, int idx, const std::string& what, std::vector<std::string>& out,
                      ReadError& err) {
  if (lua_type(L, idx) != LUA_TTABLE) {
    err = {what + " must be a list of strings, e.g. { \"a\", \"b\" }, not " + describe_type(L, idx), "",
           what};
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
