// Bounds on the work policy code can make C functions do. The instruction budget counts Lua VM
// instructions only: one call of string.rep, of the pattern matcher or of table.concat runs in
// C and could take days. Each library function whose work grows with its arguments is
// replaced by a wrapper that refuses work over a fixed limit up front (with an error naming
// the policy's file:line) and charges the rest to the instruction budget (one instruction per
// byte or element). The wall-clock deadline (LuaHost) is the backstop behind both.
// Internal to policies/engine; these run while the sandbox is installed and may raise.
#pragma once

#include <lua.hpp>

#include <cstddef>

namespace rollcall::policy::detail {

// The longest string string.rep, string.format, string.gsub and table.concat may build, and the
// most repetitions or elements they may be asked for.
constexpr std::size_t kMaxStringBytes = std::size_t{1} << 20;
// The most steps a pattern may take on its subject in the worst case (see pattern_cost).
constexpr double kMaxPatternWork = 1e9;

// Replace the functions of the library copy at `idx` (a plain table) with bounded wrappers.
void bound_string_library(lua_State* L, int idx);
void bound_table_library(lua_State* L, int idx);
void bound_utf8_library(lua_State* L, int idx);
// Pushes a wrapper of the function at `idx` that charges the bytes of its string arguments.
void push_charged(lua_State* L, int idx);

}  // namespace rollcall::policy::detail
