#include "scanner/drift/engine.hpp"

#include <algorithm>
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
std::string describe_levels(const std::vector<std::pair<std::string, std::string>>& held) {
  std::string out;
  for (const auto& [level, via] : held) {
    if (!out.empty()) out += "; ";
    out += level;
    if (!via.empty() && via != "direct") out += " (via " + via + ")";
  }
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
  std::vector<std::uint8_t> inactive;  // person has a suspended or disabled account
  std::unordered_set<std::uint32_t> ambiguous_people;
  std::vector<std::uint8_t> held;  // per desired entry of the system
  std::unordered_map<std::uint32_t, std::vector<std::uint8_t>> service_held;
  std::vector<std::uint32_t> grants;  // per account
  std::vector<std::pair<std::string, std::string>> group;  // (level, via) of the current group
  const std::unordered_map<std::string, std::vector<std::pair<std::uint32_t, std::uint32_t>>>* sod = nullptr;
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
  if (auto r = diff(run); !r) return r.context("system " + quote(system.name));
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
  run.inactive.assign(people, 0);
  run.matches.resize(run.accounts.size());
  run.grants.assign(run.accounts.size(), 0);
  for (std::size_t i = 0; i < run.accounts.size(); ++i) {
    const Account& a = run.accounts[i];
    RC_ASSIGN(run.matches[i], matcher_.match(run.config->name, a));
    const Match& m = run.matches[i];
    const bool active = a.status == AccountStatus::active;
    if (m.kind == MatchKind::person) {
      if (!active) run.inactive[m.index] = 1;
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
    run.group.emplace_back(g.level, g.via);
    ++run.grants[cur];
    return {};
  });
  if (!streamed) return streamed;
  if (open) flush_group(run, cur, entitlement);
  account_findings(run);
  missing_findings(run);
  diff_time_ += watch.lap();
  return {};
}

reports::Finding DriftEngine::person_finding(const SystemRun& run, std::uint32_t person) const {
  const roster::Person& p = roster_.people[person];
  reports::Finding f;
  f.system = run.config->name;
  f.person_email = p.email;
  f.person_name = p.name;
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
  }
  return f;
}

