// What the policy files declared, as the vocabulary collects it while they load (before the
// cross-file checks in resolve.hpp), and the session the vocabulary's C functions work in.
// Internal to policies/engine.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "policies/engine/policy.hpp"
#include "policies/engine/source_index.hpp"

namespace rollcall::policy::detail {

struct PolicyFile {
  std::string path;        // workspace-relative: "policies/eng.lua"
  std::string chunk_name;  // "@policies/eng.lua"
  std::string text;
  SourceIndex index;
  std::string owner;
  Source owner_source;
  std::vector<int> definition_lines;  // the line of every vocabulary call, in call order

  // The last line a definition written at `line` can span: the line before the next
  // definition in the file, or the end of the file. Valid once the file has loaded.
  int range_end(int line) const;
};

// One entitlement as written in a role body, a service account or a rule's result.
struct EntryDef {
  std::string system;
  std::string entitlement_id;
  std::string level = "member";
  bool privileged = false;
  Source source;  // the line of its literal when written literally, else of the definition
};

struct RoleDef {
  RoleInfo info;  // info.grants is filled by resolve
  std::vector<EntryDef> entries;
  std::vector<Source> include_sources;  // parallel to info.includes
  std::size_t file = 0;
  // Filled by resolve: every grant the role gives, includes expanded, one provenance each
  // (not merged, assigned_by empty), and the roles it holds (itself and all it includes).
  std::vector<DesiredGrant> flat;
  std::vector<std::size_t> closure;
};

// A Lua function given to assign, rule or match; `ref` is its registry reference.
struct HookDef {
  std::string name;   // the rule's name; empty for assign and match
  std::string label;  // for messages: assign, rule "on-call", match
  std::string owner;
  Source source;       // where assign/rule/match was called
  int first_line = 0;  // the function's own lines, where literals of its results are looked up
  int last_line = 0;
  std::size_t file = 0;
  int ref = -1;
};

struct Definitions {
  std::vector<PolicyFile> files;
  std::vector<RoleDef> roles;
  std::unordered_map<std::string, std::size_t> role_index;  // name -> roles[i]
  std::vector<HookDef> assigns;
  std::vector<HookDef> rules;
  std::vector<HookDef> matchers;
  std::vector<ExceptionRule> exceptions;
  std::vector<SodRule> sod_rules;
  std::vector<ServiceAccount> service_accounts;
  std::vector<Baseline> baselines;
  std::vector<Nesting> nestings;
  Settings settings;
  std::map<std::string, Source> settings_sources;  // "dormant_days", "severity.<key>", ...
  // Roles named by `role "x"` whose body never came: name -> where.
  std::map<std::string, Source> pending_roles;
  // The first vocabulary error of the file loading, kept even if policy code caught it.
  std::string load_error;
};

// What the C functions of the vocabulary and helpers reach through LuaHost::user().
struct Session {
  const roster::Roster* roster = nullptr;
  std::vector<std::string> known_systems;       // sorted
  Definitions* defs = nullptr;                  // the definitions being collected
  std::size_t file = 0;                         // the file being loaded
  bool loading = false;                         // vocabulary calls are allowed only while loading
  std::vector<const roster::Person*> people;    // scratch for helpers (manager_chain)
  std::vector<const roster::Person*> managers;  // by roster index; built on first use

  // The roster person who is p's manager, or nullptr.
  const roster::Person* manager_of(const roster::Person& p);

  bool known_system(const std::string& name) const;
  // `unknown system "gihub" (did you mean "github"?)` or with the list of known systems.
  std::string unknown_system(const std::string& name) const;
};

}  // namespace rollcall::policy::detail
