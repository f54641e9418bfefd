#include "scanner/drift/engine.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_set>

#include "scanner/core/strings.hpp"

namespace rollcall::drift {
namespace {

constexpr std::uint32_t kNone = UINT32_MAX;
constexpr std::size_t kMaxListed = 10;  // entitlements named in one missing-account finding

bool day_passed(UnixTime day, UnixTime now) { return now / 86400 > day / 86400; }

std::vector<std::string> lines_of(const std::string& text) {
  return text.empty() ? std::vector<std::string>{} : split(text, '\n');
}

// 93600 -> "26h", 5400 -> "90m", 45 -> "45s": as a max_snapshot_age is written.
std::string format_age(std::int64_t seconds) {
  if (seconds % 3600 == 0) return std::to_string(seconds / 3600) + "h";
  if (seconds % 60 == 0) return std::to_string(seconds / 60) + "m";
  return std::to_string(seconds) + "s";
}

std::string account_name(const Account& a) { return a.login.empty() ? a.id : a.login; }

// "admin", or "member (via group:eng); admin" when held several ways.
std::string describe_held(const std::vector<HeldLevel>& held) {
  std::string out;
  for (const auto& h : held) {
    if (!out.empty()) out += "; ";
    out += h.level;
    if (!h.via.empty() && h.via != "direct") out += " (via " + h.via + ")";
  }
  return out;
}

bool direct(const HeldLevel& h) { return h.via.empty() || h.via == "direct"; }
bool through_everyone(const HeldLevel& h) { return starts_with(h.via, kViaEveryone); }

// `*` matches any run of characters; everything else literally.
bool glob_match(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::vector<std::string> level_list(std::string_view spec) {
  std::vector<std::string> out;
  for (std::string_view l : policy::allowed_levels(spec)) out.emplace_back(l);
  return out;
}

std::string join_list(const std::vector<std::string>& items, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < max; ++i) {
    if (!out.empty()) out += ", ";
    out += items[i];
  }
  if (items.size() > max) out += ", and " + std::to_string(items.size() - max) + " more";
  return out;
}

}  // namespace

struct DriftEngine::SystemRun {
  const config::SystemConfig* config = nullptr;
  std::size_t index = 0;  // in the desired state
  store::SnapshotInfo info;
  reports::SnapshotRef snapshot;
  std::vector<Account> accounts;
  std::vector<Match> matches;
  std::unordered_set<std::string> privileged;
  std::vector<std::uint32_t> first;  // person -> their first active account, or kNone
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> more;  // person -> further ones
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> inactive;  // person -> suspended/disabled accounts
  std::unordered_set<std::uint32_t> ambiguous_people;
  std::vector<std::uint8_t> held;  // per desired entry of the system
  std::unordered_map<std::uint32_t, std::vector<std::uint8_t>> service_held;
  std::vector<std::uint32_t> grants;  // per account
  std::vector<HeldLevel> group;       // (level, via) of the current group
  const std::unordered_map<std::string, std::vector<std::pair<std::uint32_t, std::uint32_t>>>* sod = nullptr;
  // What everyone in the system may hold (policy baselines), and whether the platform's own
  // grants to everyone count as part of it.
  std::vector<const policy::BaselineEntry*> baseline;
  bool platform_defaults = true;
  // Accepted nestings: "<containing>\x1f<reached>".
  std::unordered_set<std::string> accepted_nesting;
  struct Reach {
    std::vector<std::uint32_t> accounts;  // active accounts reached
    std::set<std::string> levels;
    std::string via;                      // everyone: kViaEveryone or kViaEveryoneDefault
  };
  std::map<std::string, Reach> everyone;                             // entitlement -> reach
  std::map<std::pair<std::string, std::string>, Reach> nested;       // (containing, reached) -> reach
  std::int64_t unmatched = 0;  // accounts whose identity the platform hides, matched to nobody
};

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
  st.status = "complete";

  SystemRun run;
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
  if (auto r = diff(run); !r) return r.context("system " + quote(system.name));
  st.unmatched = run.unmatched;
  checked_snapshots_[system.name] = "#" + std::to_string(snap.id) + " " + format_iso8601(snap.finished_at) +
                                    " " + snap.digest;
  return st;
}

