// rollcall policy check | explain EMAIL: validate the Lua policies against the config and the
// roster, and show what they make of one person, with the provenance of every entitlement.
#include <algorithm>
#include <map>
#include <set>

#include "policies/engine/policy.hpp"
#include "scanner/cli/context.hpp"
#include "scanner/cli/format.hpp"
#include "scanner/cli/safe_text.hpp"
#include "scanner/core/strings.hpp"
#include "scanner/roster/roster.hpp"
#include "scanner/roster_sources/roster_sources.hpp"
#include "scanner/store/snapshot_store.hpp"

namespace rollcall::cli {
namespace {

// The engine borrows the roster, so the roster lives on the heap and never moves.
struct LoadedPolicies {
  config::WorkspaceConfig cfg;
  std::unique_ptr<roster::Roster> roster;
  std::unique_ptr<policy::PolicyEngine> engine;
};

Result<LoadedPolicies> load_policies(Context& ctx) {
  LoadedPolicies l;
  RC_ASSIGN(l.cfg, ctx.load_config());
  connectors::ConnectorEnv env{*ctx.secrets, *ctx.log, *ctx.clock, l.cfg.dir};
  env.http = ctx.http;
  RC_ASSIGN(roster::Roster roster, roster_sources::load_roster(l.cfg.roster, env));
  l.roster = std::make_unique<roster::Roster>(std::move(roster));
  l.roster->index();
  std::vector<std::string> systems;
  for (const auto& s : l.cfg.systems) systems.push_back(s.name);
  RC_ASSIGN(l.engine,
            policy::PolicyEngine::load(l.cfg.policies_dir, l.cfg.dir, systems, *l.roster, ctx.clock->now()));
  return l;
}

std::string indent(const std::string& text, const std::string& by) {
  std::string out;
  for (const std::string& line : split(text, '\n')) {
    if (!line.empty()) out += by + line + "\n";
  }
  if (!out.empty()) out.pop_back();
  return out;
}

std::string plural(std::size_t n, const std::string& one, const std::string& many) {
  return thousands(static_cast<std::int64_t>(n)) + " " + (n == 1 ? one : many);
}

// SoD rules that the desired access itself breaks: the policies give both sides.
std::vector<const policy::SodRule*> sod_conflicts(const policy::PolicyEngine& engine,
                                                  const policy::PersonAccess& a) {
  std::set<std::string> held;
  for (const auto& g : a.grants) held.insert(g.system + ":" + g.entitlement_id);
  std::vector<const policy::SodRule*> out;
  for (const auto& rule : engine.sod_rules()) {
    int n = 0;
    for (const auto& e : rule.entitlements) n += held.count(e) ? 1 : 0;
    if (n > rule.max_held) out.push_back(&rule);
  }
  return out;
}

std::string sod_conflict_text(const policy::SodRule& rule, const policy::PersonAccess& a) {
  std::set<std::string> held;
  for (const auto& g : a.grants) held.insert(g.system + ":" + g.entitlement_id);
  std::vector<std::string> both;
  for (const auto& e : rule.entitlements) {
    if (held.count(e)) both.push_back(e);
  }
  return "sod " + quote(rule.name) + " (" + rule.source.str() + ") forbids holding more than " +
         std::to_string(rule.max_held) + " of " + join(both, ", ") + ", and the policies give all of them";
}

// ---- policy check ----

std::string describe_role(const policy::RoleInfo& r) {
  std::map<std::string, int> per_system;
  for (const auto& g : r.grants) ++per_system[g.system];
  std::vector<std::string> parts;
  if (!r.includes.empty()) parts.push_back("includes " + join(r.includes, ", "));
  for (const auto& [system, n] : per_system) parts.push_back(system + " " + std::to_string(n));
  if (r.privileged) parts.push_back("privileged");
  return join(parts, "; ");
}

std::string check_listing(const policy::PolicyEngine& engine) {
  std::map<std::string, TextTable> by_owner;
  auto table = [&](const std::string& owner) -> TextTable& {
    auto it = by_owner.find(owner);
    if (it == by_owner.end())
      it = by_owner.emplace(owner, TextTable({"KIND", "NAME", "DETAIL", "DEFINED AT"})).first;
    return it->second;
  };
  for (const auto& r : engine.roles()) table(r.owner).add({"role", r.name, describe_role(r), r.source.str()});
  for (const auto& r : engine.rules()) table(r.owner).add({"rule", r.name, "", r.source.str()});
  for (const auto& s : engine.sod_rules())
    table(s.owner).add({"sod", s.name, join(s.entitlements, ", "), s.source.str()});
  for (const auto& e : engine.exceptions()) {
    std::string who = e.account.empty() ? "person " + e.person : e.account;
    std::vector<std::string> detail = {who};
    if (!e.system.empty()) detail.push_back("in " + e.system);
    if (!e.entitlement.empty()) detail.push_back(e.entitlement);
    table(e.owner).add(
        {"exception", e.ticket, join(detail, " ") + " until " + format_date(e.expires), e.source.str()});
  }
  for (const auto& s : engine.service_accounts()) {
    table(s.policy_owner)
        .add({"service account", s.system + ":" + s.account,
              "owner " + s.owner + ", " + plural(s.entitlements.size(), "entitlement", "entitlements") +
                  (s.expires ? " until " + format_date(*s.expires) : ""),
              s.source.str()});
  }
  std::string out;
  for (auto& [owner, t] : by_owner) {
    if (owner.empty()) continue;
    out += "owner " + quote(owner) + "\n" + indent(t.str(), "  ") + "\n\n";
  }
  if (by_owner.count("")) out += "no owner\n" + indent(by_owner.at("").str(), "  ") + "\n\n";
  return out;
}

Result<void> run_check(Context& ctx) {
  RC_ASSIGN(LoadedPolicies l, load_policies(ctx));
  const policy::PolicyEngine& engine = *l.engine;
  std::string dir = l.cfg.policies_dir.lexically_relative(l.cfg.dir).generic_string();
  ctx.out("Policies in " + (dir.empty() || starts_with(dir, "..") ? l.cfg.policies_dir.string() : dir) +
          "/: " + plural(engine.roles().size(), "role", "roles") + ", " +
          plural(engine.rules().size(), "rule", "rules") + ", " +
          plural(engine.exceptions().size(), "exception", "exceptions") + ", " +
          plural(engine.service_accounts().size(), "service account", "service accounts") + ", " +
          plural(engine.sod_rules().size(), "SoD rule", "SoD rules") + " (digest " +
          engine.digest().substr(0, 12) + ")\n");
  std::string listing = check_listing(engine);
  if (!listing.empty()) ctx.out(terminal_safe_lines(listing.substr(0, listing.size() - 1)));

  // Evaluating everyone finds runtime errors, roles nobody holds, and SoD rules the policies
  // themselves break.
  std::size_t errors = 0;
  std::vector<std::string> sod_warnings;
  for (const auto& person : l.roster->people) {
    auto access = l.engine->evaluate(person);
    if (!access) {
      if (++errors <= 20) ctx.log->error(terminal_safe_lines(access.error().message()));
      continue;
    }
    for (const policy::SodRule* rule : sod_conflicts(engine, *access)) {
      sod_warnings.push_back(l.roster->where(person) + ": " + person.email + ": " +
                             sod_conflict_text(*rule, *access));
    }
  }
  std::vector<std::string> warnings = engine.warnings();
  warnings.insert(warnings.end(), sod_warnings.begin(), sod_warnings.end());
  for (const auto& w : warnings) ctx.log->warn(terminal_safe_lines(w));
  if (errors > 20) ctx.log->error("... and " + std::to_string(errors - 20) + " more evaluation errors");
  std::string people = plural(l.roster->people.size(), "person", "people");
  if (errors > 0) {
    return fail("policy check failed: " + thousands(static_cast<std::int64_t>(errors)) + " of " + people +
                " could not be evaluated");
  }
  ctx.out("Policies are valid: evaluated " + people + ", " + plural(warnings.size(), "warning", "warnings") +
          ".");
  return {};
}

// ---- policy explain ----

// Everything `policy explain` shows about one person. Printing is separate from gathering so
// that more sections (actual access, the drift between the two) slot in later.
struct Explanation {
  const roster::Person* person = nullptr;
  std::string roster_row;
  policy::PersonAccess access;
  std::vector<const policy::ExceptionRule*> exceptions;
  std::vector<const policy::ServiceAccount*> owned_service_accounts;
  std::vector<std::string> sod_conflicts;
  // The credentials of the person's accounts and of the service accounts they own, as the
  // latest complete snapshots show them (rows of `system account id kind status ...`).
  std::vector<std::vector<std::string>> credentials;
};

std::string format_person(const Explanation& e) {
  const roster::Person& p = *e.person;
  std::vector<std::string> facts;
  if (!p.department.empty()) facts.push_back("department " + p.department);
  if (!p.title.empty()) facts.push_back("title " + p.title);
  facts.push_back("status " + std::string(roster::to_string(p.status)));
  if (!p.manager_email.empty()) facts.push_back("manager " + p.manager_email);
  if (p.end_date) facts.push_back("end date " + format_date(*p.end_date));
  return (p.name.empty() ? p.email : p.name + " <" + p.email + ">") + "  (" + e.roster_row + ")\n  " +
         join(facts, ", ");
}

std::string format_roles(const Explanation& e) {
  if (e.access.roles.empty()) return "Roles: none";
  TextTable t({"ROLE", "ASSIGNED BY"});
  for (const auto& r : e.access.roles) {
    t.add({r.role, r.assigned_by + (r.defined ? "" : "  [no policy defines this role: it gives nothing]")});
  }
  return "Roles\n" + indent(t.str(), "  ");
}

std::string format_desired(const Explanation& e) {
  if (e.access.grants.empty()) return "Desired access: none";
  std::string out = "Desired access";
  std::string system;
  TextTable t({"SYSTEM", "ENTITLEMENT", "LEVEL", "WHY"});
  for (const auto& g : e.access.grants) {
    std::string level = g.level + (g.privileged ? " (privileged)" : "");
    for (std::size_t i = 0; i < g.why.size(); ++i) {
      const policy::Provenance& w = g.why[i];
      std::string why = w.describe() + (w.level != g.level ? " [asks " + w.level + "]" : "");
      if (i == 0)
        t.add({g.system == system ? "" : g.system, g.entitlement_id, level, why});
      else
        t.add({"", "", "", why});
      system = g.system;
    }
  }
  return out + "\n" + indent(t.str(), "  ");
}

std::string format_exceptions(const Explanation& e) {
  if (e.exceptions.empty() && e.owned_service_accounts.empty()) return "";
  std::string out;
  if (!e.exceptions.empty()) {
    TextTable t({"TICKET", "SYSTEM", "ENTITLEMENT", "EXPIRES", "REASON", "DEFINED AT"});
    for (const auto* x : e.exceptions) {
      t.add({x->ticket, x->system.empty() ? "-" : x->system,
             x->entitlement.empty() ? "(the account)" : x->entitlement, format_date(x->expires), x->reason,
             x->source.str()});
    }
    out += "Exceptions\n" + indent(t.str(), "  ");
  }
  if (!e.owned_service_accounts.empty()) {
    TextTable t({"SYSTEM", "ACCOUNT", "ENTITLEMENTS", "DEFINED AT"});
    for (const auto* s : e.owned_service_accounts) {
      std::vector<std::string> ents;
      for (const auto& g : s->entitlements)
        ents.push_back(g.entitlement_id + (g.level == "member" ? "" : " " + g.level));
      t.add({s->system, s->account, join(ents, ", "), s->source.str()});
    }
    out += std::string(out.empty() ? "" : "\n\n") + "Service accounts owned\n" + indent(t.str(), "  ");
  }
  return out;
}

std::string format_credentials(const Explanation& e) {
  if (e.credentials.empty()) return "";
  TextTable t({"SYSTEM", "ACCOUNT", "CREDENTIAL", "KIND", "STATUS", "CREATED", "LAST USED", "EXPIRES"});
  for (const auto& row : e.credentials) t.add(row);
  return "Credentials (latest snapshots)\n" + indent(t.str(), "  ");
}

// The credentials, in the latest complete snapshot of each system, of the accounts whose email
// or login is one of `names` (the person's email and aliases) or that are service accounts the
// person owns.
Result<std::vector<std::vector<std::string>>> credentials_of(Context& ctx, const LoadedPolicies& l,
                                                            const std::set<std::string>& names,
                                                            const std::vector<const policy::ServiceAccount*>& owned) {
  std::vector<std::vector<std::string>> rows;
  RC_ASSIGN(auto db, ctx.read_database(l.cfg));
  store::SnapshotStore snapshots(*db);
  auto date = [](const std::optional<UnixTime>& t, const char* none) { return t ? format_date(*t) : std::string(none); };
  for (const auto& system : l.cfg.systems) {
    RC_ASSIGN(auto snap, snapshots.latest_complete(system.name));
    if (!snap || snap->credentials == 0) continue;
    RC_ASSIGN(auto accounts, snapshots.accounts(*snap));
    std::map<std::string, std::string> mine;  // account id -> shown name
    for (const auto& a : accounts) {
      const bool person = names.count(to_lower(a.email)) || names.count(to_lower(a.login));
      const bool service = std::any_of(owned.begin(), owned.end(), [&](const policy::ServiceAccount* s) {
        return s->system == system.name && (s->account == a.id || s->account == a.login);
      });
      if (person || service) mine[a.id] = a.login.empty() ? a.id : a.login;
    }
    if (mine.empty()) continue;
    RC_ASSIGN(auto credentials, snapshots.credentials(*snap));
    for (const auto& c : credentials) {
      auto it = mine.find(c.account_id);
      if (it == mine.end()) continue;
      rows.push_back({system.name, it->second, c.id, std::string(to_string(c.kind)), std::string(to_string(c.status)),
                      date(c.created_at, "-"), c.use_recorded ? date(c.last_used_at, "never") : "not recorded",
                      date(c.expires_at, "-")});
    }
  }
  return rows;
}

std::string format_explanation(const Explanation& e) {
  std::vector<std::string> sections = {format_person(e), format_roles(e), format_desired(e)};
  if (std::string x = format_exceptions(e); !x.empty()) sections.push_back(x);
  if (std::string c = format_credentials(e); !c.empty()) sections.push_back(c);
  if (!e.sod_conflicts.empty())
    sections.push_back("Separation of duties\n  warning: " + join(e.sod_conflicts, "\n  warning: "));
  return join(sections, "\n\n");
}

const roster::Person* find_person(const roster::Roster& roster, const std::string& who) {
  if (const roster::Person* p = roster.find_by_email(who)) return p;
  std::string want = to_lower(trim(who));
  for (const auto& p : roster.people) {
    for (const auto& alias : p.aliases) {
      if (to_lower(trim(alias)) == want) return &p;
    }
    if (!p.employee_id.empty() && p.employee_id == who) return &p;
  }
  return nullptr;
}

Result<void> run_explain(Context& ctx, const std::string& who) {
  RC_ASSIGN(LoadedPolicies l, load_policies(ctx));
  const roster::Person* person = find_person(*l.roster, who);
  if (!person) {
    std::vector<std::string> emails;
    for (const auto& p : l.roster->people) emails.push_back(p.email);
    std::string close = closest_match(who, emails);
    return fail("no person " + quote(who) + " in " + l.roster->source +
                (close.empty() ? "" : " (did you mean " + quote(close) + "?)"));
  }
  Explanation e;
  e.person = person;
  e.roster_row = l.roster->where(*person);
  RC_ASSIGN(e.access, l.engine->evaluate(*person));
  std::set<std::string> names = {to_lower(person->email)};
  for (const auto& alias : person->aliases) names.insert(to_lower(trim(alias)));
  for (const auto& x : l.engine->exceptions()) {
    if (names.count(to_lower(x.person)) || names.count(to_lower(x.account))) e.exceptions.push_back(&x);
  }
  for (const auto& s : l.engine->service_accounts()) {
    if (names.count(to_lower(s.owner))) e.owned_service_accounts.push_back(&s);
  }
  for (const policy::SodRule* rule : sod_conflicts(*l.engine, e.access)) {
    e.sod_conflicts.push_back(sod_conflict_text(*rule, e.access));
  }
  RC_ASSIGN(e.credentials, credentials_of(ctx, l, names, e.owned_service_accounts));
  ctx.out(terminal_safe_lines(format_explanation(e)));
  return {};
}

}  // namespace

void add_policy_command(CLI::App& app, Context& ctx) {
  CLI::App* cmd = app.add_subcommand("policy", "check the Lua policies, explain what they give a person, or diff them against a base");
  cmd->require_subcommand(1);
  CLI::App* check =
      cmd->add_subcommand("check", "validate every policy file against rollcall.toml and the roster");
  check->callback([&ctx] {
    if (auto r = run_check(ctx); !r) ctx.report(r.error());
  });
  auto who = std::make_shared<std::string>();
  CLI::App* explain =
      cmd->add_subcommand("explain", "a person's roles and desired access, with where each comes from");
  explain->add_option("person", *who, "roster email (or alias, or employee id)")->required();
  explain->callback([&ctx, who] {
    if (auto r = run_explain(ctx, *who); !r) ctx.report(r.error());
  });
  add_policy_diff_command(*cmd, ctx);
}

}  // namespace rollcall::cli
