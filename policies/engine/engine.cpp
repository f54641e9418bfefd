// PolicyEngine on Lua: reads the policy files, runs them once in a sandboxed state
// (vocabulary.hpp), checks and expands them (resolve.hpp), then evaluates people and accounts
// against them, reusing that one state. After an evaluation exceeds the instruction budget or
// the memory cap, the state is rebuilt from the same files, so one hostile or buggy person
// evaluation cannot leave garbage or a poisoned state behind for the next.
//
// run_person_hooks and run_match_hooks are lua_CFunctions and follow the error discipline of
// lua_host.hpp: they keep no C++ objects on their frames; results go into members.
#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include "policies/engine/definitions.hpp"
#include "policies/engine/helpers.hpp"
#include "policies/engine/lua_host.hpp"
#include "policies/engine/lua_read.hpp"
#include "policies/engine/policy.hpp"
#include "policies/engine/resolve.hpp"
#include "policies/engine/vocabulary.hpp"
#include "scanner/core/digest.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::policy {
namespace detail {
extern const char kPrelude[];
}  // namespace detail

namespace {

using namespace detail;

constexpr const char* kPreludeChunk = "=(rollcall prelude)";
constexpr UnixTime kDay = 86400;
constexpr int kExpiryWarningDays = 14;

int setup_state(lua_State* L) {
  install_helpers(L);
  install_vocabulary(L);
  if (luaL_loadbufferx(L, kPrelude, std::strlen(kPrelude), kPreludeChunk, "t") != LUA_OK) return lua_error(L);
  LuaHost::push_base(L);
  lua_setupvalue(L, -2, 1);
  lua_call(L, 0, 0);
  return 0;
}

std::string display_path(const std::filesystem::path& p, const std::filesystem::path& workspace) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::weakly_canonical(p, ec);
  std::filesystem::path base = std::filesystem::weakly_canonical(workspace, ec);
  std::filesystem::path rel = abs.lexically_relative(base);
  return (rel.empty() ? abs : rel).generic_string();
}

bool hidden(const std::filesystem::path& p) {
  std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

// Every policies/**/*.lua in sorted (workspace-relative path) order; hidden files and folders
// (editor backups, .git) are skipped.
Result<std::vector<PolicyFile>> read_policy_files(const std::filesystem::path& dir,
                                                  const std::filesystem::path& workspace) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return fail("policies folder " + quote(display_path(dir, workspace)) + " does not exist");
  }
  std::vector<PolicyFile> files;
  std::filesystem::recursive_directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    if (hidden(it->path())) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->path().extension() != ".lua" || !it->is_regular_file(ec)) continue;
    PolicyFile f;
    f.path = display_path(it->path(), workspace);
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) return fail("cannot read " + quote(f.path));
    f.text = text.str();
    files.push_back(std::move(f));
  }
  if (ec) return fail("cannot list " + quote(display_path(dir, workspace)) + ": " + ec.message());
  std::sort(files.begin(), files.end(),
            [](const PolicyFile& a, const PolicyFile& b) { return a.path < b.path; });
  for (PolicyFile& f : files) {
    f.chunk_name = "@" + f.path;
    f.index = SourceIndex(f.text);
  }
  return files;
}

std::string policy_digest(const std::vector<PolicyFile>& files) {
  Sha256 sha;
  for (const PolicyFile& f : files) {
    sha.update(f.path);
    sha.update(std::string_view("\0", 1));
    sha.update(std::to_string(f.text.size()));
    sha.update(std::string_view("\0", 1));
    sha.update(f.text);
  }
  return sha.hex();
}

// "in 5 days" / "today" / "5 days ago", counting calendar days (UTC).
std::string days_from_now(UnixTime now, UnixTime t) {
  UnixTime days = t / kDay - now / kDay;
  if (days == 0) return "today";
  if (days > 0) return "in " + std::to_string(days) + (days == 1 ? " day" : " days");
  return std::to_string(-days) + (days == -1 ? " day ago" : " days ago");
}

class LuaPolicyEngine final : public PolicyEngine {
 public:
  LuaPolicyEngine(const roster::Roster& roster, std::vector<std::string> known_systems, UnixTime now,
                  Limits limits)
      : roster_(roster), now_(now), limits_(limits) {
    std::sort(known_systems.begin(), known_systems.end());
    known_systems.erase(std::unique(known_systems.begin(), known_systems.end()), known_systems.end());
    session_.roster = &roster;
    session_.known_systems = std::move(known_systems);
    session_.defs = &defs_;
  }