Result<void> DriftEngine::diff(SystemRun& run) {
  Stopwatch watch(CLOCK_THREAD_CPUTIME_ID);
  const store::SnapshotInfo& info = run.info;
  RC_ASSIGN(run.accounts, snapshots_.accounts(info));
  RC_ASSIGN(auto entitlements, snapshots_.entitlements(info));
  for (const auto& e : entitlements) {
    if (e.privileged) run.privileged.insert(e.id);
  }
  const std::size_t people = roster_.people.size();
  run.first.assign(people, kNone);
  run.matches.resize(run.accounts.size());
  run.grants.assign(run.accounts.size(), 0);
  for (std::size_t i = 0; i < run.accounts.size(); ++i) {
    const Account& a = run.accounts[i];
    RC_ASSIGN(run.matches[i], matcher_.match(run.config->name, a));
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
  // Grants arrive ordered by (account, entitlement): one group per (account, entitlement),
  // compared when the next group starts, so no snapshot is ever held whole in memory.
  std::size_t cur = 0;
  bool open = false;
  std::string entitlement;
  auto streamed = snapshots_.for_each_grant(info, [&](const Grant& g) -> Result<void> {
    if (open && (g.account_id != run.accounts[cur].id || g.entitlement_id != entitlement)) {
      flush_group(run, cur, entitlement);
      open = false;
    }
    if (!open) {
      while (cur < run.accounts.size() && run.accounts[cur].id < g.account_id) ++cur;
      if (cur == run.accounts.size() || run.accounts[cur].id != g.account_id) {
        return fail("snapshot #" + std::to_string(info.id) + ": a grant names account " +
                    quote(g.account_id) + ", which the snapshot does not hold");
      }
      entitlement = g.entitlement_id;
      run.group.clear();
      open = true;
    }
    run.group.push_back({g.level, g.via});
    ++run.grants[cur];
    return {};
  });
  if (!streamed) return streamed;
  if (open) flush_group(run, cur, entitlement);
  for (std::size_t i = 0; i < run.accounts.size(); ++i) {
    if (run.accounts[i].status != AccountStatus::active) continue;
    check_orphan(run, i);
    check_terminated(run, i);
    check_service_owner(run, i);
    check_dormant(run, i);
  }
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

const std::string* DriftEngine::desired_level(SystemRun& run, const Match& m, const std::string& entitlement,
                                              bool mark_held, std::string* why, std::string* owner) const {
  if (m.kind == MatchKind::person) {
    const std::uint32_t id = desired_.entitlements.find(entitlement);
    if (id == StringPool::kNone) return nullptr;
    auto [begin, end] = desired_.of(run.index, m.index);
    for (const DesiredEntry* e = begin; e != end; ++e) {
      if (e->entitlement != id) continue;
      if (mark_held) run.held[static_cast<std::size_t>(e - desired_.system(run.index).entries.data())] = 1;
      if (why) *why = desired_.texts.str(e->provenance);
      if (owner) *owner = desired_.texts.str(e->owner);
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
      if (owner) *owner = sa.policy_owner;
      return &grants[j].level;
    }
  }
  return nullptr;
}

void DriftEngine::flush_group(SystemRun& run, std::size_t account, const std::string& entitlement) {
  const Account& a = run.accounts[account];
  const Match& m = run.matches[account];
  if (a.status != AccountStatus::active) return;
  if (m.kind == MatchKind::person && run.sod) {
    auto it = run.sod->find(entitlement);
    if (it != run.sod->end()) {
      for (auto [rule, member] : it->second) sod_held_[m.index].push_back({rule, member, account_name(a)});
    }
  }

  // A grant to everyone is judged once for the system (check_everyone), never per account.
  std::vector<HeldLevel> own;
  for (const HeldLevel& h : run.group) {
    if (!through_everyone(h)) {
      own.push_back(h);
      continue;
    }
    auto& reach = run.everyone[entitlement];
    if (reach.accounts.empty() || reach.accounts.back() != account) reach.accounts.push_back(static_cast<std::uint32_t>(account));
    reach.levels.insert(h.level);
    if (reach.via.empty() || h.via == kViaEveryone) reach.via = h.via;
  }

  if (m.kind != MatchKind::person && m.kind != MatchKind::service) return;  // reported once, not per grant
  if (m.kind == MatchKind::person && terminated(roster_.people[m.index])) return;  // terminated_active covers it

  // What the owner should hold: the entitlement's desired level(s) and why, or nothing.
  std::string why, owner;
  const std::string* want = desired_level(run, m, entitlement, true, &why, &owner);
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

  reports::Finding f = account_finding(run, account);
  f.entitlement_id = entitlement;
  f.facts.held = own;
  f.actual = describe_held(own);
  const std::string who = account_name(a);
  if (want != nullptr) {
    const bool in_policy = std::all_of(own.begin(), own.end(), [&](const HeldLevel& h) {
      return policy::level_allowed(*want, h.level);
    });
    if (in_policy) return;
    f.expected = policy::describe_levels(*want);
    f.facts.allowed_levels = level_list(*want);
    if (!owner.empty()) f.owner = owner;
    f.message = who + " holds " + entitlement + " as " + f.actual + "; policy grants " + f.expected;
    for (auto& line : lines_of(why)) f.evidence.policy.push_back(std::move(line));
    sink_.add(Kind::privilege_mismatch, std::move(f), {a.email});
    return;
  }

  const std::uint32_t id = desired_.entitlements.find(entitlement);
  const bool privileged = run.privileged.count(entitlement) != 0 ||
                          (id != StringPool::kNone && desired_.system(run.index).privileged.count(id) != 0);
  if (std::none_of(own.begin(), own.end(), direct)) {
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
  f.expected = "no access";
  f.message = who + " holds " + entitlement + " as " + f.actual + ", which no policy grants";
  if (m.kind == MatchKind::person) {
    const std::string& roles = desired_.roles_of(m.index);
    f.evidence.policy.push_back(roles.empty() ? "no role assigned" : "roles: " + roles);
  }
  f.facts.privileged = privileged;
  sink_.add(Kind::unauthorized_access, std::move(f), {a.email});
}

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
  const auto& sa = policy_.service_accounts()[m.index];
  std::string problem;
  if (sa.owner.empty()) {
    problem = "no owner";
  } else if (std::int64_t owner = matcher_.find_person(sa.owner); owner < 0) {
    problem = "owner " + sa.owner + " is not in the roster";
  } else if (terminated(roster_.people[static_cast<std::size_t>(owner)])) {
    problem = "owner " + sa.owner + " is terminated";
  }
  if (problem.empty()) return;
  reports::Finding f = account_finding(run, i);
  f.person_email = sa.owner;
  f.expected = "an owner who is an active person of the roster";
  f.actual = problem;
  f.message = "service account " + account_name(a) + ": " + problem;
  sink_.add(Kind::service_account_owner_invalid, std::move(f), {a.email});
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
  if (now_ - *a.last_login <= std::int64_t{dormant_days} * 86400 || !expected_to_log_in(run.matches[i])) return;
  const std::int64_t days = (now_ - *a.last_login) / 86400;
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