const std::string* DriftEngine::desired_level(SystemRun& run, const Match& m, const std::string& entitlement,
                                              bool mark_held, std::string* why) const {
  if (m.kind == MatchKind::person) {
    const std::uint32_t id = desired_.entitlements.find(entitlement);
    if (id == StringPool::kNone) return nullptr;
    auto [begin, end] = desired_.of(run.index, m.index);
    for (const DesiredEntry* e = begin; e != end; ++e) {
      if (e->entitlement != id) continue;
      if (mark_held) run.held[static_cast<std::size_t>(e - desired_.system(run.index).entries.data())] = 1;
      if (why) *why = desired_.texts.str(e->provenance);
      return &desired_.levels.str(e->level);
    }
  } else if (m.kind == MatchKind::service) {
    const auto& grants = policy_.service_accounts()[m.index].entitlements;
    for (std::size_t j = 0; j < grants.size(); ++j) {
      if (grants[j].entitlement_id != entitlement) continue;
      if (mark_held) {
        auto& held = run.service_held[m.index];
        held.resize(grants.size(), 0);
        held[j] = 1;
      }
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

  if (m.kind != MatchKind::person && m.kind != MatchKind::service) return;  // reported once, not per grant
  if (m.kind == MatchKind::person && terminated(roster_.people[m.index])) return;  // terminated_active covers it

  // What the owner should hold: the entitlement's desired level and why, or nothing.
  std::string why;
  const std::string* want = desired_level(run, m, entitlement, true, &why);
  if (want == nullptr) {
    // Inherited through an entitlement the owner should hold (a desired group or role): implied
    // by that grant, not a separate one. Inherited through anything else: judged like a grant.
    for (const auto& [level, via] : run.group) {
      if (via != "direct" && !via.empty() && desired_level(run, m, via, false, nullptr) != nullptr) return;
    }
  }

  const bool wrong_level = want != nullptr && std::any_of(run.group.begin(), run.group.end(),
                                                          [&](const auto& g) { return g.first != *want; });
  if (want != nullptr && !wrong_level) return;
  reports::Finding f = account_finding(run, account);
  f.entitlement_id = entitlement;
  f.actual = describe_levels(run.group);
  const std::string who = account_name(a);
  if (want == nullptr) {
    f.expected = "no access";
    f.message = who + " holds " + entitlement + " as " + f.actual + ", which no policy grants";
    if (m.kind == MatchKind::person) {
      const std::string& roles = desired_.roles_of(m.index);
      f.evidence.policy.push_back(roles.empty() ? "no role assigned" : "roles: " + roles);
    }
    const std::uint32_t id = desired_.entitlements.find(entitlement);
    const bool privileged = run.privileged.count(entitlement) != 0 ||
                            (id != StringPool::kNone && desired_.system(run.index).privileged.count(id) != 0);
    if (privileged) f.evidence.extra["privileged"] = "true";
    sink_.add(Kind::unauthorized_access, std::move(f), {a.email}, privileged);
  } else {
    f.expected = *want;
    f.message = who + " holds " + entitlement + " as " + f.actual + "; policy grants " + *want;
    for (auto& line : lines_of(why)) f.evidence.policy.push_back(std::move(line));
    sink_.add(Kind::privilege_mismatch, std::move(f), {a.email});
  }
}

void DriftEngine::account_findings(SystemRun& run) {
  const int dormant_days = policy_.settings().dormant_days;
  for (std::size_t i = 0; i < run.accounts.size(); ++i) {
    const Account& a = run.accounts[i];
    const Match& m = run.matches[i];
    if (a.status != AccountStatus::active) continue;
    const std::string who = account_name(a);
    const std::string grants = std::to_string(run.grants[i]);

    if (m.kind == MatchKind::none || m.kind == MatchKind::ambiguous) {
      reports::Finding f = account_finding(run, i);
      f.expected = "an owner: a person of the roster or a registered service account";
      f.evidence.extra["grants"] = grants;
      f.evidence.extra["account_kind"] = std::string(to_string(a.kind));
      if (!a.email.empty()) f.evidence.extra["account_email"] = a.email;
      if (!a.display_name.empty()) f.evidence.extra["display_name"] = a.display_name;
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
        f.message = "account " + who + " matches " + std::to_string(m.candidates.size()) +
                    " people (" + names + "); map it explicitly in the [match] mapping file";
      }
      sink_.add(Kind::orphan_account, std::move(f), {a.email});
      continue;
    }

    if (m.kind == MatchKind::person && terminated(roster_.people[m.index])) {
      const roster::Person& p = roster_.people[m.index];
      reports::Finding f = account_finding(run, i);
      f.expected = "account disabled or removed";
      f.actual = "active, " + grants + " grant(s)";
      f.evidence.extra["person_status"] = std::string(roster::to_string(p.status));
      if (p.end_date) f.evidence.extra["end_date"] = format_date(*p.end_date);
      const std::string since_when = p.end_date ? " since " + format_date(*p.end_date) : "";
      f.message = (p.name.empty() ? p.email : p.name) + " is terminated" + since_when + " but account " +
                  who + " is still active";
      sink_.add(Kind::terminated_active, std::move(f), {a.email});
      continue;
    }

    if (m.kind == MatchKind::service) {
      const auto& sa = policy_.service_accounts()[m.index];
      std::string problem;
      if (sa.owner.empty()) {
        problem = "no owner";
      } else if (std::int64_t owner = matcher_.find_person(sa.owner); owner < 0) {
        problem = "owner " + sa.owner + " is not in the roster";
      } else if (terminated(roster_.people[static_cast<std::size_t>(owner)])) {
        problem = "owner " + sa.owner + " is terminated";
      }
      if (!problem.empty()) {
        reports::Finding f = account_finding(run, i);
        f.person_email = sa.owner;
        f.expected = "an owner who is an active person of the roster";
        f.actual = problem;
        f.message = "service account " + who + ": " + problem;
        sink_.add(Kind::service_account_owner_invalid, std::move(f), {a.email});
      }
    }

    if (dormant_days > 0 && a.last_login && now_ - *a.last_login > std::int64_t{dormant_days} * 86400) {
      const std::int64_t days = (now_ - *a.last_login) / 86400;
      reports::Finding f = account_finding(run, i);
      f.expected = "a login within " + std::to_string(dormant_days) + " days";
      f.actual = "last login " + format_date(*a.last_login) + " (" + std::to_string(days) + " days ago)";
      f.evidence.extra["last_login"] = format_iso8601(*a.last_login);
      f.evidence.extra["dormant_days"] = std::to_string(dormant_days);
      f.message = "account " + who + " has not logged in for " + std::to_string(days) + " days";
      sink_.add(Kind::dormant_account, std::move(f), {a.email});
    }
  }

  for (const auto& [person, extra] : run.more) {
    const roster::Person& p = roster_.people[person];
    if (terminated(p)) continue;
    std::string names = account_name(run.accounts[run.first[person]]);
    for (std::uint32_t i : extra) names += ", " + account_name(run.accounts[i]);
    reports::Finding f = person_finding(run, person);
    f.expected = "one account";
    f.actual = std::to_string(extra.size() + 1) + " active accounts: " + names;
    f.evidence.extra["accounts"] = names;
    f.message = (p.name.empty() ? p.email : p.name) + " has " + std::to_string(extra.size() + 1) +
                " active accounts in " + run.config->name + ": " + names;
    sink_.add(Kind::duplicate_account, std::move(f));
  }
}

void DriftEngine::missing_findings(SystemRun& run) {
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
      const auto count = static_cast<std::size_t>(end - begin);
      if (count > kMaxListed) wanted += ", and " + std::to_string(count - kMaxListed) + " more";
      f.expected = "an active account with " + std::to_string(count) + " entitlement(s): " + wanted;
      f.actual = run.inactive[person] ? "no active account (only suspended or disabled ones)" : "no account";
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
      f.entitlement_id = desired_.entitlements.str(e->entitlement);
      f.expected = desired_.levels.str(e->level);
      f.actual = "absent";
      f.evidence.policy = lines_of(desired_.texts.str(e->provenance));
      f.message = name + " lacks " + f.entitlement_id + " (" + f.expected + ") in " + run.config->name;
      sink_.add(Kind::missing_access, std::move(f));
    }
  }

  // Registered service accounts present in this system but lacking what they are registered for.
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
      f.expected = sa.entitlements[j].level;
      f.actual = "absent";
      f.message = "service account " + account_name(run.accounts[i]) + " lacks " + f.entitlement_id +
                  " (" + f.expected + ")";
      sink_.add(Kind::missing_access, std::move(f), {run.accounts[i].email});
    }
  }
}

void DriftEngine::absorb(DriftEngine& other) {
  for (auto& [person, holds] : other.sod_held_) {
    auto& mine = sod_held_[person];
    mine.insert(mine.end(), std::make_move_iterator(holds.begin()), std::make_move_iterator(holds.end()));
  }
  other.sod_held_.clear();
  checked_snapshots_.merge(other.checked_snapshots_);
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
      sink_.add(Kind::sod_violation, std::move(f));
    }
  }
}

}  // namespace rollcall::drift