  // Loads `files` into a fresh state; on success it replaces the current state.
  Result<void> build(std::vector<PolicyFile> files);
  // What load() computes once after the first build.
  void finish_load();

  Result<PersonAccess> evaluate(const roster::Person& person) override;
  std::optional<EvaluationClass> evaluation_class(const roster::Person& person) override;
  Result<std::optional<std::string>> match(const AccountView& account) override;
  bool has_match_hooks() const override { return !defs_.matchers.empty(); }
  bool read_exact_time() const override { return clock_read_ || (host_ && host_->clock_read()); }
  const std::vector<ExceptionRule>& exceptions() const override { return defs_.exceptions; }
  const std::vector<SodRule>& sod_rules() const override { return defs_.sod_rules; }
  const std::vector<ServiceAccount>& service_accounts() const override { return defs_.service_accounts; }
  const std::vector<Baseline>& baselines() const override { return defs_.baselines; }
  const std::vector<Nesting>& nestings() const override { return defs_.nestings; }
  const Settings& settings() const override { return defs_.settings; }
  const std::vector<RoleInfo>& roles() const override { return role_infos_; }
  const std::vector<RuleInfo>& rules() const override { return rule_infos_; }
  const std::string& digest() const override { return digest_; }
  std::vector<std::string> warnings() const override;

 private:
  static int run_person_hooks(lua_State* L);
  static int run_match_hooks(lua_State* L);
  bool collect_roles(lua_State* L, std::size_t hook);
  bool collect_grants(lua_State* L, std::size_t hook);
  bool collect_match(lua_State* L, std::size_t hook);
  bool hook_error(const HookDef& hook, const std::string& message);
  // The message of a failed call, with the running hook's place when Lua gave none (memory).
  std::string describe_failure(const std::string& message) const;
  void after_failure();
  Result<PersonAccess> assemble(const roster::Person& person);
  std::string roster_source(const roster::Person& person) const {
    return "roster role column (" + roster_.where(person) + ")";
  }
  void count_evaluated(const roster::Person& person);
  void static_warnings();

  const roster::Roster& roster_;
  UnixTime now_;
  Limits limits_;
  Session session_;
  Definitions defs_;
  std::unique_ptr<LuaHost> host_;
  std::string broken_;  // set when the state could not be rebuilt: every call then fails
  bool clock_read_ = false;  // a replaced state read the exact time

  std::vector<RoleInfo> role_infos_;
  std::vector<RuleInfo> rule_infos_;
  std::string digest_;
  std::vector<std::string> static_warnings_;
  std::vector<bool> evaluated_;  // by roster index
  std::size_t evaluated_count_ = 0;
  std::vector<bool> role_held_;  // by role index

  // Evaluation scratch (members, so a Lua error cannot skip their destructors).
  const roster::Person* person_ = nullptr;
  const AccountView* account_ = nullptr;
  const HookDef* running_ = nullptr;
  std::vector<std::pair<std::size_t, std::string>> hook_roles_;  // (assign index, role)
  std::vector<std::pair<std::size_t, EntryDef>> rule_entries_;   // (rule index, entitlement)
  std::vector<EntryDef> entries_;
  std::vector<std::string> names_;
  std::string matched_;
  std::size_t matched_hook_ = 0;

  // One reason a (system, entitlement) is desired, pointing into the role's flat grants or
  // rule_entries_; sorted, then turned into DesiredGrants without intermediate copies.
  struct Reason {
    const std::string* system;
    const std::string* entitlement;
    const DesiredGrant* role_grant;  // one of defs_.roles[..].flat, or null for a rule
    const std::pair<std::size_t, EntryDef>* rule_grant;
    const std::string* assigned_by;
    std::size_t order;  // roles first, in role order, then rules: the order of `why`
  };
  std::vector<Reason> reasons_;
};

