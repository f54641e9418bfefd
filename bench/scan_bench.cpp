// Scan benchmark: a generated workspace (default 100k people, 20 systems, ~5M grants, ~2% drift)
// scanned end to end as `rollcall scan` does it: roster, policy load and evaluation (Lua),
// matching, diff, history, then the JSON, HTML and CSV reports. Prints the time of each phase
// and the peak memory of the scan; asserts nothing.
//
//   build/bench/scan_bench [--people N] [--systems N] [--factor F] [--runs N] [--rescans 0|1] [--dir DIR]
//
// --runs full scans (every system checked), then, unless --rescans 0, a rescan with nothing
// changed and a rescan after a new snapshot of one system, both reusing what they can.
// --factor multiplies the entitlements each role grants (F=2: ~10M grants) to check that time
// grows linearly. The workspace is generated in a child process, so the peak memory printed is
// the scan's alone. With --dir the workspace is kept and reused by the next run.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "bench/measure.hpp"
#include "connectors/api/connector.hpp"
#include "policies/engine/policy.hpp"
#include "reports/output.hpp"
#include "scanner/drift/scan.hpp"
#include "scanner/roster/roster.hpp"
#include "scanner/store/snapshot_store.hpp"

using namespace rollcall;

using namespace rollcall::bench;

