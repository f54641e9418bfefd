#include "scanner/drift/engine.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "scanner/core/strings.hpp"
#include "scanner/drift/system_run.hpp"

namespace rollcall::drift {

DriftEngine::DriftEngine(const roster::Roster& roster, policy::PolicyEngine& policy,
                         const DesiredState& desired, IdentityMatcher& matcher, FindingSink& sink,
                         store::SnapshotStore& snapshots, UnixTime now)
    : roster_(roster), policy_(policy), desired_(desired), matcher_(matcher), sink_(sink),
      snapshots_(snapshots), now_(now) {
  const auto& rules = policy_.sod_rules();
  for (std::uint32_t r = 0; r < rules.size(); ++r) {
    for (std::uint32_t m = 0; m < rules[r].entitlements.size(); ++m) {
      const std::string& qualified = rules[r].entitlements[m];
      auto colon = qualified.find(':');
      if (colon == std::string::npos) continue;  // the policy engine validates the form
      sod_index_[qualified.substr(0, colon)][qualified.substr(colon + 1)].push_back({r, m});
    }
  }
}

bool DriftEngine::terminated(const roster::Person& p) const {
  return p.status == roster::PersonStatus::terminated || (p.end_date && day_passed(*p.end_date, now_));
}

bool DriftEngine::wants_access(const roster::Person& p) const {
  return !terminated(p) && p.status != roster::PersonStatus::leave &&
         !(p.start_date && *p.start_date / 86400 > now_ / 86400);
}

void DriftEngine::incomplete(const reports::SystemStatus& st, const std::string& expected,
                             const std::string& actual) {
  reports::Finding f;
  f.system = st.name;
  f.expected = expected;
  f.actual = actual;
  f.message = st.name + ": " + actual + "; no access findings were computed for this system";
  f.evidence.snapshot = st.snapshot;
  if (!st.error.empty()) f.evidence.extra["error"] = st.error;
  sink_.add(Kind::system_incomplete, std::move(f));
}

Result<reports::SystemStatus> DriftEngine::check_system(const config::SystemConfig& system) {
  reusable_.reset();
  reports::SystemStatus st;
  st.name = system.name;
  st.type = system.type;
  auto latest = snapshots_.latest(system.name);
  if (!latest) return latest.context("system " + quote(system.name));
  if (!*latest) {
    st.status = "missing";
    incomplete(st, "a complete snapshot", "no snapshot was ever taken (run `rollcall snapshot`)");
    return st;
  }
  const store::SnapshotInfo& snap = **latest;
  st.snapshot = reports::SnapshotRef{snap.id, snap.finished_at, snap.digest};
  st.error = snap.error;
  st.accounts = snap.accounts;
  st.entitlements = snap.entitlements;
  st.grants = snap.grants;
  if (snap.status != SnapshotStatus::complete) {
    st.status = std::string(to_string(snap.status));
    incomplete(st, "a complete snapshot",
               "the latest snapshot (#" + std::to_string(snap.id) + ", " + format_iso8601(snap.finished_at) +
                   ") is " + st.status + (snap.error.empty() ? "" : ": " + snap.error));
    return st;
  }
  if (system.max_snapshot_age_s && now_ - snap.finished_at > *system.max_snapshot_age_s) {
    st.status = "stale";
    incomplete(st, "a complete snapshot at most " + format_age(*system.max_snapshot_age_s) + " old",
               "the latest snapshot (#" + std::to_string(snap.id) + ", " + format_iso8601(snap.finished_at) +
                   ") is " + std::to_string((now_ - snap.finished_at) / 3600) + "h old");
    return st;
  }
  SystemRun run;
  if (auto link = system.keys.map("identity_from")) {
    RC_ASSIGN(bool linked, link_identities(run, link->at("system"), link->at("app")));
    if (!linked) {
      st.status = "unlinked";
      incomplete(st, "a complete snapshot of " + link->at("system") + " to identify its accounts through",
                 "identity_from: " + link->at("system") + " has no complete snapshot, so its accounts cannot be "
                 "linked to people");
      return st;
    }
  }
  st.status = "complete";
  run.config = &system;
  const int index = desired_.system_index(system.name);
  if (index < 0) return fail("system " + quote(system.name) + ": not in the desired state");
  run.index = static_cast<std::size_t>(index);
  run.info = snap;
  run.snapshot = *st.snapshot;
  auto sod = sod_index_.find(system.name);
  if (sod != sod_index_.end()) run.sod = &sod->second;
  for (const auto& b : policy_.baselines()) {
    if (b.system != system.name) continue;
    for (const auto& e : b.entitlements) run.baseline.push_back(&e);
    run.platform_defaults = run.platform_defaults && b.platform_defaults;
  }
  for (const auto& n : policy_.nestings()) {
    if (n.system != system.name) continue;
    for (const auto& reached : n.includes) run.accepted_nesting.insert(n.entitlement + '\x1f' + reached);
  }
  // Every clock test of the checks below flips at the latest at the next UTC midnight (days
  // passed, start and end dates) or at a time they report in run.valid_until.
  run.valid_until = (now_ / 86400 + 1) * 86400;
  if (system.max_snapshot_age_s) run.valid_until = std::min(run.valid_until, snap.finished_at + *system.max_snapshot_age_s + 1);
  if (auto r = diff(run); !r) return r.context("system " + quote(system.name));
  st.unmatched = run.unmatched;
  checked_snapshots_[system.name] = snapshot_note(snap.id, snap.finished_at, snap.digest);
  if (!run.resolved_exception && !run.has_credentials && run.sso_via.empty()) reusable_ = Reusable{run.valid_until, std::move(run.sod_found)};
  return st;
}

std::string DriftEngine::snapshot_note(std::int64_t id, UnixTime at, const std::string& digest) {
  return "#" + std::to_string(id) + " " + format_iso8601(at) + " " + digest;
}

void DriftEngine::reuse(const reports::SystemStatus& status, const Reusable& reused) {
  if (status.snapshot) {
    checked_snapshots_[status.name] = snapshot_note(status.snapshot->id, status.snapshot->taken_at, status.snapshot->digest);
  }
  for (const SodHold& h : reused.sod) sod_held_[h.person].push_back(h);
}

Result<bool> DriftEngine::link_identities(SystemRun& run, const std::string& idp, const std::string& app) {
  RC_ASSIGN(auto snap, snapshots_.latest_complete(idp));
  if (!snap) return false;
  RC_ASSIGN(auto accounts, snapshots_.accounts(*snap));
  run.sso_via = idp + " app " + quote(app);
  for (const Account& a : accounts) {
    if (a.attrs_json.find("\"app_usernames\"") == std::string::npos) continue;
    auto attrs = nlohmann::json::parse(a.attrs_json, nullptr, false);
    if (!attrs.is_object() || !attrs.contains("app_usernames") || !attrs["app_usernames"].is_object()) continue;
    auto name = attrs["app_usernames"].find(app);
    if (name == attrs["app_usernames"].end() || !name->is_string()) continue;
    RC_ASSIGN(Match owner, matcher_.match(idp, a));
    if (owner.kind != MatchKind::person) continue;
    run.sso.emplace(to_lower(name->get<std::string>()), owner.index);
  }
  return true;
}

Result<void> DriftEngine::diff(SystemRun& run) {
  Stopwatch watch(CLOCK_THREAD_CPUTIME_ID);
  const store::SnapshotInfo& info = run.info;
  RC_ASSIGN(run.accounts, snapshots_.accounts(info));
  RC_ASSIGN(run.entitlements, snapshots_.entitlements(info));
  run.desired_ids.reserve(run.entitlements.size());
  for (const auto& e : run.entitlements) {
    if (e.privileged) run.privileged.insert(e.id);
    run.desired_ids.push_back(desired_.entitlements.find(e.id));
  }
  const std::size_t people = roster_.people.size();
  run.first.assign(people, kNone);
  run.matches.resize(run.accounts.size());
  run.grants.assign(run.accounts.size(), 0);
  for (std::size_t i = 0; i < run.accounts.size(); ++i) {
    const Account& a = run.accounts[i];
    RC_ASSIGN(run.matches[i], matcher_.match(run.config->name, a));
    if (run.matches[i].kind == MatchKind::none && !run.sso.empty()) {
      for (const std::string* key : {&a.login, &a.id}) {
        auto it = run.sso.find(to_lower(*key));
        if (key->empty() || it == run.sso.end()) continue;
        run.matches[i] = Match{MatchKind::person, it->second, run.sso_via, {}, ""};
        break;
      }
    }
    const Match& m = run.matches[i];
    const bool active = a.status == AccountStatus::active;
    if (m.kind == MatchKind::person) {
      if (!active) run.inactive[m.index].push_back(static_cast<std::uint32_t>(i));
      else if (run.first[m.index] == kNone) run.first[m.index] = static_cast<std::uint32_t>(i);
      else run.more[m.index].push_back(static_cast<std::uint32_t>(i));
    } else if (m.kind == MatchKind::ambiguous && active) {
      run.ambiguous_people.insert(m.candidates.begin(), m.candidates.end());
    }
  }
  match_time_ += watch.lap();

  run.held.assign(desired_.system(run.index).entries.size(), 0);
  // Grants arrive ordered by (account, entitlement), as positions in run.accounts and
  // run.entitlements: one group per (account, entitlement), compared when the next group
  // starts, so no snapshot is ever held whole in memory and no string is built per grant.
  constexpr std::uint32_t kNoGroup = UINT32_MAX;
  std::uint32_t account = kNoGroup, entitlement = kNoGroup;
  auto streamed = snapshots_.for_each_grant_ref(info, [&](const store::GrantRef& g) -> Result<void> {
    if (g.account != account || g.entitlement != entitlement) {
      if (account != kNoGroup) flush_group(run, account, entitlement);
      if (g.account >= run.accounts.size() || g.entitlement >= run.entitlements.size()) {
        return fail("snapshot #" + std::to_string(info.id) + ": a grant names an account or entitlement " +
                    "the snapshot does not hold");
      }
      account = g.account;
      entitlement = g.entitlement;
      run.group.clear();
    }
    run.group.push_back({*g.level, *g.via});
    ++run.grants[account];
    return {};
  });
  if (!streamed) return streamed;
  if (account != kNoGroup) flush_group(run, account, entitlement);
  for (std::size_t i = 0; i < run.accounts.size(); ++i) {
    if (run.accounts[i].status != AccountStatus::active) continue;
    check_orphan(run, i);
    check_terminated(run, i);
    check_service_owner(run, i);
    check_dormant(run, i);
  }
  RC_TRY(check_credentials(run));
  check_duplicates(run);
  check_missing(run);
  check_missing_services(run);
  check_everyone(run);
  check_nested(run);
  resolve_exceptions(run);
  diff_time_ += watch.lap();
  return {};
}

reports::Finding DriftEngine::person_finding(const SystemRun& run, std::uint32_t person) const {
  const roster::Person& p = roster_.people[person];
  reports::Finding f;
  f.system = run.config->name;
  f.person_email = p.email;
  f.person_name = p.name;
  f.owner = run.config->owner;
  f.evidence.roster_row = roster_.where(p);
  f.evidence.snapshot = run.snapshot;
  return f;
}

reports::Finding DriftEngine::account_finding(const SystemRun& run, std::size_t account) const {
  const Account& a = run.accounts[account];
  const Match& m = run.matches[account];
  reports::Finding f;
  if (m.kind == MatchKind::person) {
    f = person_finding(run, m.index);
  } else {
    f.system = run.config->name;
    f.owner = run.config->owner;
    f.evidence.snapshot = run.snapshot;
  }
  f.account_id = a.id;
  f.account_login = a.login;
  if (!m.via.empty()) f.evidence.extra["matched_by"] = std::string(m.via);
  if (!m.note.empty()) f.evidence.extra["match_note"] = m.note;
  if (m.kind == MatchKind::service) {
    const auto& sa = policy_.service_accounts()[m.index];
    f.evidence.extra["service_account_owner"] = sa.owner;
    f.evidence.policy.push_back("service_account at " + sa.source.str());
    if (!sa.policy_owner.empty()) f.owner = sa.policy_owner;
  }
  return f;
}

const std::string* DriftEngine::desired_level(SystemRun& run, const Match& m, std::uint32_t desired_id,
                                              const std::string& entitlement, bool mark_held,
                                              const std::string** why, const std::string** owner) const {
  if (m.kind == MatchKind::person) {
    if (desired_id == StringPool::kNone) return nullptr;
    auto [begin, end] = desired_.of(run.index, m.index);
    for (const DesiredEntry* e = begin; e != end; ++e) {
      if (e->entitlement != desired_id) continue;
      if (mark_held) run.held[static_cast<std::size_t>(e - desired_.system(run.index).entries.data())] = 1;
      if (why) *why = &desired_.texts.str(e->provenance);
      if (owner) *owner = &desired_.texts.str(e->owner);
      return &desired_.levels.str(e->level);
    }
  } else if (m.kind == MatchKind::service) {
    const auto& sa = policy_.service_accounts()[m.index];
    const auto& grants = sa.entitlements;
    for (std::size_t j = 0; j < grants.size(); ++j) {
      if (grants[j].entitlement_id != entitlement) continue;
      if (mark_held) {
        auto& held = run.service_held[m.index];
        held.resize(grants.size(), 0);
        held[j] = 1;
      }
      if (owner) *owner = &sa.policy_owner;
      return &grants[j].level;
    }
  }
  return nullptr;
}

void DriftEngine::flush_group(SystemRun& run, std::size_t account, std::uint32_t entitlement_index) {
  const Account& a = run.accounts[account];
  const Match& m = run.matches[account];
  if (a.status != AccountStatus::active) return;
  const std::string& entitlement = run.entitlements[entitlement_index].id;
  const std::uint32_t id = run.desired_ids[entitlement_index];
  if (m.kind == MatchKind::person && run.sod) {
    auto it = run.sod->find(entitlement);
    if (it != run.sod->end()) {
      for (auto [rule, member] : it->second) {
        sod_held_[m.index].push_back({m.index, rule, member, account_name(a)});
        run.sod_found.push_back(sod_held_[m.index].back());
      }
    }
  }

  // A grant to everyone is judged once for the system (check_everyone), never per account.
  bool own_only = true;
  for (const HeldLevel& h : run.group) own_only = own_only && !through_everyone(h);
  std::vector<HeldLevel> split_own;
  if (!own_only) {
    for (const HeldLevel& h : run.group) {
      if (!through_everyone(h)) {
        split_own.push_back(h);
        continue;
      }
      auto& reach = run.everyone[entitlement];
      if (reach.accounts.empty() || reach.accounts.back() != account) reach.accounts.push_back(static_cast<std::uint32_t>(account));
      reach.levels.insert(h.level);
      if (reach.via.empty() || h.via == kViaEveryone) reach.via = h.via;
    }
  }
  const std::vector<HeldLevel>& own = own_only ? run.group : split_own;

  if (m.kind != MatchKind::person && m.kind != MatchKind::service) return;  // reported once, not per grant
  if (m.kind == MatchKind::person && terminated(roster_.people[m.index])) return;  // terminated_active covers it

  // What the owner should hold: the entitlement's desired level(s) and why, or nothing.
  const std::string* why = nullptr;
  const std::string* owner = nullptr;
  const std::string* want = desired_level(run, m, id, entitlement, true, &why, &owner);
  if (own.empty()) return;  // held only through a grant to everyone: check_everyone judges it

  // What every account of the system may hold (the baseline) is never judged per account.
  for (const policy::BaselineEntry* b : run.baseline) {
    if (!glob_match(b->entitlement, entitlement)) continue;
    if (b->level.empty() || std::all_of(own.begin(), own.end(), [&](const HeldLevel& h) {
          return policy::level_allowed(b->level, h.level);
        })) {
      return;
    }
  }

  // Most groups are in policy: decided before any finding text is built.
  if (want != nullptr && std::all_of(own.begin(), own.end(), [&](const HeldLevel& h) {
        return policy::level_allowed(*want, h.level);
      })) {
    return;
  }
  if (want == nullptr && std::none_of(own.begin(), own.end(), direct)) {
    // Reached only through nesting: one finding per (containing, reached) pair, unless a policy
    // accepts the nesting.
    for (const HeldLevel& h : own) {
      if (run.accepted_nesting.count(h.via + '\x1f' + entitlement)) continue;
      auto& reach = run.nested[{h.via, entitlement}];
      if (reach.accounts.empty() || reach.accounts.back() != account) reach.accounts.push_back(static_cast<std::uint32_t>(account));
      reach.levels.insert(h.level);
    }
    return;
  }

  reports::Finding f = account_finding(run, account);
  f.entitlement_id = entitlement;
  f.facts.held = own;
  f.actual = describe_held(own);
  const std::string who = account_name(a);
  if (want != nullptr) {
    f.expected = policy::describe_levels(*want);
    f.facts.allowed_levels = level_list(*want);
    if (owner != nullptr && !owner->empty()) f.owner = *owner;
    f.message = who + " holds " + entitlement + " as " + f.actual + "; policy grants " + f.expected;
    if (why != nullptr) {
      for (auto& line : lines_of(*why)) f.evidence.policy.push_back(std::move(line));
    }
    sink_.add(Kind::privilege_mismatch, std::move(f), {a.email});
    return;
  }
  f.expected = "no access";
  f.message = who + " holds " + entitlement + " as " + f.actual + ", which no policy grants";
  if (m.kind == MatchKind::person) {
    const std::string& roles = desired_.roles_of(m.index);
    f.evidence.policy.push_back(roles.empty() ? "no role assigned" : "roles: " + roles);
  }
  f.facts.privileged = run.privileged.count(entitlement) != 0 ||
                       (id != StringPool::kNone && desired_.system(run.index).privileged.count(id) != 0);
  sink_.add(Kind::unauthorized_access, std::move(f), {a.email});
}

void DriftEngine::absorb(DriftEngine& other) {
  for (auto& [person, holds] : other.sod_held_) {
    auto& mine = sod_held_[person];
    mine.insert(mine.end(), std::make_move_iterator(holds.begin()), std::make_move_iterator(holds.end()));
  }
  other.sod_held_.clear();
  checked_snapshots_.merge(other.checked_snapshots_);
  exception_resolved_.merge(other.exception_resolved_);
  match_time_.wall = std::max(match_time_.wall, other.match_time_.wall);
  match_time_.cpu += other.match_time_.cpu;
  diff_time_.wall = std::max(diff_time_.wall, other.diff_time_.wall);
  diff_time_.cpu += other.diff_time_.cpu;
  credentials_.insert(credentials_.end(), std::make_move_iterator(other.credentials_.begin()),
                      std::make_move_iterator(other.credentials_.end()));
  other.credentials_.clear();
}

void DriftEngine::check_sod() {
  const auto& rules = policy_.sod_rules();
  std::vector<std::uint32_t> people;
  for (const auto& [person, _] : sod_held_) people.push_back(person);
  std::sort(people.begin(), people.end());
  for (std::uint32_t person : people) {
    auto& holds = sod_held_[person];
    std::sort(holds.begin(), holds.end(), [](const SodHold& a, const SodHold& b) {
      return std::tie(a.rule, a.member, a.account) < std::tie(b.rule, b.member, b.account);
    });
    const roster::Person& p = roster_.people[person];
    for (std::uint32_t r = 0; r < rules.size(); ++r) {
      std::set<std::uint32_t> members;
      std::string held, accounts;
      for (const SodHold& h : holds) {
        if (h.rule != r) continue;
        if (members.insert(h.member).second) {
          if (!held.empty()) held += ", ";
          held += rules[r].entitlements[h.member];
        }
        if (!accounts.empty()) accounts += ", ";
        accounts += rules[r].entitlements[h.member] + " by " + h.account;
      }
      if (static_cast<int>(members.size()) <= rules[r].max_held) continue;
      std::set<std::string> systems;
      for (const auto& e : rules[r].entitlements) systems.insert(e.substr(0, e.find(':')));
      reports::Finding f;
      f.system = join(std::vector<std::string>(systems.begin(), systems.end()), ",");
      f.person_email = p.email;
      f.person_name = p.name;
      f.entitlement_id = "sod:" + rules[r].name;
      f.expected = "at most " + std::to_string(rules[r].max_held) + " of " + join(rules[r].entitlements, ", ");
      f.actual = held;
      f.message = (p.name.empty() ? p.email : p.name) + " holds " + held + ", which separation-of-duties rule " +
                  quote(rules[r].name) + " forbids together";
      f.evidence.roster_row = roster_.where(p);
      f.evidence.policy.push_back("sod " + quote(rules[r].name) + " at " + rules[r].source.str());
      f.evidence.extra["accounts"] = accounts;
      for (const auto& s : systems) {
        auto it = checked_snapshots_.find(s);
        if (it != checked_snapshots_.end()) f.evidence.extra["snapshot " + s] = it->second;
      }
      f.owner = rules[r].owner;
      sink_.add(Kind::sod_violation, std::move(f));
    }
  }
}

}  // namespace rollcall::drift