Result<void> LuaPolicyEngine::build(std::vector<PolicyFile> files) {
  Definitions defs;
  defs.files = std::move(files);
  for (PolicyFile& f : defs.files) {  // what a previous load found out is found out again
    f.owner.clear();
    f.owner_source = {};
    f.definition_lines.clear();
  }
  RC_ASSIGN(std::unique_ptr<LuaHost> host, LuaHost::create(limits_, now_, &session_));
  if (auto r = host->call(setup_state, nullptr); !r) return r.context("loading the policy prelude");
  session_.defs = &defs;
  Result<void> loaded = run_files(*host, session_);
  if (loaded) loaded = resolve(defs);
  session_.defs = &defs_;
  if (!loaded) return loaded;
  clock_read_ = clock_read_ || (host_ && host_->clock_read());
  host_ = std::move(host);
  defs_ = std::move(defs);
  session_.defs = &defs_;
  return {};
}

void LuaPolicyEngine::finish_load() {
  digest_ = policy_digest(defs_.files);
  for (const RoleDef& r : defs_.roles) role_infos_.push_back(r.info);
  for (const HookDef& h : defs_.rules) rule_infos_.push_back({h.name, h.owner, h.source});
  std::sort(rule_infos_.begin(), rule_infos_.end(),
            [](const RuleInfo& a, const RuleInfo& b) { return a.name < b.name; });
  evaluated_.assign(roster_.people.size(), false);
  role_held_.assign(defs_.roles.size(), false);
  static_warnings();
}

void LuaPolicyEngine::static_warnings() {
  auto& w = static_warnings_;
  if (defs_.files.empty()) w.push_back("no policy files: every actual grant will be unauthorized");
  for (const PolicyFile& f : defs_.files) {
    if (f.owner.empty())
      w.push_back(f.path + ": no owner (add owner \"team-name\" so its findings reach a team)");
  }
  // Roster roles no policy defines: those people get nothing for them.
  std::map<std::string, std::pair<const roster::Person*, int>> undefined;
  for (const roster::Person& p : roster_.people) {
    for (const std::string& role : p.roles) {
      if (defs_.role_index.count(role)) continue;
      auto [it, fresh] = undefined.emplace(role, std::make_pair(&p, 0));
      ++it->second.second;
    }
  }
  for (const auto& [role, first] : undefined) {
    w.push_back(roster_.where(*first.first) + ": roster role " + quote(role) +
                " is not defined by any policy (" + std::to_string(first.second) +
                (first.second == 1 ? " person)" : " people)"));
  }
  auto expiry = [&](const std::string& what, const Source& at, UnixTime expires) {
    bool expired = expires < now_;
    if (!expired && expires / kDay - now_ / kDay >= kExpiryWarningDays) return;
    w.push_back(at.str() + ": " + what + (expired ? " expired on " : " expires on ") + format_date(expires) +
                " (" + days_from_now(now_, expires) + ")");
  };
  for (const ExceptionRule& e : defs_.exceptions) {
    std::string on =
        e.system.empty() ? e.entitlement : e.system + (e.entitlement.empty() ? "" : " " + e.entitlement);
    std::string what =
        "exception " + e.ticket + " for " + quote(e.account.empty() ? e.person : e.account) + " on " + on;
    expiry(what, e.source, e.expires);
    if (!e.person.empty() && !roster_.find_by_email(e.person)) {
      w.push_back(e.source.str() + ": exception names person " + quote(e.person) +
                  ", who is not in the roster");
    }
  }
  for (const ServiceAccount& sa : defs_.service_accounts) {
    std::string what = "service_account " + quote(sa.account) + " in " + sa.system;
    if (sa.expires) expiry(what, sa.source, *sa.expires);
    const roster::Person* owner = roster_.find_by_email(sa.owner);
    if (!owner) {
      w.push_back(sa.source.str() + ": " + what + ": owner " + quote(sa.owner) + " is not in the roster");
    } else if (owner->status == roster::PersonStatus::terminated) {
      w.push_back(sa.source.str() + ": " + what + ": owner " + quote(sa.owner) + " is terminated");
    }
  }
}

std::vector<std::string> LuaPolicyEngine::warnings() const {
  std::vector<std::string> w = static_warnings_;
  // Only once everyone has been evaluated can "nobody holds it" be said.
  if (!roster_.people.empty() && evaluated_count_ == roster_.people.size()) {
    for (std::size_t i = 0; i < defs_.roles.size(); ++i) {
      if (role_held_[i]) continue;
      const RoleInfo& r = defs_.roles[i].info;
      w.push_back(r.source.str() + ": role " + quote(r.name) + " is held by nobody in the roster");
    }
  }
  return w;
}

