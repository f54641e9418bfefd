// Reading the tables policies write (role bodies, rule results, exception records...) into C++
// values. Everything here uses only the non-raising Lua API (see lua_host.hpp) and reports
// problems through ReadError, which the caller turns into "file:line: what: message".
// Tables are read raw; a read-only view (a person's roles, say) is read through to its data.
// Internal to policies/engine.
#pragma once

#include <lua.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "policies/engine/definitions.hpp"

namespace rollcall::policy::detail {

struct ReadError {
  std::string message;
  std::string literal;  // the offending literal, to find its line; may be empty
  std::string key;      // the key it was under, to find its line; may be empty
};

// A table on the stack, read by key without raising. Pushes the table's data on construction
// and restores the stack top on destruction.
class TableReader {
 public:
  TableReader(lua_State* L, int idx);
  ~TableReader() { lua_settop(L_, top_); }
  TableReader(const TableReader&) = delete;
  TableReader& operator=(const TableReader&) = delete;

  // The string keys, sorted (so the first problem reported does not depend on hash order).
  const std::vector<std::string>& keys() const { return keys_; }
  // How many keys are not strings (list elements, mostly).
  int other_keys() const { return other_keys_; }
  std::size_t length() const { return lua_rawlen(L_, index_); }
  // Pushes the value under a string key (nil when absent) and returns its type.
  int push(std::string_view key) const;
  // Pushes element i (1-based) and returns its type.
  int push(lua_Integer i) const { return lua_rawgeti(L_, index_, i); }
  // The first string key not in `allowed`, or "".
  std::string unknown_key(const std::vector<std::string_view>& allowed) const;

 private:
  lua_State* L_;
  int top_;
  int index_;
  std::vector<std::string> keys_;
  int other_keys_ = 0;
};

// "a string", "a table"... for "must be X, not Y" messages.
std::string describe_type(lua_State* L, int idx);
// Whether `id` is "<type>:<name>" with neither side empty nor padded with spaces.
bool valid_entitlement_id(std::string_view id);

// Reads one entitlement: "<type>:<name>" or { "<type>:<name>", level = "...", privileged = b }.
bool read_entry(lua_State* L, int idx, const std::string& system, EntryDef& out, ReadError& err);
// Reads the list under a system key ({ "team:a", { "org:x", level = "admin" } }).
bool read_entry_list(lua_State* L, int idx, const std::string& system, std::vector<EntryDef>& out,
                     ReadError& err);
// Reads { <system> = <entry list>, ... } (a rule's result), checking each system is known.
bool read_grants(lua_State* L, int idx, const Session& session, std::vector<EntryDef>& out, ReadError& err);
// Reads a list of non-empty strings ({ "a", "b" }); `what` names it in errors.
bool read_string_list(lua_State* L, int idx, const std::string& what, std::vector<std::string>& out,
                      ReadError& err);

}  // namespace rollcall::policy::detail
