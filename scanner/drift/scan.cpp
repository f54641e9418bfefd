#include "scanner/drift/scan.hpp"

#include <chrono>
#include <set>

#include "scanner/drift/desired.hpp"
#include "scanner/drift/engine.hpp"
#include "scanner/drift/findings.hpp"
#include "scanner/drift/history.hpp"
#include "scanner/drift/identity.hpp"
#include "scanner/store/scan_store.hpp"
#include "scanner/store/snapshot_store.hpp"

namespace rollcall::drift {
namespace {

class Stopwatch {
 public:
  double lap() {
    auto now = std::chrono::steady_clock::now();
    double s = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    return s;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

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

  store::SnapshotStore snapshots(in.db);
  DriftEngine engine(in.roster, in.policy, desired, matcher, sink, snapshots, now);
  std::set<std::string> incomplete;
  for (const auto& system : in.config.systems) {
    RC_ASSIGN(reports::SystemStatus status, engine.check_system(system));
    if (status.status != "complete") incomplete.insert(status.name);
    report.systems.push_back(std::move(status));
  }
  engine.check_sod();
  sink.add_expired_exceptions();
  std::sort(report.systems.begin(), report.systems.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  report.findings = std::move(sink.findings());
  watch.lap();
  out.phases.push_back({"matching", engine.match_seconds()});
  out.phases.push_back({"diff", engine.diff_seconds()});

  report.finished_at = in.clock.now();
  store::ScanStore scans(in.db);
  RC_TRY(record_scan(scans, report, incomplete, in.trend_points));
  out.phases.push_back({"history", watch.lap()});
  return out;
}

}  // namespace rollcall::drift