// ---- evaluation ----

int LuaPolicyEngine::run_person_hooks(lua_State* L) {
  auto* e = static_cast<LuaPolicyEngine*>(lua_touserdata(L, 1));
  luaL_checkstack(L, 30, nullptr);
  push_person(L, *e->person_);
  int person = lua_gettop(L);
  for (std::size_t i = 0; i < e->defs_.assigns.size(); ++i) {
    e->running_ = &e->defs_.assigns[i];
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->running_->ref);
    lua_pushvalue(L, person);
    lua_call(L, 1, 1);
    if (!e->collect_roles(L, i)) return LuaHost::raise(L, false);
    lua_settop(L, person);
  }
  for (std::size_t i = 0; i < e->defs_.rules.size(); ++i) {
    e->running_ = &e->defs_.rules[i];
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->running_->ref);
    lua_pushvalue(L, person);
    lua_call(L, 1, 1);
    if (!e->collect_grants(L, i)) return LuaHost::raise(L, false);
    lua_settop(L, person);
  }
  e->running_ = nullptr;
  return 0;
}

bool LuaPolicyEngine::hook_error(const HookDef& hook, const std::string& message) {
  host_->error_text() = hook.source.str() + ": " + message;
  return false;
}

bool nothing(lua_State* L) {
  int t = lua_type(L, -1);
  return t == LUA_TNIL || (t == LUA_TBOOLEAN && !lua_toboolean(L, -1));
}

bool LuaPolicyEngine::collect_roles(lua_State* L, std::size_t i) {
  const HookDef& hook = defs_.assigns[i];
  if (nothing(L)) return true;
  names_.clear();
  if (auto name = LuaHost::string_at(L, -1)) {
    names_.emplace_back(*name);
  } else {
    ReadError err;
    if (!read_string_list(L, -1, "roles", names_, err)) {
      return hook_error(hook, "assign must return a role name, a list of role names, or nil: " + err.message);
    }
  }
  for (std::string& name : names_) {
    if (!defs_.role_index.count(name)) {
      std::vector<std::string> known;
      for (const RoleDef& r : defs_.roles) known.push_back(r.info.name);
      std::string close = closest_match(name, known);
      return hook_error(hook, "assign returned unknown role " + quote(name) +
                                  (close.empty() ? "" : " (did you mean " + quote(close) + "?)"));
    }
    hook_roles_.emplace_back(i, std::move(name));
  }
  return true;
}

bool LuaPolicyEngine::collect_grants(lua_State* L, std::size_t i) {
  const HookDef& hook = defs_.rules[i];
  if (nothing(L)) return true;
  entries_.clear();
  ReadError err;
  if (!read_grants(L, -1, session_, entries_, err)) {
    const SourceIndex& index = defs_.files[hook.file].index;
    int line =
        err.literal.empty() ? 0 : index.literal_line(err.literal, hook.first_line, hook.last_line, err.key);
    if (line == 0 && !err.key.empty()) line = index.key_line(err.key, hook.first_line, hook.last_line);
    HookDef at = hook;
    if (line > 0) at.source.line = line;
    return hook_error(at, hook.label + ": " + err.message);
  }
  const SourceIndex& index = defs_.files[hook.file].index;
  for (EntryDef& entry : entries_) {
    // The file is the rule's (filled in when the grant is built); the line is the literal's.
    int line = index.literal_line(entry.entitlement_id, hook.first_line, hook.last_line, entry.system);
    entry.source.line = line > 0 ? line : hook.source.line;
    rule_entries_.emplace_back(i, std::move(entry));
  }
  return true;
}

std::string LuaPolicyEngine::describe_failure(const std::string& message) const {
  if (!running_) return message;
  // A hook can only run code of its own file (files share no globals), so a message that does
  // not start with that file's name either has no place (a memory error, error(x, 0)) or names
  // a place it chose: either way the running hook is where it came from.
  if (starts_with(message, running_->source.file + ":") || starts_with(message, running_->source.file + " (load)"))
    return message;
  return running_->source.str() + ": " + running_->label + ": " + message;
}

