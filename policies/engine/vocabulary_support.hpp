// What the vocabulary's C functions share (internal to policies/engine): the session of a Lua
// state, the loading-time guard, error reporting at a policy line, and optional/required string
// fields. The error discipline of lua_host.hpp applies: a define_* helper reads with the
// non-raising API and, on a problem, writes "file:line: message" through error_at() and returns
// false; only then does its lua_CFunction raise.
#pragma once

#include <string>

#include <lua.hpp>

#include "policies/engine/definitions.hpp"
#include "policies/engine/lua_host.hpp"
#include "policies/engine/lua_read.hpp"

namespace rollcall::policy::detail {

Session& session_of(lua_State* L);
// How Lua names the prelude's chunk (policies/lib/prelude.lua) in positions.
inline constexpr std::string_view kPreludeFile = "(rollcall prelude)";
// Raises unless a policy file is loading (vocabulary is for a file's top level); makes room on
// the stack for a definition.
void check_loading(lua_State* L, const char* name);
// Sets the error a define_* helper reports and returns false. It is also kept in
// Definitions::load_error, so a policy that wraps a definition in pcall still fails to load.
bool error_at(lua_State* L, const Source& at, const std::string& message);
// The line a problem reported by a reader is written on: its literal, else its key, else the
// definition's line.
Source locate(const PolicyFile& file, const Source& def, const ReadError& e);
// error_at() the line locate() finds, with "<what>: " before the reader's message.
bool read_error(lua_State* L, const Session& s, const Source& def, const std::string& what, const ReadError& e);
// The vocabulary call's position; also remembered as a definition boundary of the file.
Source begin_definition(lua_State* L, Session& s);
// Reads an optional string field (trimmed); false (with a message) when present and not a string.
bool optional_string(lua_State* L, const TableReader& t, const char* key, std::string& out, std::string& problem);
// Like optional_string, and missing or empty is a problem naming `example`.
bool required_string(lua_State* L, const TableReader& t, const char* key, const char* example, std::string& out,
                     std::string& problem);

// The record verbs (vocabulary_records.cpp): sod, exception, service_account, settings;
// terminated by {nullptr, nullptr}.
extern const luaL_Reg kRecordVerbs[];

}  // namespace rollcall::policy::detail
