// LuaHost: one sandboxed lua_State with a memory cap (a counting lua_Alloc), an instruction
// budget and a wall-clock deadline (both checked by a count hook), plus the curated base
// environment every policy file reads through. Internal to policies/engine: the only code in
// rollcall that touches lua_State. lua_host.cpp has the state's lifecycle and budgets,
// sandbox.cpp the environment (what policies can call), bounded.cpp the bounds on work done in
// C, views.cpp the read-only views.
//
// Error discipline, for every lua_CFunction in policies/engine: the system Lua raises errors
// with longjmp, which skips C++ destructors. So while a lua_CFunction calls anything that may
// raise (lua_push*, lua_call, luaL_check*, lua_error, any allocation), its live locals must be
// trivially destructible (pointers, integers, string_view, lua_Debug). C++ helpers that build
// strings or containers use only the non-raising API (lua_type, lua_to* on values already of
// that type, lua_raw*, lua_next, lua_getmetatable, lua_getstack, lua_getinfo) and report
// failure through their return value; the message goes to LuaHost::error_text(), a member, and
// the C function then raises it with raise(). Every entry into Lua goes through call().
#pragma once

#include <lua.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "policies/engine/policy.hpp"
#include "scanner/core/result.hpp"
#include "scanner/core/time.hpp"

namespace rollcall::policy::detail {

class LuaHost {
 public:
  // A fresh state with the sandbox base environment installed. `user` is what user() returns
  // to the C functions (the engine's session). Fails only when the memory cap is too small.
  // `now` is what os.time() and os.date() without a time return, so evaluation is repeatable.
  static Result<std::unique_ptr<LuaHost>> create(const Limits& limits, UnixTime now, void* user);
  ~LuaHost();
  LuaHost(const LuaHost&) = delete;
  LuaHost& operator=(const LuaHost&) = delete;

  lua_State* state() const { return L_; }
  void* user() const { return user_; }
  static LuaHost& of(lua_State* L);

  // Runs fn with the light userdata `arg` as its only argument, protected, with a fresh
  // instruction budget and deadline. On failure returns the error message (one line); fatal()
  // then says whether the instruction budget, the deadline or the memory cap was exceeded: the
  // state is consistent, but policy code may hold on to garbage, so the engine rebuilds it.
  Result<void> call(lua_CFunction fn, void* arg);
  bool fatal() const { return budget_exceeded_ || deadline_exceeded_ || memory_exceeded_; }
  // The scan time. Reading it is remembered (clock_read()): policy results that may depend on
  // the exact second cannot be reused by a later scan. today() is day-granular and not counted.
  UnixTime now() const {
    clock_read_ = true;
    return now_;
  }
  UnixTime today() const { return now_ - ((now_ % 86400) + 86400) % 86400; }
  bool clock_read() const { return clock_read_; }

  // ---- For lua_CFunctions; these may raise (see the discipline above). ----

  // The message a C function is about to raise (a member, so it survives the longjmp).
  std::string& error_text() { return error_; }
  // Raises error_text(); prefixed with "<file>:<line>: " of the policy code that made the call
  // when `here` (the nearest Lua frame: C functions such as pcall may sit in between).
  static int raise(lua_State* L, bool here);
  // Counts `work` units of C-side work (bytes, elements) against the instruction budget; raises
  // when it is exceeded or the deadline has passed.
  static void charge(lua_State* L, lua_Integer work);

  // Adds the value on top of the stack to the base environment under `name` (pops it).
  static void set_base(lua_State* L, const char* name);
  // Pushes the base environment itself (for the prelude, which defines helpers in it).
  static void push_base(lua_State* L);
  // Pushes a new environment for one policy file: its globals are its own; reads of anything
  // it does not define fall through to the base environment; its metatable is protected.
  static void push_file_env(lua_State* L);
  // After the file has run: its globals move behind a read-only view, so assigning a global
  // while evaluating (usually a forgotten `local`) is an error instead of shared state.
  static void freeze_file_env(lua_State* L, int idx);
  // Pushes a read-only view of the table at idx: reads, pairs, next and # go to the table;
  // writes and setmetatable fail; `what` names it in errors and tostring. Tables inside it are
  // replaced by views of themselves, so nothing reachable from the view is writable. The table
  // itself is never handed to policy code: keep no other reference to it where policies can
  // reach it. (views.cpp)
  static void push_readonly(lua_State* L, int idx, const char* what);
  // next(t, k) that iterates a view's data with the view as the state: the policies' `next`,
  // and the iterator pairs() returns for a view.
  static int view_next(lua_State* L);

  // ---- Non-raising helpers. ----

  // Pushes the data behind a read-only view, or the value itself (stack grows by one).
  static void push_data(lua_State* L, int idx);
  // The value at idx when it is a string (numbers are not converted).
  static std::optional<std::string_view> string_at(lua_State* L, int idx);
  // Where the Lua code `level` frames up the stack is: {"policies/x.lua", 12}; an empty file
  // for C code. Level 1 is the caller of the running C function.
  static Source where(lua_State* L, int level);
  // The nearest frame from `level` up that runs Lua code, with its source and line filled in;
  // false when there is none.
  static bool policy_frame(lua_State* L, int level, lua_Debug& ar);
  // "policies/x.lua" from a chunk name "@policies/x.lua"; NUL-terminated.
  static std::string_view chunk_file(const char* source);

 private:
  LuaHost(const Limits& limits, UnixTime now, void* user) : limits_(limits), now_(now), user_(user) {}
  static void* allocate(void* ud, void* ptr, std::size_t osize, std::size_t nsize);
  static void count_hook(lua_State* L, lua_Debug* ar);
  static int safe_pcall(lua_State* L);
  static int safe_xpcall(lua_State* L);
  static int finish_pcall(lua_State* L, int status, int extra);
  static int install_sandbox(lua_State* L);
  // Raises "<file>:<line>: instruction budget exceeded" (or "wall-clock deadline exceeded"),
  // and keeps raising it until the call returns.
  [[noreturn]] static void raise_budget(lua_State* L, lua_Debug* ar, bool deadline);
  std::chrono::steady_clock::time_point clock() const;

  Limits limits_;
  UnixTime now_;
  mutable bool clock_read_ = false;
  void* user_;
  lua_State* L_ = nullptr;
  std::size_t used_ = 0;
  std::int64_t remaining_ = 0;
  // While a call runs; time_point::max() between calls.
  std::chrono::steady_clock::time_point deadline_at_ = std::chrono::steady_clock::time_point::max();
  bool budget_exceeded_ = false;
  bool deadline_exceeded_ = false;
  bool memory_exceeded_ = false;
  std::string error_;
  std::string budget_message_;
};

}  // namespace rollcall::policy::detail
