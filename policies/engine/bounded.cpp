// Bounded replacements for library functions that work in C (see bounded.hpp). Each wrapper
// holds the original function as upvalue 1, checks and charges, then calls it; table.concat is
// our own loop so that its size check runs while it builds. Error discipline: lua_host.hpp
// (messages are built with lua_pushfstring, so no C++ object is alive when they are raised).
#include "policies/engine/bounded.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string_view>

#include "policies/engine/lua_host.hpp"

namespace rollcall::policy::detail {
namespace {

constexpr auto kLimit = static_cast<LUAI_UACINT>(kMaxStringBytes);

// Calls upvalue 1 with this call's arguments and returns all its results.
int call_original(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

// Charges `work` instructions (a double, so that counts cannot overflow).
void charge(lua_State* L, double work) {
  if (work < 1) return;
  LuaHost::charge(L, work > 1e15 ? static_cast<lua_Integer>(1e15) : static_cast<lua_Integer>(work));
}

// Raises the message on top of the stack at the policy line that made the call.
int refuse(lua_State* L) {
  LuaHost::of(L).error_text() = lua_tostring(L, -1);
  return LuaHost::raise(L, true);
}

// Work linear in the string arguments (upper, lower, reverse, pack, utf8.len...).
int charged(lua_State* L) {
  double bytes = 0;
  for (int i = 1, n = lua_gettop(L); i <= n; ++i) {
    if (lua_type(L, i) == LUA_TSTRING) bytes += static_cast<double>(lua_rawlen(L, i));
  }
  charge(L, bytes);
  return call_original(L);
}

// Work linear in the results (sub, byte, char, utf8.codepoint).
int charged_results(lua_State* L) {
  int n = call_original(L);
  double work = n;
  for (int i = 1; i <= n; ++i) {
    if (lua_type(L, i) == LUA_TSTRING) work += static_cast<double>(lua_rawlen(L, i));
  }
  charge(L, work);
  return n;
}

// ---- string.rep: the repetitions are work even when the result is empty ----

int bounded_rep(lua_State* L) {
  std::size_t len = 0, sep = 0;
  luaL_checklstring(L, 1, &len);
  lua_Integer n = luaL_checkinteger(L, 2);
  luaL_optlstring(L, 3, "", &sep);
  if (n > 0) {
    if (static_cast<lua_Unsigned>(n) > kMaxStringBytes) {
      lua_pushfstring(L, "string.rep: %I repetitions (the limit is %I)", static_cast<LUAI_UACINT>(n), kLimit);
      return refuse(L);
    }
    double total = static_cast<double>(n) * static_cast<double>(len) + static_cast<double>(n - 1) * sep;
    if (total > kMaxStringBytes) {
      lua_pushfstring(L, "string.rep: the result would be %I bytes (the limit is %I)",
                      static_cast<LUAI_UACINT>(total), kLimit);
      return refuse(L);
    }
    charge(L, std::max(static_cast<double>(n), total));
  }
  return call_original(L);
}

// ---- string.format: conversions are at most 99 wide, but %s and %q copy their argument ----

int bounded_format(lua_State* L) {
  std::size_t flen = 0;
  const char* f = luaL_checklstring(L, 1, &flen);
  double bound = static_cast<double>(flen);
  int arg = 2, top = lua_gettop(L);
  for (std::size_t i = 0; i < flen; ++i) {
    if (f[i] != '%') continue;
    if (++i < flen && f[i] == '%') continue;
    while (i < flen && f[i] != '\0' && std::strchr("-+ #0123456789.", f[i])) ++i;
    if (i >= flen) break;
    bool text = arg <= top && lua_type(L, arg) == LUA_TSTRING;
    double len = text ? static_cast<double>(lua_rawlen(L, arg)) : 0;
    if (f[i] == 's')
      bound += (text ? len : 512) + 99;  // a non-string goes through tostring: checked after
    else if (f[i] == 'q')
      bound += text ? 4 * len + 2 : 512;  // "\ddd" at worst per byte
    else
      bound += 512;  // a number: LUAI_NUMFFORMAT at most 99 wide, 418 for %f of 1e308
    ++arg;
  }
  if (bound > kMaxStringBytes) {
    lua_pushfstring(L, "string.format: the result could be %I bytes (the limit is %I)",
                    static_cast<LUAI_UACINT>(bound), kLimit);
    return refuse(L);
  }
  call_original(L);
  std::size_t out = lua_rawlen(L, 1);
  if (out > kMaxStringBytes) {
    lua_pushfstring(L, "string.format: the result would be %I bytes (the limit is %I)",
                    static_cast<LUAI_UACINT>(out), kLimit);
    return refuse(L);
  }
  charge(L, static_cast<double>(flen + out));
  return 1;
}

// ---- patterns: refuse calls whose worst case backtracks for hours ----

enum PatternFn : int { kFind, kMatch, kGmatch, kGsub };
const char* const kPatternFnNames[] = {"find", "match", "gmatch", "gsub"};

// Past the set that starts at p[i] ('['), as lstrlib's classEnd reads it: a ']' right after
// '[' or '[^' is a member, and '%' escapes the next character.
std::size_t skip_set(std::string_view p, std::size_t i) {
  ++i;
  if (i < p.size() && p[i] == '^') ++i;
  do {
    if (i >= p.size()) return p.size();
    if (p[i++] == '%' && i < p.size()) ++i;
  } while (i < p.size() && p[i] != ']');
  return i + 1;
}

// The worst-case number of steps Lua's backtracking matcher takes for pattern p on an n-byte
// subject: the start positions, times the branches each quantifier opens (n+1 for *, + and -,
// 2 for ?), times the cost of one path (the pattern's length, plus a scan of the subject for
// each %b and back-reference %1-%9, which match deterministically but read up to n bytes).
// %f and character classes are one step. A plain find compares the pattern at every start.
double pattern_cost(std::string_view p, std::size_t n, bool anchorable, bool plain) {
  double m = static_cast<double>(n) + 1;
  if (plain) return m * static_cast<double>(p.size() + 1);
  bool anchored = anchorable && !p.empty() && p[0] == '^';
  double branches = 1, scans = 0;
  for (std::size_t i = anchored ? 1 : 0; i < p.size();) {
    char c = p[i];
    if (c == '(' || c == ')') {
      ++i;
      continue;
    }
    if (c == '%' && i + 1 < p.size()) {
      char e = p[i + 1];
      if (e == 'b' || (e >= '0' && e <= '9')) {  // %bxy, %1: deterministic, no quantifier
        scans += 1;
        i += e == 'b' ? 4 : 2;
        continue;
      }
      if (e == 'f') {  // %f[set]: one step, no quantifier
        i = i + 2 < p.size() && p[i + 2] == '[' ? skip_set(p, i + 2) : i + 2;
        continue;
      }
      i += 2;  // %a, %., ...
    } else if (c == '[') {
      i = skip_set(p, i);
    } else {
      ++i;  // one character or '.'
    }
    if (i < p.size() && (p[i] == '*' || p[i] == '+' || p[i] == '-')) {
      branches *= m;
      ++i;
    } else if (i < p.size() && p[i] == '?') {
      branches *= 2;
      ++i;
    }
  }
  return (anchored ? 1 : m) * branches * (static_cast<double>(p.size()) + 1 + scans * m);
}

// Replacement function or table of a gsub, wrapped: counts the bytes the replacements add.
// upvalue 1: the policy's function or table; upvalue 2: bytes left before the limit.
int counted_replacement(lua_State* L) {
  lua_Integer left = lua_tointeger(L, lua_upvalueindex(2));
  if (lua_type(L, lua_upvalueindex(1)) == LUA_TFUNCTION) {
    int n = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, 1);
  } else {
    lua_settop(L, 1);  // the first capture (or the whole match) is the key
    lua_gettable(L, lua_upvalueindex(1));
  }
  if (lua_type(L, -1) == LUA_TSTRING) {
    left -= static_cast<lua_Integer>(lua_rawlen(L, -1));
  } else if (lua_type(L, -1) == LUA_TNUMBER) {
    left -= 48;  // the longest number lua_tostring writes
  }
  if (left < 0) {
    lua_pushfstring(L, "string.gsub: the replacements would make the result longer than the limit of %I bytes",
                    kLimit);
    return refuse(L);
  }
  lua_pushinteger(L, left);
  lua_replace(L, lua_upvalueindex(2));
  return 1;
}

// For a replacement string: the longest result a gsub can build. The unmatched text is at most
// the subject; each match adds the replacement's text, and each %0-%9 in it adds a capture,
// which lies inside a match (matches do not overlap, so that is at most n bytes per reference)
// or is a position (a number of a few digits).
double gsub_bound(std::string_view repl, double n, double matches) {
  double refs = 0;
  for (std::size_t i = 0; i + 1 < repl.size(); ++i) {
    if (repl[i] != '%') continue;
    if (repl[i + 1] >= '0' && repl[i + 1] <= '9') refs += 1;
    ++i;
  }
  return n + matches * (static_cast<double>(repl.size()) + 5 * refs) + refs * n;
}

// upvalue 1: the original function; upvalue 2: which one (PatternFn).
int guarded_pattern(lua_State* L) {
  int fn = static_cast<int>(lua_tointeger(L, lua_upvalueindex(2)));
  std::size_t n = 0, plen = 0;
  luaL_checklstring(L, 1, &n);
  const char* p = luaL_checklstring(L, 2, &plen);
  bool plain = fn == kFind && lua_toboolean(L, 4);
  if (pattern_cost(std::string_view(p, plen), n, fn != kGmatch, plain) > kMaxPatternWork) {
    lua_pushfstring(L,
                    "string.%s: pattern too complex for a %I-byte subject (policies may not backtrack "
                    "more than 1e9 steps; match a shorter string or use plain find)",
                    kPatternFnNames[fn], static_cast<LUAI_UACINT>(n));
    return refuse(L);
  }
  charge(L, static_cast<double>(n + plen));
  if (fn != kGsub) return call_original(L);

  double matches = static_cast<double>(n) + 1;
  if (lua_type(L, 4) == LUA_TNUMBER) matches = std::clamp(static_cast<double>(lua_tonumber(L, 4)), 0.0, matches);
  int rt = lua_type(L, 3);
  if (rt == LUA_TSTRING || rt == LUA_TNUMBER) {
    std::size_t rlen = 0;
    const char* r = lua_tolstring(L, 3, &rlen);
    double bound = gsub_bound(std::string_view(r, rlen), static_cast<double>(n), matches);
    if (bound > kMaxStringBytes) {
      lua_pushfstring(L, "string.gsub: the result could be %I bytes (the limit is %I)",
                      static_cast<LUAI_UACINT>(bound), kLimit);
      return refuse(L);
    }
  } else if (rt == LUA_TFUNCTION || rt == LUA_TTABLE) {
    lua_pushvalue(L, 3);
    lua_pushinteger(L, static_cast<lua_Integer>(kMaxStringBytes) - static_cast<lua_Integer>(n));
    lua_pushcclosure(L, counted_replacement, 2);
    lua_replace(L, 3);
  }
  int results = call_original(L);
  if (lua_type(L, 1) == LUA_TSTRING) charge(L, static_cast<double>(lua_rawlen(L, 1)));
  return results;
}

// ---- table ----

// table.concat, our own loop: the element count is checked before, the size while building.
int bounded_concat(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  std::size_t seplen = 0;
  const char* sep = luaL_optlstring(L, 2, "", &seplen);
  lua_Integer i = luaL_optinteger(L, 3, 1);
  lua_Integer last = lua_isnoneornil(L, 4) ? luaL_len(L, 1) : luaL_checkinteger(L, 4);
  if (i > last) {
    lua_pushliteral(L, "");
    return 1;
  }
  lua_Unsigned count = static_cast<lua_Unsigned>(last) - static_cast<lua_Unsigned>(i) + 1;
  if (count == 0 || count > kMaxStringBytes) {
    lua_pushfstring(L, "table.concat: %I elements (the limit is %I)", static_cast<LUAI_UACINT>(count), kLimit);
    return refuse(L);
  }
  charge(L, static_cast<double>(count));
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  std::size_t total = 0;
  for (;; ++i) {
    lua_geti(L, 1, i);
    if (!lua_isstring(L, -1)) {
      return luaL_error(L, "invalid value (at index %I) in table for 'concat'", static_cast<LUAI_UACINT>(i));
    }
    total += lua_rawlen(L, -1) + (i == last ? 0 : seplen);
    if (lua_type(L, -1) == LUA_TNUMBER) total += 48;
    if (total > kMaxStringBytes) {
      lua_pushfstring(L, "table.concat: the result would be longer than the limit of %I bytes", kLimit);
      return refuse(L);
    }
    luaL_addvalue(&b);
    if (i == last) break;
    luaL_addlstring(&b, sep, seplen);
  }
  luaL_pushresult(&b);
  charge(L, static_cast<double>(total));
  return 1;
}

// The length of the table argument, through __len, as the original will read it.
double table_length(lua_State* L) {
  if (lua_type(L, 1) != LUA_TTABLE) return 0;
  return static_cast<double>(luaL_len(L, 1));
}

// table.insert and table.remove shift up to #t elements in C.
int charged_shift(lua_State* L) {
  charge(L, table_length(L));
  return call_original(L);
}

// table.sort compares about n log n times in C.
int charged_sort(lua_State* L) {
  double n = table_length(L);
  if (n > 1) charge(L, n * std::ceil(std::log2(n)));
  return call_original(L);
}

// table.move and table.unpack loop from argument f to argument e in C.
int charged_range(lua_State* L) {
  bool move = lua_toboolean(L, lua_upvalueindex(2));
  lua_Integer f = move ? luaL_checkinteger(L, 2) : luaL_optinteger(L, 2, 1);
  lua_Integer e = move ? luaL_checkinteger(L, 3)
                       : (lua_isnoneornil(L, 3) ? static_cast<lua_Integer>(table_length(L)) : luaL_checkinteger(L, 3));
  if (e >= f) charge(L, static_cast<double>(e) - static_cast<double>(f) + 1);
  return call_original(L);
}

void wrap(lua_State* L, int idx, const char* name, lua_CFunction with) {
  lua_getfield(L, idx, name);
  lua_pushcclosure(L, with, 1);
  lua_setfield(L, idx, name);
}

}  // namespace

void bound_string_library(lua_State* L, int idx) {
  idx = lua_absindex(L, idx);
  for (const char* name : {"lower", "upper", "reverse", "pack", "packsize", "unpack"}) wrap(L, idx, name, charged);
  for (const char* name : {"sub", "byte", "char"}) wrap(L, idx, name, charged_results);
  wrap(L, idx, "rep", bounded_rep);
  wrap(L, idx, "format", bounded_format);
  for (int fn : {kFind, kMatch, kGmatch, kGsub}) {
    lua_getfield(L, idx, kPatternFnNames[fn]);
    lua_pushinteger(L, fn);
    lua_pushcclosure(L, guarded_pattern, 2);
    lua_setfield(L, idx, kPatternFnNames[fn]);
  }
}

void bound_table_library(lua_State* L, int idx) {
  idx = lua_absindex(L, idx);
  lua_pushcfunction(L, bounded_concat);
  lua_setfield(L, idx, "concat");
  wrap(L, idx, "insert", charged_shift);
  wrap(L, idx, "remove", charged_shift);
  wrap(L, idx, "sort", charged_sort);
  for (const char* name : {"move", "unpack"}) {
    lua_getfield(L, idx, name);
    lua_pushboolean(L, std::strcmp(name, "move") == 0);
    lua_pushcclosure(L, charged_range, 2);
    lua_setfield(L, idx, name);
  }
}

void bound_utf8_library(lua_State* L, int idx) {
  idx = lua_absindex(L, idx);
  for (const char* name : {"len", "offset"}) wrap(L, idx, name, charged);
  for (const char* name : {"char", "codepoint"}) wrap(L, idx, name, charged_results);
}

void push_charged(lua_State* L, int idx) {
  lua_pushvalue(L, idx);
  lua_pushcclosure(L, charged, 1);
}

}  // namespace rollcall::policy::detail
