// The lifecycle of the Lua state and its budgets: the counting allocator (memory cap), the
// count hook (instruction budget and wall-clock deadline), protected calls, and error text.
// The sandbox's environment is in sandbox.cpp, the bounds on C work in bounded.cpp, the
// read-only views in views.cpp.
#include "policies/engine/lua_host.hpp"

#include <cstdio>
#include <cstdlib>

namespace rollcall::policy::detail {
namespace {

// The count hook runs every kHookEvery VM instructions: cheap, and the budget is met within
// that many instructions. It reads the clock each time (a vDSO call, tens of nanoseconds per
// thousand instructions), as does charge() for that much C work.
constexpr int kHookEvery = 1000;
// An allocation this large reads the clock too: a thousand VM instructions that each copy tens
// of megabytes (`s .. s`) would otherwise run for seconds past the deadline before the hook.
constexpr std::size_t kLargeAllocation = std::size_t{1} << 20;

int chunk_line(lua_Debug& ar) { return ar.currentline > 0 ? ar.currentline : 0; }

int panic(lua_State* L) {
  const char* msg = lua_tostring(L, -1);
  std::fprintf(stderr, "rollcall: internal error: unprotected Lua error: %s\n", msg ? msg : "?");
  std::abort();
}

}  // namespace

// ---- LuaHost ----

Result<std::unique_ptr<LuaHost>> LuaHost::create(const Limits& limits, UnixTime now, void* user) {
  std::unique_ptr<LuaHost> host(new LuaHost(limits, now, user));
  host->L_ = lua_newstate(&LuaHost::allocate, host.get());
  if (!host->L_) return fail("cannot create a Lua state within the memory limit");
  lua_atpanic(host->L_, panic);
  lua_sethook(host->L_, &LuaHost::count_hook, LUA_MASKCOUNT, kHookEvery);
  // Most objects of an evaluation die young (the person view, the tables a rule returns).
  lua_gc(host->L_, LUA_GCGEN, 0, 0);
  if (auto r = host->call(&LuaHost::install_sandbox, host.get()); !r) {
    return r.context("setting up the policy sandbox");
  }
  return host;
}

LuaHost::~LuaHost() {
  if (L_) lua_close(L_);
}

LuaHost& LuaHost::of(lua_State* L) {
  void* ud = nullptr;
  lua_getallocf(L, &ud);
  return *static_cast<LuaHost*>(ud);
}

void* LuaHost::allocate(void* ud, void* ptr, std::size_t osize, std::size_t nsize) {
  auto* host = static_cast<LuaHost*>(ud);
  std::size_t old = ptr ? osize : 0;  // for a new block, osize encodes the object type
  if (nsize == 0) {
    std::free(ptr);
    host->used_ -= old;
    return nullptr;
  }
  // Refusing makes Lua collect garbage and retry once, then raise a memory error.
  if (nsize > old && host->used_ - old + nsize > host->limits_.memory_bytes) return nullptr;
  void* p = std::realloc(ptr, nsize);
  if (p) host->used_ = host->used_ - old + nsize;
  // An allocator must not raise: past the deadline it makes the hook run at the next
  // instruction instead (lua_sethook may be called at any time), and the hook raises.
  if (nsize >= kLargeAllocation && host->L_ && !host->deadline_exceeded_ && host->clock() > host->deadline_at_) {
    host->deadline_exceeded_ = true;
    lua_sethook(host->L_, &LuaHost::count_hook, LUA_MASKCOUNT, 1);
  }
  return p;
}

std::chrono::steady_clock::time_point LuaHost::clock() const {
  return limits_.ticks ? limits_.ticks() : std::chrono::steady_clock::now();
}

void LuaHost::raise_budget(lua_State* L, lua_Debug* ar, bool deadline) {
  LuaHost& host = of(L);
  (deadline ? host.deadline_exceeded_ : host.budget_exceeded_) = true;
  if (host.budget_message_.empty()) {
    lua_getinfo(L, "Sl", ar);
    if (deadline) {
      lua_pushfstring(L, "%s:%d: wall-clock deadline exceeded (%I ms)", chunk_file(ar->source).data(),
                      chunk_line(*ar), static_cast<LUAI_UACINT>(host.limits_.deadline.count()));
    } else {
      lua_pushfstring(L, "%s:%d: instruction budget exceeded (%I instructions)", chunk_file(ar->source).data(),
                      chunk_line(*ar), static_cast<LUAI_UACINT>(host.limits_.instructions));
    }
    host.budget_message_ = lua_tostring(L, -1);
  } else {
    lua_pushlstring(L, host.budget_message_.data(), host.budget_message_.size());
  }
  lua_error(L);
  std::abort();  // lua_error does not return
}

void LuaHost::count_hook(lua_State* L, lua_Debug* ar) {
  LuaHost& host = of(L);
  if (host.deadline_exceeded_) raise_budget(L, ar, true);
  host.remaining_ -= kHookEvery;
  if (host.remaining_ < 0 || host.budget_exceeded_) raise_budget(L, ar, false);
  if (host.deadline_exceeded_ || host.clock() > host.deadline_at_) raise_budget(L, ar, true);
}

void LuaHost::charge(lua_State* L, lua_Integer work) {
  LuaHost& host = of(L);
  if (work > 0) host.remaining_ -= work;
  bool over = host.remaining_ < 0 || host.budget_exceeded_;
  bool late = host.deadline_exceeded_ || (work >= kHookEvery && host.clock() > host.deadline_at_);
  if (!over && !late) return;
  lua_Debug ar;
  if (!policy_frame(L, 1, ar)) lua_getstack(L, 0, &ar);
  raise_budget(L, &ar, !over);
}

Result<void> LuaHost::call(lua_CFunction fn, void* arg) {
  remaining_ = limits_.instructions;
  deadline_at_ = clock() + limits_.deadline;
  lua_sethook(L_, &LuaHost::count_hook, LUA_MASKCOUNT, kHookEvery);  // after allocate() shortened it
  budget_exceeded_ = false;
  deadline_exceeded_ = false;
  memory_exceeded_ = false;
  budget_message_.clear();
  lua_settop(L_, 0);
  lua_pushcfunction(L_, fn);
  lua_pushlightuserdata(L_, arg);
  int status = lua_pcall(L_, 1, 0, 0);
  deadline_at_ = std::chrono::steady_clock::time_point::max();
  if (status == LUA_OK) return {};
  if (status == LUA_ERRMEM) memory_exceeded_ = true;
  std::string message;
  if (memory_exceeded_) {
    std::size_t mib = limits_.memory_bytes >> 20;
    message = "memory limit exceeded (" +
              (mib << 20 == limits_.memory_bytes ? std::to_string(mib) + " MiB"
                                                 : std::to_string(limits_.memory_bytes) + " bytes") +
              ")";
  } else if (budget_exceeded_ || deadline_exceeded_) {
    message = budget_message_;
  } else if (auto text = string_at(L_, -1)) {
    message = std::string(*text);
  } else {
    message = std::string("(error object is a ") + lua_typename(L_, lua_type(L_, -1)) + " value)";
  }
  for (char& c : message) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  lua_settop(L_, 0);
  return fail(std::move(message));
}

int LuaHost::raise(lua_State* L, bool here) {
  LuaHost& host = of(L);
  lua_Debug ar;
  if (here && policy_frame(L, 1, ar)) {
    lua_pushfstring(L, "%s:%d: ", chunk_file(ar.source).data(), ar.currentline);
  } else {
    lua_pushliteral(L, "");
  }
  lua_pushlstring(L, host.error_.data(), host.error_.size());
  lua_concat(L, 2);
  return lua_error(L);
}
std::optional<std::string_view> LuaHost::string_at(lua_State* L, int idx) {
  if (lua_type(L, idx) != LUA_TSTRING) return std::nullopt;
  std::size_t len = 0;
  const char* s = lua_tolstring(L, idx, &len);
  return std::string_view(s, len);
}

Source LuaHost::where(lua_State* L, int level) {
  lua_Debug ar;
  if (!lua_getstack(L, level, &ar) || !lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0) return {};
  return Source{std::string(chunk_file(ar.source)), ar.currentline};
}

bool LuaHost::policy_frame(lua_State* L, int level, lua_Debug& ar) {
  for (; lua_getstack(L, level, &ar); ++level) {
    if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) return true;
  }
  return false;
}

std::string_view LuaHost::chunk_file(const char* source) {
  if (!source) return "?";
  if (source[0] == '@' || source[0] == '=') return source + 1;
  return "(load)";
}

}  // namespace rollcall::policy::detail