// After an exceeded budget or memory cap, the state may hold whatever the policy code built:
// rebuild it from the same files. Rebuilding cannot fail where the first load succeeded,
// unless the memory cap is too tight for the policies themselves.
void LuaPolicyEngine::after_failure() {
  running_ = nullptr;
  person_ = nullptr;
  account_ = nullptr;
  if (!host_->fatal()) return;
  if (auto r = build(defs_.files); !r)
    broken_ = "the policy engine could not be rebuilt: " + r.error().message();
}

Result<PersonAccess> LuaPolicyEngine::evaluate(const roster::Person& person) {
  if (!broken_.empty()) return fail(broken_);
  hook_roles_.clear();
  rule_entries_.clear();
  if (!defs_.assigns.empty() || !defs_.rules.empty()) {
    person_ = &person;
    running_ = nullptr;
    auto r = host_->call(run_person_hooks, this);
    if (!r) {
      std::string message = "person " + quote(person.email) + ": " + describe_failure(r.error().message());
      after_failure();
      return fail(message);
    }
    person_ = nullptr;
  }
  return assemble(person);
}

Result<PersonAccess> LuaPolicyEngine::assemble(const roster::Person& person) {
  PersonAccess out;
  auto add_role = [&](const std::string& role, const std::string& by, bool defined) {
    for (AssignedRole& r : out.roles) {
      if (r.role != role) continue;
      if (r.assigned_by.find(by) == std::string::npos) r.assigned_by += "; " + by;
      return;
    }
    out.roles.push_back({role, by, defined});
  };
  if (!person.roles.empty()) {
    std::string by = roster_source(person);
    for (const std::string& role : person.roles) add_role(role, by, defs_.role_index.count(role) > 0);
  }
  for (const auto& [hook, role] : hook_roles_)
    add_role(role, "assign at " + defs_.assigns[hook].source.str(), true);
  std::sort(out.roles.begin(), out.roles.end(),
            [](const AssignedRole& a, const AssignedRole& b) { return a.role < b.role; });

  reasons_.clear();
  for (const AssignedRole& assigned : out.roles) {
    if (!assigned.defined) continue;
    const RoleDef& def = defs_.roles[defs_.role_index.at(assigned.role)];
    for (const DesiredGrant& g : def.flat) {
      reasons_.push_back({&g.system, &g.entitlement_id, &g, nullptr, &assigned.assigned_by, reasons_.size()});
    }
    for (std::size_t held : def.closure) role_held_[held] = true;
  }
  for (const auto& rule_grant : rule_entries_) {
    const EntryDef& e = rule_grant.second;
    reasons_.push_back({&e.system, &e.entitlement_id, nullptr, &rule_grant, nullptr, reasons_.size()});
  }
  std::sort(reasons_.begin(), reasons_.end(), [](const Reason& a, const Reason& b) {
    int c = a.system->compare(*b.system);
    if (c == 0) c = a.entitlement->compare(*b.entitlement);
    return c != 0 ? c < 0 : a.order < b.order;
  });
  for (const Reason& r : reasons_) {
    Provenance why;
    std::string_view level;
    bool privileged = false;
    if (r.role_grant) {
      why = r.role_grant->why.front();
      why.assigned_by = *r.assigned_by;
      level = r.role_grant->level;
      privileged = r.role_grant->privileged;
    } else {
      const HookDef& rule = defs_.rules[r.rule_grant->first];
      const EntryDef& e = r.rule_grant->second;
      why.kind = Provenance::Kind::rule;
      why.name = rule.name;
      why.source = {rule.source.file, e.source.line};
      why.level = e.level;
      level = e.level;
      privileged = e.privileged;
    }
    if (out.grants.empty() || out.grants.back().system != *r.system ||
        out.grants.back().entitlement_id != *r.entitlement) {
      out.grants.push_back({*r.system, *r.entitlement, std::string(level), privileged, {}});
      out.grants.back().why.push_back(std::move(why));
      continue;
    }
    DesiredGrant& into = out.grants.back();
    if (auto merged = merge_reason(into, level, privileged, std::move(why)); !merged) {
      return fail("person " + quote(person.email) + ": " + merged.error().message());
    }
  }

  count_evaluated(person);
  return out;
}

