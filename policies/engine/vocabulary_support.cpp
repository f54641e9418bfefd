#include "policies/engine/vocabulary_support.hpp"

#include <climits>

#include "scanner/core/strings.hpp"

namespace rollcall::policy::detail {

Session& session_of(lua_State* L) { return *static_cast<Session*>(LuaHost::of(L).user()); }

void check_loading(lua_State* L, const char* name) {
  if (!session_of(L).loading) {
    luaL_error(L,
               "%s can only be used while a policy file loads (at its top level), not inside "
               "assign, rule or match functions",
               name);
  }
  luaL_checkstack(L, 30, nullptr);
}

bool error_at(lua_State* L, const Source& at, const std::string& message) {
  std::string& text = LuaHost::of(L).error_text();
  text = (at.file.empty() ? "" : at.str() + ": ") + message;
  Definitions& defs = *session_of(L).defs;
  if (defs.load_error.empty()) defs.load_error = text;
  return false;
}

Source locate(const PolicyFile& file, const Source& def, const ReadError& e) {
  int line = 0;
  if (!e.literal.empty()) line = file.index.literal_line(e.literal, def.line, INT_MAX, e.key);
  if (line == 0 && !e.key.empty()) line = file.index.key_line(e.key, def.line, INT_MAX);
  return Source{def.file, line > 0 ? line : def.line};
}

bool read_error(lua_State* L, const Session& s, const Source& def, const std::string& what,
                const ReadError& e) {
  return error_at(L, locate(s.defs->files[s.file], def, e), what + ": " + e.message);
}

Source begin_definition(lua_State* L, Session& s) {
  // A definition made by a prelude helper (entitlements_from) is located where the policy
  // file called the helper.
  Source at = LuaHost::where(L, 1);
  for (int level = 2; at.file == kPreludeFile; ++level) at = LuaHost::where(L, level);
  if (at.file.empty()) at.file = s.defs->files[s.file].path;
  s.defs->files[s.file].definition_lines.push_back(at.line);
  return at;
}

bool optional_string(lua_State* L, const TableReader& t, const char* key, std::string& out,
                     std::string& problem) {
  int type = t.push(key);
  if (type == LUA_TNIL) {
    lua_pop(L, 1);
    return true;
  }
  auto s = LuaHost::string_at(L, -1);
  if (!s) {
    problem = std::string(key) + " must be a string, not " + describe_type(L, -1);
    return false;
  }
  out = std::string(trim(*s));
  lua_pop(L, 1);
  return true;
}

bool required_string(lua_State* L, const TableReader& t, const char* key, const char* example,
                     std::string& out, std::string& problem) {
  if (!optional_string(L, t, key, out, problem)) return false;
  if (out.empty()) {
    problem = std::string("missing ") + key + " (" + example + ")";
    return false;
  }
  return true;
}

}  // namespace rollcall::policy::detail
