#include "scanner/drift/scan.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <thread>
#include <tuple>

#include "scanner/drift/desired.hpp"
#include "scanner/drift/engine.hpp"
#include "scanner/drift/findings.hpp"
#include "scanner/drift/history.hpp"
#include "scanner/drift/identity.hpp"
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

// Checks every worker's systems, one thread per worker (the caller's thread is the first).
// Returns the statuses in configuration order, or the first error.
Result<std::vector<reports::SystemStatus>> check_all(std::vector<Worker>& pool,
                                                     const std::vector<config::SystemConfig>& systems) {
  std::vector<std::optional<reports::SystemStatus>> statuses(systems.size());
  std::vector<std::optional<Error>> errors(pool.size());
  auto work = [&](std::size_t w) {
    for (std::size_t i : pool[w].systems) {
      auto status = pool[w].engine->check_system(systems[i]);
      if (!status) {
        errors[w] = status.error();
        return;
      }
      statuses[i] = std::move(*status);
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t w = 1; w < pool.size(); ++w) threads.emplace_back(work, w);
  work(0);
  for (auto& t : threads) t.join();
  for (auto& e : errors) {
    if (e) return fail(*e);
  }
  std::vector<reports::SystemStatus> out;
  for (auto& s : statuses) out.push_back(std::move(*s));
  return out;
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
  std::vector<std::string> names;
  for (const auto& s : in.config.systems) names.push_back(s.name);
  RC_ASSIGN(DesiredState desired, DesiredState::evaluate(in.roster, in.policy, names));
  out.phases.push_back({"policy evaluation", watch.lap()});

  // Systems are independent until the SoD check: they are spread over workers, each with its
  // own database connection, matcher and sink, and merged into the first worker afterwards.
  store::SnapshotStore snapshots(in.db);
  std::vector<std::int64_t> sizes;
  for (const auto& system : in.config.systems) {
    RC_ASSIGN(auto latest, snapshots.latest(system.name));
    sizes.push_back(latest ? latest->accounts + latest->grants : 0);
  }
  const auto shares = spread(sizes, worker_count(in));
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
  RC_ASSIGN(auto statuses, check_all(pool, in.config.systems));
  DriftEngine& engine = *pool[0].engine;
  FindingSink& all = *pool[0].sink;
  for (std::size_t w = 1; w < pool.size(); ++w) {
    engine.absorb(*pool[w].engine);
    auto& more = pool[w].sink->findings();
    all.findings().insert(all.findings().end(), std::make_move_iterator(more.begin()),
                          std::make_move_iterator(more.end()));
  }
  std::set<std::string> incomplete;
  for (auto& status : statuses) {
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

  report.finished_at = in.clock.now();
  if (!in.record) return out;
  store::ScanStore scans(in.db);
  RC_TRY(record_scan(scans, report, incomplete, in.trend_points));
  out.phases.push_back({"history", watch.lap()});
  return out;
}

}  // namespace rollcall::drift