void LuaPolicyEngine::count_evaluated(const roster::Person& person) {
  const roster::Person* first = roster_.people.data();
  if (&person >= first && &person < first + roster_.people.size()) {
    auto index = static_cast<std::size_t>(&person - first);
    if (!evaluated_[index]) {
      evaluated_[index] = true;
      ++evaluated_count_;
    }
  }
}

// Without hooks, assemble() reads nothing of a person but their roster roles (and their row,
// for assigned_by): the sorted set of role names is the key.
std::optional<PolicyEngine::EvaluationClass> LuaPolicyEngine::evaluation_class(const roster::Person& person) {
  if (!broken_.empty() || !defs_.assigns.empty() || !defs_.rules.empty()) return std::nullopt;
  std::vector<std::string_view> roles(person.roles.begin(), person.roles.end());
  std::sort(roles.begin(), roles.end());
  roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
  EvaluationClass c;
  for (std::string_view role : roles) {
    c.key += std::to_string(role.size());  // length-prefixed: any role name is unambiguous
    c.key += ':';
    c.key += role;
    auto defined = defs_.role_index.find(std::string(role));
    if (defined == defs_.role_index.end()) continue;
    for (std::size_t held : defs_.roles[defined->second].closure) role_held_[held] = true;
  }
  if (!person.roles.empty()) c.assigned_by = roster_source(person);
  count_evaluated(person);
  return c;
}

// ---- match hooks ----

int LuaPolicyEngine::run_match_hooks(lua_State* L) {
  auto* e = static_cast<LuaPolicyEngine*>(lua_touserdata(L, 1));
  luaL_checkstack(L, 30, nullptr);
  push_account(L, *e->account_);
  int account = lua_gettop(L);
  for (std::size_t i = 0; i < e->defs_.matchers.size(); ++i) {
    e->running_ = &e->defs_.matchers[i];
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->running_->ref);
    lua_pushvalue(L, account);
    lua_call(L, 1, 1);
    if (!e->collect_match(L, i)) return LuaHost::raise(L, false);
    if (!e->matched_.empty()) break;
    lua_settop(L, account);
  }
  e->running_ = nullptr;
  return 0;
}

bool LuaPolicyEngine::collect_match(lua_State* L, std::size_t i) {
  if (nothing(L)) return true;
  auto email = LuaHost::string_at(L, -1);
  if (!email || trim(*email).empty()) {
    return hook_error(defs_.matchers[i], "match must return a roster email or nil, not " +
                                             (email ? std::string("an empty string") : describe_type(L, -1)));
  }
  matched_ = std::string(trim(*email));
  matched_hook_ = i;
  return true;
}

Result<std::optional<std::string>> LuaPolicyEngine::match(const AccountView& account) {
  if (!broken_.empty()) return fail(broken_);
  if (defs_.matchers.empty()) return std::optional<std::string>();
  std::string what = "account " + quote(account.id) + " in system " + quote(account.system);
  account_ = &account;
  running_ = nullptr;
  matched_.clear();
  auto r = host_->call(run_match_hooks, this);
  if (!r) {
    std::string message = what + ": " + describe_failure(r.error().message());
    after_failure();
    return fail(message);
  }
  account_ = nullptr;
  if (matched_.empty()) return std::optional<std::string>();
  const roster::Person* p = roster_.find_by_email(matched_);
  if (!p) {
    return fail(what + ": " + defs_.matchers[matched_hook_].source.str() + ": match returned " +
                quote(matched_) + ", which is not a roster email");
  }
  return std::optional<std::string>(p->email);
}

}  // namespace

Result<std::unique_ptr<PolicyEngine>> PolicyEngine::load(const std::filesystem::path& dir,
                                                         const std::filesystem::path& workspace_dir,
                                                         const std::vector<std::string>& known_systems,
                                                         const roster::Roster& roster, UnixTime now,
                                                         Limits limits) {
  RC_ASSIGN(std::vector<PolicyFile> files, read_policy_files(dir, workspace_dir));
  auto engine = std::make_unique<LuaPolicyEngine>(roster, known_systems, now, limits);
  RC_TRY(engine->build(std::move(files)));
  engine->finish_load();
  return std::unique_ptr<PolicyEngine>(std::move(engine));
}

}  // namespace rollcall::policy