namespace {

constexpr UnixTime kDay = 86400;

struct Params {
  long people = 100'000;
  int systems = 20;
  int factor = 1;
  int runs = 2;
  bool rescans = true;  // after the full scans: a rescan with nothing changed, one with one system changed
  std::filesystem::path dir;
  bool keep = false;
};

std::uint64_t mix(std::uint64_t x) {  // splitmix64: deterministic "random" drift
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
bool chance(std::uint64_t key, int per_10000) { return mix(key) % 10000 < static_cast<std::uint64_t>(per_10000); }

std::string sys_name(int s) {
  char b[16];
  std::snprintf(b, sizeof b, "sys%02d", s);
  return b;
}

constexpr int kDepartments = 10;
constexpr int kTeams = 100;
constexpr int kTeamSystems = 10;

int dept(long i) { return static_cast<int>(i % kDepartments); }
int team(long i) { return static_cast<int>((i / kDepartments) % kTeams); }

// Entitlements of a role in one system: departments grant 2*factor per system in every system,
// teams factor per system in 10 systems. 50*factor desired grants per person with 20 systems.
std::vector<std::string> dept_entitlements(int dept, int factor) {
  std::vector<std::string> out;
  for (int k = 0; k < 2 * factor; ++k) out.push_back("group:d" + std::to_string(dept) + "-" + std::to_string(k));
  return out;
}
std::vector<std::string> team_entitlements(int team, int system, int systems, int factor) {
  std::vector<std::string> out;
  if ((system - team % systems + systems) % systems >= kTeamSystems) return out;
  for (int k = 0; k < factor; ++k) out.push_back("team:t" + std::to_string(team) + "-" + std::to_string(k));
  return out;
}

// Writes the snapshot of system `s`, taken at `at`. `variant` > 0 changes a few grants (the
// "one system changed" rescan). Returns the number of grants.
Result<std::int64_t> write_system(store::Database& db, const Params& p, int s, UnixTime at, int variant) {
  store::SnapshotStore snapshots(db);
  const UnixTime now = at + 60;
  std::int64_t total = 0;
  RC_ASSIGN(auto w, snapshots.begin(sys_name(s), "file", at - 540));
  Account a;
  Grant g;
  for (long i = 0; i < p.people; ++i) {
    const std::uint64_t key = (static_cast<std::uint64_t>(i) << 8) | static_cast<std::uint64_t>(s);
    a.id = "u" + std::to_string(i);
    a.login = a.id;
    a.email = "p" + std::to_string(i) + "@bench.example";
    a.display_name = "Person " + std::to_string(i);
    a.last_login = chance(key * 3 + 2, 20) ? now - 200 * kDay : now - kDay;  // 0.2% dormant
    RC_TRY(w->account(a));
    g.account_id = a.id;
    std::vector<std::string> ents = dept_entitlements(dept(i), p.factor);
    for (auto& e : team_entitlements(team(i), s, p.systems, p.factor)) ents.push_back(std::move(e));
    for (std::size_t k = 0; k < ents.size(); ++k) {
      const std::uint64_t gk = key * 131 + k;
      if (chance(gk * 5 + 3, 100)) continue;                               // 1% missing
      if (variant > 0 && chance(gk * 17 + static_cast<std::uint64_t>(variant), 10)) continue;  // 0.1% more
      g.entitlement_id = ents[k];
      g.level = chance(gk * 11 + 4, 50) ? "admin" : "member";              // 0.5% wrong level
      RC_TRY(w->grant(g));
      ++total;
      if (chance(gk * 13 + 5, 50)) {                                       // 0.5% unauthorized
        g.entitlement_id = "group:extra-" + std::to_string(mix(gk) % 500);
        g.level = "member";
        RC_TRY(w->grant(g));
        ++total;
      }
    }
    if (s == 0 && chance(static_cast<std::uint64_t>(i) * 17 + 6, 5)) {   // 0.05% duplicate accounts
      a.id = "u" + std::to_string(i) + "-alt";
      a.login = a.id;
      RC_TRY(w->account(a));
    }
  }
  for (long o = 0; o < p.people / 1000; ++o) {                               // 0.1% orphans
    a.id = "orphan" + std::to_string(o);
    a.login = a.id;
    a.email = "contractor" + std::to_string(o) + "@elsewhere.example";
    RC_TRY(w->account(a));
    g.account_id = a.id;
    g.entitlement_id = "group:d0-0";
    g.level = "member";
    RC_TRY(w->grant(g));
    ++total;
  }
  RC_ASSIGN(auto info, w->commit(at));
  (void)info;
  return total;
}

Result<void> generate(const Params& p) {
  namespace fs = std::filesystem;
  fs::create_directories(p.dir / "policies");
  {
    std::ofstream toml(p.dir / "rollcall.toml");
    toml << "[roster]\ntype = \"csv\"\npath = \"roster.csv\"\n";
    for (int s = 0; s < p.systems; ++s) {
      toml << "\n[[system]]\nname = \"" << sys_name(s) << "\"\ntype = \"file\"\npath = \"exports/" << sys_name(s)
           << ".json\"\n";
    }
  }
  {
    std::ofstream lua(p.dir / "policies/bench.lua");
    lua << "owner \"team-bench\"\n";
    for (int d = 0; d < kDepartments; ++d) {
      lua << "role \"dept-" << d << "\" {\n";
      for (int s = 0; s < p.systems; ++s) {
        lua << "  " << sys_name(s) << " = {";
        for (const auto& e : dept_entitlements(d, p.factor)) lua << " \"" << e << "\",";
        lua << " },\n";
      }
      lua << "}\n";
    }
    for (int t = 0; t < kTeams; ++t) {
      lua << "role \"team-" << t << "\" {\n";
      for (int s = 0; s < p.systems; ++s) {
        auto ents = team_entitlements(t, s, p.systems, p.factor);
        if (ents.empty()) continue;
        lua << "  " << sys_name(s) << " = {";
        for (const auto& e : ents) lua << " \"" << e << "\",";
        lua << " },\n";
      }
      lua << "}\n";
    }
    lua << "sod { name = \"bench\", \"sys00:group:d0-0\", \"sys01:team:t1-0\" }\n";
    lua << "settings { dormant_days = 90 }\n";
  }
  auto terminated = [](long i) { return chance(i * 7 + 1, 10); };  // 0.1%
  {
    std::ofstream roster(p.dir / "roster.csv");
    roster << "employee_id,email,name,department,title,role,status,manager_email,start_date,end_date\n";
    for (long i = 0; i < p.people; ++i) {
      roster << "E" << i << ",p" << i << "@bench.example,Person " << i << ",Dept " << dept(i) << ",Engineer,dept-"
             << dept(i) << ";team-" << team(i) << "," << (terminated(i) ? "terminated" : "active")
             << ",,2020-01-01,\n";
    }
  }

  auto db = store::Database::open(p.dir / "rollcall.db");
  if (!db) return fail(db.error());
  const UnixTime now = SystemClock().now();
  std::int64_t total = 0;
  for (int s = 0; s < p.systems; ++s) {
    RC_ASSIGN(std::int64_t grants, write_system(**db, p, s, now - 60, 0));
    total += grants;
  }
  std::printf("generated %ld people, %d systems, %lld grants in %s\n", p.people, p.systems,
              static_cast<long long>(total), p.dir.c_str());
  std::ofstream(p.dir / ".generated") << p.people << " " << p.systems << " " << p.factor << "\n";
  return {};
}

void print_phase(const char* what, const drift::Duration& d) {
  std::printf("  %-22s %6.2fs  (CPU %6.2fs)\n", what, d.wall, d.cpu);
}

// One scan as `rollcall scan` runs it; `reuse` lets it reuse unchanged systems of the scan
// before (a rescan), otherwise every system is checked (a full scan).
Result<void> scan(const Params& p, const std::string& label, bool reuse) {
  drift::Stopwatch whole;
  drift::Stopwatch watch;
  auto lap = [&](const char* what) { print_phase(what, watch.lap()); };
  connectors::Registry registry;
  connectors::register_builtin_connectors(registry);
  RC_ASSIGN(config::WorkspaceConfig cfg, config::load_workspace(p.dir, registry.key_lookup(), registry.names()));
  RC_ASSIGN(auto db, store::Database::open(cfg.database));
  RC_ASSIGN(roster::Roster roster, roster::load_roster(cfg.roster));
  std::printf("%s: %zu people\n", label.c_str(), roster.people.size());
  lap("roster");
  std::vector<std::string> systems;
  for (const auto& s : cfg.systems) systems.push_back(s.name);
  SystemClock clock;
  RC_ASSIGN(auto policy, policy::PolicyEngine::load(cfg.policies_dir, cfg.dir, systems, roster, clock.now()));
  lap("policy load");
  drift::ScanInputs inputs{cfg, roster, *policy, *db, clock, "bench"};
  inputs.reuse = reuse;
  RC_ASSIGN(drift::ScanOutcome outcome, drift::run_scan(inputs));
  for (const auto& phase : outcome.phases) print_phase(phase.name.c_str(), phase.time);
  std::printf("  (systems checked by %d threads; %zu of %zu reused)\n", outcome.workers, outcome.reused.size(),
              cfg.systems.size());
  watch.lap();
  const auto& r = outcome.report;
  std::filesystem::create_directories(cfg.reports_dir);
  std::vector<const reports::Format*> all;
  for (const auto& f : reports::formats()) all.push_back(&f);
  RC_TRY(reports::write_reports(r, cfg.reports_dir, all));
  lap("reports json+html+csv");  // as `rollcall scan` writes them
  std::int64_t grants = 0;
  for (const auto& s : r.systems) grants += s.grants;
  print_phase("total", whole.lap());
  std::printf("  %lld grants, %lld findings: %lld new, %lld persisting, %lld resolved; peak RSS %ld MiB\n",
              static_cast<long long>(grants),
              static_cast<long long>(r.findings.size()), static_cast<long long>(r.summary.new_),
              static_cast<long long>(r.summary.persisting), static_cast<long long>(r.summary.resolved),
              peak_rss_mib());
  for (const auto& [kind, n] : r.summary.by_kind) std::printf("    %-30s %lld\n", kind.c_str(), static_cast<long long>(n));
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  Params p;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--people") p.people = std::atol(argv[i + 1]);
    else if (flag == "--systems") p.systems = std::atoi(argv[i + 1]);
    else if (flag == "--factor") p.factor = std::atoi(argv[i + 1]);
    else if (flag == "--runs") p.runs = std::atoi(argv[i + 1]);
    else if (flag == "--dir") p.dir = argv[i + 1], p.keep = true;
    else if (flag == "--rescans") p.rescans = std::atoi(argv[i + 1]) != 0;
    else {
      std::fprintf(stderr, "usage: scan_bench [--people N] [--systems N] [--factor F] [--runs N] [--rescans 0|1] [--dir DIR]\n");
      return 1;
    }
  }
  if (p.dir.empty()) p.dir = std::filesystem::temp_directory_path() / "rollcall-scan-bench";
  const std::string marker = std::to_string(p.people) + " " + std::to_string(p.systems) + " " + std::to_string(p.factor);
  std::ifstream existing(p.dir / ".generated");
  std::string have;
  std::getline(existing, have);
  if (have != marker) {
    std::filesystem::remove_all(p.dir);
    // Generated in a child process, so the peak memory measured below is the scan's alone.
    pid_t child = ::fork();
    if (child == 0) {
      double t = now_s();
      auto r = generate(p);
      if (!r) std::fprintf(stderr, "generate: %s\n", r.error().message().c_str());
      else std::printf("  (setup, not part of the scan: %.1fs)\n", now_s() - t);
      std::fflush(stdout);
      std::_Exit(r ? 0 : 1);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
  }
  auto check = [](const Result<void>& r) {
    if (!r) std::fprintf(stderr, "scan: %s\n", r.error().message().c_str());
    return r.ok();
  };
  for (int run = 1; run <= p.runs; ++run) {
    if (!check(scan(p, "full scan " + std::to_string(run), false))) return 1;
  }
  if (p.rescans) {
    if (!check(scan(p, "rescan, nothing changed", true))) return 1;
    // A new snapshot of one system with 0.1% fewer grants, in a child process so the peak
    // memory printed stays the scan's.
    pid_t child = ::fork();
    if (child == 0) {
      auto db = store::Database::open(p.dir / "rollcall.db");
      Result<std::int64_t> r = db ? write_system(**db, p, p.systems / 2, SystemClock().now() - 30, p.runs)
                                  : Result<std::int64_t>(fail(db.error()));
      if (!r) std::fprintf(stderr, "snapshot: %s\n", r.error().message().c_str());
      std::fflush(stderr);
      std::_Exit(r ? 0 : 1);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
    if (!check(scan(p, "rescan, " + sys_name(p.systems / 2) + " changed", true))) return 1;
  }
  if (!p.keep) std::filesystem::remove_all(p.dir);
  return 0;
}
