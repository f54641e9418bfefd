// One scan, end to end: evaluate the policies for every person of the roster, match each
// system's accounts to people, diff desired against the latest snapshots, relate the findings
// to the previous scan, store the scan, and return the Report the writers render. This is what
// `rollcall scan` runs and what bench/scan_bench measures.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "policies/engine/policy.hpp"
#include "reports/report.hpp"
#include "scanner/config/config.hpp"
#include "scanner/core/result.hpp"
#include "scanner/core/time.hpp"
#include "scanner/drift/timing.hpp"
#include "scanner/roster/roster.hpp"
#include "scanner/store/sqlite.hpp"

namespace rollcall::drift {

struct ScanInputs {
  const config::WorkspaceConfig& config;
  const roster::Roster& roster;
  policy::PolicyEngine& policy;
  store::Database& db;
  const Clock& clock;
  std::string tool_version;
  int trend_points = 30;  // earlier scans in the report's trend
  // Threads checking systems in parallel (each with its own database connection); 0: one per
  // core, at most 4. One thread when the database is in memory or the policies have a match
  // hook (the Lua engine is single-threaded). The findings do not depend on it.
  int workers = 0;
  // Reuse the previous scan's result for systems whose inputs did not change (see scan.cpp);
  // false checks every system. The findings do not depend on it.
  bool reuse = true;
  // false: compute the findings without storing a scan or relating them to the previous one
  // (every finding is then new or excepted); `policy diff` runs the scan this way twice.
  bool record = true;
  // Told what the scan is doing as each phase starts ("evaluating the policies for 100,000
  // people"), on the calling thread, for a progress line; may be empty.
  std::function<void(const std::string&)> progress;
};

struct Phase {
  std::string name;
  Duration time;
};

struct ScanOutcome {
  reports::Report report;
  std::vector<Phase> phases;  // in order: policy evaluation, matching, diff, reused results, history
  int workers = 1;            // threads that checked systems
  std::vector<std::string> reused;  // systems whose previous result was reused, in configuration order
};

// Runs the scan and stores it (unless `record` is false). Fails on invalid policy settings or mapping file, a policy
// runtime error, or a store error, with the context of what was being done; nothing is stored
// then. Incomplete systems are not errors: they are system_incomplete findings.
Result<ScanOutcome> run_scan(const ScanInputs& in);

}  // namespace rollcall::drift
