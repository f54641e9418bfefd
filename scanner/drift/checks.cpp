// The checks of one system that run once its grants are streamed: per account (orphan,
// terminated, service-account owner, dormant), per person (duplicate, missing), once per
// system and entitlement (grants to everyone, nestings), and the resolution of expired
// exceptions to the accounts they cover. See engine.hpp.
#include <algorithm>

#include "scanner/drift/engine.hpp"
#include "scanner/drift/system_run.hpp"

namespace rollcall::drift {

void DriftEngine::check_orphan(SystemRun& run, std::size_t i) {
  const Account& a = run.accounts[i];
  const Match& m = run.matches[i];
  if (m.kind != MatchKind::none && m.kind != MatchKind::ambiguous) return;
  // The platform's own accounts (Slackbot, ghost) belong to no person and are no one's drift.
  if (a.kind == AccountKind::builtin) return;
  // An account whose identity the platform withholds is unmatched, not positively ownerless.
  if (m.kind == MatchKind::none && a.email.empty() && a.attrs_json.find("\"email_hidden\":true") != std::string::npos) {
    ++run.unmatched;
    return;
  }
  reports::Finding f = account_finding(run, i);
  f.expected = "an owner: a person of the roster or a registered service account";
  f.evidence.extra["grants"] = std::to_string(run.grants[i]);
  f.evidence.extra["account_kind"] = std::string(to_string(a.kind));
  if (!a.email.empty()) f.evidence.extra["account_email"] = a.email;
  if (!a.display_name.empty()) f.evidence.extra["display_name"] = a.display_name;
  const std::string who = account_name(a);
  if (m.kind == MatchKind::none) {
    f.actual = "no owner";
    f.message = "account " + who + " matches no person of the roster and no registered service account";
  } else {
    std::string names;
    for (std::uint32_t c : m.candidates) {
      const roster::Person& p = roster_.people[c];
      if (!names.empty()) names += ", ";
      names += p.email + " (" + roster_.where(p) + ")";
    }
    f.actual = "ambiguous: " + std::to_string(m.candidates.size()) + " people";
    f.evidence.extra["candidates"] = names;
    f.message = "account " + who + " matches " + std::to_string(m.candidates.size()) + " people (" + names +
                "); map it explicitly in the [match] mapping file";
  }
  sink_.add(Kind::orphan_account, std::move(f), {a.email});
}

void DriftEngine::check_terminated(SystemRun& run, std::size_t i) {
  const Account& a = run.accounts[i];
  const Match& m = run.matches[i];
  if (m.kind != MatchKind::person || !terminated(roster_.people[m.index])) return;
  const roster::Person& p = roster_.people[m.index];
  reports::Finding f = account_finding(run, i);
  f.expected = "account disabled or removed";
  f.actual = "active, " + std::to_string(run.grants[i]) + " grant(s)";
  f.evidence.extra["person_status"] = std::string(roster::to_string(p.status));
  if (p.end_date) f.evidence.extra["end_date"] = format_date(*p.end_date);
  const std::string since_when = p.end_date ? " since " + format_date(*p.end_date) : "";
  f.message = (p.name.empty() ? p.email : p.name) + " is terminated" + since_when + " but account " +
              account_name(a) + " is still active";
  sink_.add(Kind::terminated_active, std::move(f), {a.email});
}

void DriftEngine::check_service_owner(SystemRun& run, std::size_t i) {
  const Account& a = run.accounts[i];
  const Match& m = run.matches[i];
  if (m.kind != MatchKind::service) return;
  const std::string problem = service_owner_problem(m);
  if (problem.empty()) return;
  const auto& sa = policy_.service_accounts()[m.index];
  reports::Finding f = account_finding(run, i);
  f.person_email = sa.owner;
  f.expected = "an owner who is an active person of the roster";
  f.actual = problem;
  f.message = "service account " + account_name(a) + ": " + problem;
  sink_.add(Kind::service_account_owner_invalid, std::move(f), {a.email});
}

std::string DriftEngine::service_owner_problem(const Match& m) const {
  const auto& sa = policy_.service_accounts()[m.index];
  if (sa.owner.empty()) return "no owner";
  const std::int64_t owner = matcher_.find_person(sa.owner);
  if (owner < 0) return "owner " + sa.owner + " is not in the roster";
  if (terminated(roster_.people[static_cast<std::size_t>(owner)])) return "owner " + sa.owner + " is terminated";
  return "";
}

bool DriftEngine::expected_to_log_in(const Match& m) const {
  if (m.kind == MatchKind::service) return true;
  if (m.kind != MatchKind::person) return false;  // orphans are reported as such
  const roster::Person& p = roster_.people[m.index];
  if (terminated(p)) return false;  // terminated_active covers it
  const auto& statuses = policy_.settings().dormant_statuses;
  return std::find(statuses.begin(), statuses.end(), roster::to_string(p.status)) != statuses.end();
}

void DriftEngine::check_dormant(SystemRun& run, std::size_t i) {
  const int dormant_days = policy_.settings().dormant_days;
  const Account& a = run.accounts[i];
  if (dormant_days <= 0 || !a.last_login || a.kind == AccountKind::builtin) return;
  const std::int64_t limit = std::int64_t{dormant_days} * 86400;
  const std::int64_t days = (now_ - *a.last_login) / 86400;
  // The clock changes this check when the account turns dormant, and, once dormant, the day
  // count its message gives.
  run.valid_until = std::min(run.valid_until, now_ - *a.last_login <= limit ? *a.last_login + limit + 1
                                                                             : *a.last_login + (days + 1) * 86400);
  if (now_ - *a.last_login <= limit || !expected_to_log_in(run.matches[i])) return;
  reports::Finding f = account_finding(run, i);
  f.expected = "a login within " + std::to_string(dormant_days) + " days";
  f.actual = "last login " + format_date(*a.last_login) + " (" + std::to_string(days) + " days ago)";
  f.evidence.extra["last_login"] = format_iso8601(*a.last_login);
  f.evidence.extra["dormant_days"] = std::to_string(dormant_days);
  f.message = "account " + account_name(a) + " has not logged in for " + std::to_string(days) + " days";
  sink_.add(Kind::dormant_account, std::move(f), {a.email});
}

void DriftEngine::check_duplicates(SystemRun& run) {
  std::vector<std::uint32_t> people;
  for (const auto& [person, _] : run.more) people.push_back(person);
  std::sort(people.begin(), people.end());
  for (std::uint32_t person : people) {
    const roster::Person& p = roster_.people[person];
    if (terminated(p)) continue;
    std::vector<std::uint32_t> ids = {run.first[person]};
    const auto& extra = run.more[person];
    ids.insert(ids.end(), extra.begin(), extra.end());
    reports::Finding f = person_finding(run, person);
    std::string names;
    for (std::uint32_t i : ids) {
      const Account& a = run.accounts[i];
      if (!names.empty()) names += ", ";
      names += account_name(a) + (a.login.empty() || a.login == a.id ? "" : " (" + a.id + ")");
      f.facts.accounts.push_back(a.id);
    }
    f.expected = "one account";
    f.actual = std::to_string(ids.size()) + " active accounts: " + names;
    f.evidence.extra["accounts"] = names;
    f.message = (p.name.empty() ? p.email : p.name) + " has " + std::to_string(ids.size()) +
                " active accounts in " + run.config->name + ": " + names;
    sink_.add(Kind::duplicate_account, std::move(f));
  }
}

void DriftEngine::check_missing(SystemRun& run) {
  const SystemDesired& sys = desired_.system(run.index);
  for (std::uint32_t person = 0; person < roster_.people.size(); ++person) {
    auto [begin, end] = desired_.of(run.index, person);
    if (begin == end) continue;
    const roster::Person& p = roster_.people[person];
    if (!wants_access(p)) continue;
    const std::string name = p.name.empty() ? p.email : p.name;
    if (run.first[person] == kNone) {
      // An ambiguous account may well be theirs: that finding covers it, not a missing account.
      if (run.ambiguous_people.count(person)) continue;
      reports::Finding f = person_finding(run, person);
      std::string wanted;
      std::set<std::string> why;
      for (const DesiredEntry* e = begin; e != end; ++e) {
        if (e - begin < static_cast<std::ptrdiff_t>(kMaxListed)) {
          if (!wanted.empty()) wanted += ", ";
          wanted += desired_.entitlements.str(e->entitlement);
        }
        for (auto& line : lines_of(desired_.texts.str(e->provenance))) why.insert(std::move(line));
      }
      if (const std::string& owner = desired_.texts.str(begin->owner); !owner.empty()) f.owner = owner;
      const auto count = static_cast<std::size_t>(end - begin);
      if (count > kMaxListed) wanted += ", and " + std::to_string(count - kMaxListed) + " more";
      f.expected = "an active account with " + std::to_string(count) + " entitlement(s): " + wanted;
      auto inactive = run.inactive.find(person);
      if (inactive != run.inactive.end()) {
        f.facts.account_state = "disabled";
        for (std::uint32_t i : inactive->second) f.facts.accounts.push_back(run.accounts[i].id);
        f.actual = "no active account (only suspended or disabled ones: " + join_list(f.facts.accounts, 5) + ")";
      } else {
        f.facts.account_state = "absent";
        f.actual = "no account";
      }
      f.evidence.policy.assign(why.begin(), why.end());
      f.message = name + " has no active account in " + run.config->name + " (policies grant " +
                  std::to_string(count) + " entitlement(s))";
      sink_.add(Kind::missing_access, std::move(f));
      continue;
    }
    const bool single = run.more.count(person) == 0;
    for (const DesiredEntry* e = begin; e != end; ++e) {
      if (run.held[static_cast<std::size_t>(e - sys.entries.data())]) continue;
      reports::Finding f = person_finding(run, person);
      if (single) {
        const Account& a = run.accounts[run.first[person]];
        f.account_id = a.id;
        f.account_login = a.login;
      }
      const std::string& spec = desired_.levels.str(e->level);
      f.entitlement_id = desired_.entitlements.str(e->entitlement);
      f.expected = policy::describe_levels(spec);
      f.facts.allowed_levels = level_list(spec);
      f.actual = "absent";
      if (const std::string& owner = desired_.texts.str(e->owner); !owner.empty()) f.owner = owner;
      f.evidence.policy = lines_of(desired_.texts.str(e->provenance));
      f.message = name + " lacks " + f.entitlement_id + " (" + f.expected + ") in " + run.config->name;
      sink_.add(Kind::missing_access, std::move(f));
    }
  }
}

// Registered service accounts present in this system but lacking what they are registered for.
void DriftEngine::check_missing_services(SystemRun& run) {
  for (std::size_t i = 0; i < run.accounts.size(); ++i) {
    const Match& m = run.matches[i];
    if (m.kind != MatchKind::service || run.accounts[i].status != AccountStatus::active) continue;
    const auto& sa = policy_.service_accounts()[m.index];
    auto& held = run.service_held[m.index];
    held.resize(sa.entitlements.size(), 0);
    for (std::size_t j = 0; j < sa.entitlements.size(); ++j) {
      if (held[j]) continue;
      reports::Finding f = account_finding(run, i);
      f.entitlement_id = sa.entitlements[j].entitlement_id;
      f.expected = policy::describe_levels(sa.entitlements[j].level);
      f.facts.allowed_levels = level_list(sa.entitlements[j].level);
      f.actual = "absent";
      f.message = "service account " + account_name(run.accounts[i]) + " lacks " + f.entitlement_id + " (" +
                  f.expected + ")";
      sink_.add(Kind::missing_access, std::move(f), {run.accounts[i].email});
    }
  }
}

void DriftEngine::check_everyone(SystemRun& run) {
  for (auto& [entitlement, reach] : run.everyone) {
    if (reach.via == kViaEveryoneDefault && run.platform_defaults) continue;
    const bool allowed = std::any_of(run.baseline.begin(), run.baseline.end(), [&](const policy::BaselineEntry* b) {
      return glob_match(b->entitlement, entitlement) &&
             (b->level.empty() || std::all_of(reach.levels.begin(), reach.levels.end(), [&](const std::string& l) {
                return policy::level_allowed(b->level, l);
              }));
    });
    if (allowed) continue;
    reports::Finding f;
    f.system = run.config->name;
    f.owner = run.config->owner;
    f.entitlement_id = entitlement;
    f.evidence.snapshot = run.snapshot;
    for (const std::string& level : reach.levels) f.facts.held.push_back({level, reach.via});
    f.facts.reach = static_cast<std::int64_t>(reach.accounts.size());
    f.facts.privileged = run.privileged.count(entitlement) != 0;
    f.expected = run.baseline.empty() ? "no grant to everyone (no baseline declared for " + run.config->name + ")"
                                      : "only baseline entitlements granted to everyone";
    f.actual = "granted to everyone as " + describe_held(f.facts.held) + ", reaching " +
               std::to_string(reach.accounts.size()) + " active account(s)";
    f.message = entitlement + " is granted to every account of " + run.config->name + " (" +
                std::to_string(reach.accounts.size()) + " active), and no baseline allows it";
    f.evidence.policy.push_back(run.baseline.empty() ? "no baseline for " + run.config->name
                                                     : "baseline of " + run.config->name + " does not list it");
    sink_.add(Kind::everyone_access, std::move(f));
  }
}

void DriftEngine::check_nested(SystemRun& run) {
  for (auto& [key, reach] : run.nested) {
    const auto& [containing, reached] = key;
    reports::Finding f;
    f.system = run.config->name;
    f.owner = run.config->owner;
    f.entitlement_id = reached;
    f.evidence.snapshot = run.snapshot;
    f.facts.via = containing;
    for (const std::string& level : reach.levels) f.facts.held.push_back({level, containing});
    f.facts.reach = static_cast<std::int64_t>(reach.accounts.size());
    f.facts.privileged = run.privileged.count(reached) != 0;
    std::vector<std::string> people;
    for (std::uint32_t i : reach.accounts) {
      const Account& a = run.accounts[i];
      f.facts.accounts.push_back(a.id);
      const Match& m = run.matches[i];
      people.push_back(m.kind == MatchKind::person ? roster_.people[m.index].email : account_name(a));
    }
    f.expected = "no access to " + reached + " through " + containing + " (no policy grants it, no nesting accepts it)";
    f.actual = std::to_string(reach.accounts.size()) + " account(s) reach it: " + join_list(people, 10);
    f.evidence.extra["people"] = join_list(people, people.size());
    f.evidence.policy.push_back("no nesting { system = \"" + run.config->name + "\", entitlement = \"" + containing +
                                "\", includes = { \"" + reached + "\" } }");
    f.message = containing + " includes " + reached + " in " + run.config->name + ", giving it to " +
                std::to_string(reach.accounts.size()) + " account(s) that no policy grants it";
    sink_.add(Kind::nested_access, std::move(f));
  }
}

void DriftEngine::resolve_exceptions(SystemRun& run) {
  const EmailRules& rules = matcher_.email_rules();
  for (const auto& x : policy_.exceptions()) {
    if (x.system != run.config->name || x.account.empty() || x.expires == 0 || now_ <= x.expires) continue;
    const std::string want = normalize_email(x.account, rules);
    for (std::size_t i = 0; i < run.accounts.size(); ++i) {
      const Account& a = run.accounts[i];
      const Match& m = run.matches[i];
      const bool hit = to_lower(a.id) == to_lower(x.account) || to_lower(a.login) == to_lower(x.account) ||
                       (!a.email.empty() && normalize_email(a.email, rules) == want) ||
                       (m.kind == MatchKind::person && normalize_email(roster_.people[m.index].email, rules) == want);
      if (!hit) continue;
      exception_resolved_[&x] = {a.id, a.login, run.snapshot};
      run.resolved_exception = true;
      break;
    }
  }
}

void DriftEngine::resolve_exception(const policy::ExceptionRule& x, reports::Finding& f) const {
  auto it = exception_resolved_.find(&x);
  if (it == exception_resolved_.end()) return;
  f.account_id = it->second.id;
  f.account_login = it->second.login;
  f.evidence.snapshot = it->second.snapshot;
  if (!starts_with(to_lower(x.account), to_lower(it->second.id))) f.evidence.extra["exception_account"] = x.account;
}

}  // namespace rollcall::drift
