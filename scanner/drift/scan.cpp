#include "scanner/drift/scan.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <limits>
#include <optional>
#include <set>
#include <thread>
#include <tuple>

#include "scanner/drift/desired.hpp"
#include "scanner/drift/engine.hpp"
#include "scanner/drift/findings.hpp"
#include "scanner/drift/history.hpp"
#include "scanner/drift/identity.hpp"
#include "scanner/core/digest.hpp"
#include "scanner/store/scan_store.hpp"
#include "scanner/store/snapshot_store.hpp"

namespace rollcall::drift {
namespace {

// The [match] mapping file, when configured (relative to the workspace).
Result<std::vector<MappingEntry>> configured_mapping(const config::WorkspaceConfig& cfg) {
  auto section = cfg.sections.find("match");
  if (section == cfg.sections.end()) return std::vector<MappingEntry>{};
  auto file = section->second.string("mapping");
  if (!file) return std::vector<MappingEntry>{};
  std::filesystem::path path = *file;
  if (path.is_relative()) path = cfg.dir / path;
  auto entries = load_mapping(path);
  if (!entries) return entries.context(section->second.where("mapping"));
  return entries;
}

// One thread's share of the systems, with everything it needs of its own.
struct Worker {
  std::unique_ptr<store::Database> db;  // null: the caller's connection
  std::optional<store::SnapshotStore> snapshots;
  std::optional<IdentityMatcher> matcher;
  std::optional<FindingSink> sink;
  std::unique_ptr<DriftEngine> engine;
  std::vector<std::size_t> systems;  // indexes into the configured systems
};

int worker_count(const ScanInputs& in) {
  // An in-memory database cannot be shared between connections; the Lua engine behind a match
  // hook is single-threaded.
  if (in.db.path() == ":memory:" || in.policy.has_match_hooks()) return 1;
  if (in.workers > 0) return in.workers;
  return std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 4);
}

// Systems (by index) per worker: the biggest first, each to the least loaded worker. At most
// one worker per system, at least one worker.
std::vector<std::vector<std::size_t>> spread(const std::vector<std::int64_t>& sizes, int workers) {
  const auto n = static_cast<std::size_t>(std::max(1, std::min(workers, static_cast<int>(sizes.size()))));
  std::vector<std::size_t> order(sizes.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return sizes[a] > sizes[b]; });
  std::vector<std::vector<std::size_t>> shares(n);
  std::vector<std::int64_t> load(n, 0);
  for (std::size_t i : order) {
    auto w = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    shares[w].push_back(i);
    load[w] += sizes[i] + 1;
  }
  return shares;
}

// What check_all learns of one system.
struct Checked {
  std::optional<reports::SystemStatus> status;
  std::optional<DriftEngine::Reusable> reusable;
};

