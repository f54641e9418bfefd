// The policy vocabulary (owner, role, assign, rule, match, sod, exception, service_account,
// settings) and the loading of policy files: each file runs once, in its own environment,
// and its vocabulary calls fill the session's Definitions. Checks that need one definition
// only (a malformed id, an unknown system, a duplicate name, a missing ticket) happen here,
// at the call, so errors point at the line; cross-file checks are in resolve.hpp.
// Internal to policies/engine.
#pragma once

#include <lua.hpp>

#include "policies/engine/definitions.hpp"
#include "policies/engine/lua_host.hpp"
#include "scanner/core/result.hpp"

namespace rollcall::policy::detail {

// Adds the vocabulary functions to the base environment. A lua_CFunction for LuaHost::call.
int install_vocabulary(lua_State* L);

// Runs every file of session.defs in order. Fails with "policies/x.lua:12: ..." on a syntax or
// runtime error, a vocabulary error, or a `role "x"` that never got its body.
Result<void> run_files(LuaHost& host, Session& session);

}  // namespace rollcall::policy::detail