// Checks every worker's systems, one thread per worker (the caller's thread is the first).
// Returns the results by configured system (unset for systems no worker had), or the first error.
Result<std::vector<Checked>> check_all(std::vector<Worker>& pool, const std::vector<config::SystemConfig>& systems) {
  std::vector<Checked> checked(systems.size());
  std::vector<std::optional<Error>> errors(pool.size());
  auto work = [&](std::size_t w) {
    for (std::size_t i : pool[w].systems) {
      auto status = pool[w].engine->check_system(systems[i]);
      if (!status) {
        errors[w] = status.error();
        return;
      }
      checked[i].status = std::move(*status);
      checked[i].reusable = pool[w].engine->reusable();
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t w = 1; w < pool.size(); ++w) threads.emplace_back(work, w);
  work(0);
  for (auto& t : threads) t.join();
  for (auto& e : errors) {
    if (e) return fail(*e);
  }
  return checked;
}

// ---- Reusing a system's result from the previous scan ----
//
// A system's findings depend on the tool, the roster, the policies, the mapping, the system's
// configuration, its latest snapshot, and the clock. The first five and the snapshot are
// digested (system_inputs); the clock is a time window, [scan time, valid_until), within which
// no clock test of the check flips (DriftEngine::Reusable, global_valid_until). A system whose
// digest equals the previous scan's, scanned inside that window, gets the previous scan's
// findings and state back instead of being checked again.

// Length-prefixed fields, so no two different sequences digest alike.
void add_field(Sha256& sha, std::string_view v) {
  sha.update(std::to_string(v.size()));
  sha.update(":");
  sha.update(v);
}

// What every system's check reads besides its own configuration and snapshot. The roster's
// order is included: a registry roster's digest ignores it, but the stored SoD holds name people
// by their position.
std::string common_inputs(const ScanInputs& in, const std::vector<MappingEntry>& mapping) {
  Sha256 sha;
  auto field = [&](std::string_view v) { add_field(sha, v); };
  field(in.tool_version);
  field(in.roster.digest);
  field(in.roster.source);
  field(in.roster.path.filename().string());
  for (const auto& p : in.roster.people) field(p.email);
  field(in.policy.digest());
  for (const auto& m : mapping) {
    field(m.system);
    field(m.account);
    field(m.email);
    field(m.where);
  }
  return sha.hex();
}

std::string system_inputs(const std::string& common, const config::SystemConfig& system,
                          const std::optional<store::SnapshotInfo>& latest) {
  Sha256 sha;
  auto field = [&](std::string_view v) { add_field(sha, v); };
  field(common);
  field("system");
  field(system.name);
  field(system.type);
  field(system.owner);
  field(system.max_snapshot_age_s ? std::to_string(*system.max_snapshot_age_s) : "-");
  if (latest) {
    field(std::to_string(latest->id));
    field(std::to_string(latest->data_id));
    field(to_string(latest->status));
    field(std::to_string(latest->finished_at));
    field(latest->digest);
  }
  return sha.hex();
}

// The first time after `now` at which a clock test outside the per-system checks flips: an
// exception or a service account registration expiring; `now` (never reused) when the
// policies read the exact time.
UnixTime global_valid_until(const policy::PolicyEngine& policy, UnixTime now) {
  if (policy.read_exact_time()) return now;
  UnixTime until = std::numeric_limits<UnixTime>::max();
  auto expiry = [&](UnixTime expires) {
    if (expires != 0 && expires + 1 > now) until = std::min(until, expires + 1);
  };
  for (const auto& x : policy.exceptions()) expiry(x.expires);
  for (const auto& sa : policy.service_accounts()) expiry(sa.expires.value_or(0));
  return until;
}

using Json = nlohmann::json;

std::string state_json(const reports::SystemStatus& s, const DriftEngine::Reusable& r) {
  Json j{{"name", s.name},          {"type", s.type},         {"status", s.status},
         {"error", s.error},        {"accounts", s.accounts}, {"entitlements", s.entitlements},
         {"grants", s.grants},      {"unmatched", s.unmatched}};
  if (s.snapshot) j["snapshot"] = {s.snapshot->id, s.snapshot->taken_at, s.snapshot->digest};
  Json sod = Json::array();
  for (const auto& h : r.sod) sod.push_back({h.person, h.rule, h.member, h.account});
  j["sod"] = std::move(sod);
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// The state back from state_json; nullopt when it is not what this version writes (the system
// is then checked again).
std::optional<std::pair<reports::SystemStatus, DriftEngine::Reusable>> parse_state(const store::SystemRecord& r) {
  Json j = Json::parse(r.state_json, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  try {
    reports::SystemStatus s;
    s.name = j.at("name").get<std::string>();
    s.type = j.at("type").get<std::string>();
    s.status = j.at("status").get<std::string>();
    s.error = j.at("error").get<std::string>();
    s.accounts = j.at("accounts").get<std::int64_t>();
    s.entitlements = j.at("entitlements").get<std::int64_t>();
    s.grants = j.at("grants").get<std::int64_t>();
    s.unmatched = j.at("unmatched").get<std::int64_t>();
    if (j.contains("snapshot")) {
      const Json& snap = j.at("snapshot");
      s.snapshot = reports::SnapshotRef{snap.at(0).get<std::int64_t>(), snap.at(1).get<UnixTime>(),
                                        snap.at(2).get<std::string>()};
    }
    DriftEngine::Reusable reusable;
    reusable.valid_until = r.valid_until;
    for (const Json& h : j.at("sod")) {
      reusable.sod.push_back({h.at(0).get<std::uint32_t>(), h.at(1).get<std::uint32_t>(),
                              h.at(2).get<std::uint32_t>(), h.at(3).get<std::string>()});
    }
    return std::make_pair(std::move(s), std::move(reusable));
  } catch (const Json::exception&) {
    return std::nullopt;
  }
}

// Kinds decided across systems after every system is checked: never reused, always recomputed.
bool cross_system(std::string_view kind) {
  return kind == to_string(Kind::sod_violation) || kind == to_string(Kind::exception_expired);
}

}  // namespace

Result<ScanOutcome> run_scan(const ScanInputs& in) {
  ScanOutcome out;
  reports::Report& report = out.report;
  const UnixTime now = in.clock.now();
  report.tool_version = in.tool_version;
  report.started_at = now;
  report.workspace = in.config.dir.lexically_normal().string();
  if (report.workspace.size() > 1 && report.workspace.back() == '/') report.workspace.pop_back();
  report.roster_digest = in.roster.digest;
  report.policy_digest = in.policy.digest();
  report.people = static_cast<std::int64_t>(in.roster.people.size());

  RC_ASSIGN(auto mapping, configured_mapping(in.config));
  RC_ASSIGN(IdentityMatcher matcher, IdentityMatcher::create(in.roster, in.policy, mapping, now));
  RC_ASSIGN(FindingSink sink, FindingSink::create(in.policy, matcher.email_rules(), now));

  Stopwatch watch;
  store::SnapshotStore snapshots(in.db);
  store::ScanStore scans(in.db);
  const std::size_t n = in.config.systems.size();
  std::vector<std::optional<store::SnapshotInfo>> latest(n);
  std::vector<std::string> inputs(n);
  const std::string common = common_inputs(in, mapping);
  for (std::size_t i = 0; i < n; ++i) {
    RC_ASSIGN(latest[i], snapshots.latest(in.config.systems[i].name));
    inputs[i] = system_inputs(common, in.config.systems[i], latest[i]);
  }

  // Systems whose result the previous scan left for reuse.
  std::vector<std::optional<std::pair<reports::SystemStatus, DriftEngine::Reusable>>> reused(n);
  std::int64_t previous_scan = 0;
  if (in.reuse) {
    RC_ASSIGN(auto last, scans.latest());
    if (last && last->started_at <= now) {
      RC_ASSIGN(auto records, scans.systems(last->id));
      std::map<std::string, const store::SystemRecord*> by_name;
      for (const auto& r : records) by_name[r.system] = &r;
      for (std::size_t i = 0; i < n; ++i) {
        auto it = by_name.find(in.config.systems[i].name);
        if (it == by_name.end() || it->second->inputs != inputs[i] || now >= it->second->valid_until) continue;
        reused[i] = parse_state(*it->second);
        if (reused[i]) previous_scan = last->id;
      }
    }
  }
  std::vector<std::size_t> to_check;
  for (std::size_t i = 0; i < n; ++i) {
    if (!reused[i]) to_check.push_back(i);
  }

  // The desired state is needed only by systems that are checked.
  std::vector<std::string> names;
  for (const auto& s : in.config.systems) names.push_back(s.name);
  auto say = [&](const std::string& what) {
    if (in.progress) in.progress(what);
  };
  DesiredState desired;
  if (!to_check.empty()) {
    say("evaluating the policies for " + std::to_string(in.roster.people.size()) + " people");
    RC_ASSIGN(desired, DesiredState::evaluate(in.roster, in.policy, names));
  }
  out.phases.push_back({"policy evaluation", watch.lap()});

  // Systems are independent until the SoD check: they are spread over workers, each with its
  // own database connection, matcher and sink, and merged into the first worker afterwards.
  std::vector<std::int64_t> sizes;
  for (std::size_t i : to_check) sizes.push_back(latest[i] ? latest[i]->accounts + latest[i]->grants : 0);
  auto shares = spread(sizes, worker_count(in));
  for (auto& share : shares) {
    for (auto& k : share) k = to_check[k];
  }
  out.workers = static_cast<int>(shares.size());
  std::vector<Worker> pool(shares.size());
  for (std::size_t w = 0; w < pool.size(); ++w) {
    Worker& k = pool[w];
    if (w > 0) {
      auto db = store::Database::open(in.db.path());
      if (!db) return db.context("opening another connection for a parallel scan");
      k.db = std::move(*db);
    }
    k.snapshots.emplace(k.db ? *k.db : in.db);
    k.matcher.emplace(matcher);
    k.sink.emplace(sink);
    k.engine = std::make_unique<DriftEngine>(in.roster, in.policy, desired, *k.matcher, *k.sink, *k.snapshots, now);
    k.systems = shares[w];
  }
  say("checking " + std::to_string(to_check.size()) + " of " + std::to_string(n) + " systems on " +
      std::to_string(pool.size()) + (pool.size() == 1 ? " thread" : " threads"));
  RC_ASSIGN(auto checked, check_all(pool, in.config.systems));
  DriftEngine& engine = *pool[0].engine;
  FindingSink& all = *pool[0].sink;
  for (std::size_t w = 1; w < pool.size(); ++w) {
    engine.absorb(*pool[w].engine);
    auto& more = pool[w].sink->findings();
    all.findings().insert(all.findings().end(), std::make_move_iterator(more.begin()),
                          std::make_move_iterator(more.end()));
  }

  // Reused systems: their findings as the previous scan stored them, back to what the checks
  // would have produced (history relates them to the previous scan again below).
  watch.lap();
  if (previous_scan != 0) {
    std::set<std::string> names_reused;
    for (std::size_t i = 0; i < n; ++i) {
      if (!reused[i]) continue;
      names_reused.insert(in.config.systems[i].name);
      out.reused.push_back(in.config.systems[i].name);
      engine.reuse(reused[i]->first, reused[i]->second);
    }
    RC_ASSIGN(auto records, scans.findings(previous_scan));
    for (const auto& r : records) {
      if (!names_reused.count(r.system) || cross_system(r.kind) || r.status == "resolved" || r.status == "carried") continue;
      RC_ASSIGN(reports::Finding f, from_record(r));
      if (f.status != reports::FindingStatus::excepted) f.status = reports::FindingStatus::new_;
      f.first_seen = 0;
      all.findings().push_back(std::move(f));
    }
  }

  const Duration reuse_time = watch.lap();

  // What the next scan may reuse: every complete system, checked now or reused.
  const UnixTime global_until = global_valid_until(in.policy, now);
  std::vector<store::SystemRecord> reusable;
  std::set<std::string> incomplete;
  for (std::size_t i = 0; i < n; ++i) {
    reports::SystemStatus status;
    if (reused[i]) {
      status = reused[i]->first;
      reusable.push_back({status.name, inputs[i], reused[i]->second.valid_until, state_json(status, reused[i]->second)});
    } else {
      status = std::move(*checked[i].status);
      if (checked[i].reusable && status.status == "complete") {
        const UnixTime until = std::min(checked[i].reusable->valid_until, global_until);
        reusable.push_back({status.name, inputs[i], until, state_json(status, *checked[i].reusable)});
      }
    }
    if (status.status != "complete") incomplete.insert(status.name);
    report.systems.push_back(std::move(status));
  }
  engine.check_sod();
  all.add_expired_exceptions(
      [&](const policy::ExceptionRule& x, reports::Finding& f) { engine.resolve_exception(x, f); });
  std::sort(report.systems.begin(), report.systems.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  report.findings = std::move(all.findings());
  report.credentials = std::move(engine.credentials());
  std::sort(report.credentials.begin(), report.credentials.end(), [](const auto& a, const auto& b) {
    return std::tie(a.system, a.account_id, a.id) < std::tie(b.system, b.account_id, b.id);
  });
  watch.lap();
  out.phases.push_back({"matching", engine.match_time()});
  out.phases.push_back({"diff", engine.diff_time()});
  out.phases.push_back({"reused results", reuse_time});

  report.finished_at = in.clock.now();
  if (!in.record) return out;
  say("recording " + std::to_string(report.findings.size()) + " findings in the history");
  RC_TRY(record_scan(scans, report, incomplete, in.trend_points, reusable));
  out.phases.push_back({"history", watch.lap()});
  return out;
}

}  // namespace rollcall::drift
