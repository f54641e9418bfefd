// Report writer benchmark: a generated Report of N findings (default 100k) over 20 systems,
// shaped like a real scan (64-hex fingerprints, one-sentence messages, role-chain evidence,
// ~5% excepted, 2% resolved, 30 scans of trend), written as HTML and CSV. Prints wall and CPU
// time, file size and peak memory per format; asserts nothing.
//
//   build/bench/report_bench [findings] [outdir]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "bench/measure.hpp"
#include "reports/writers.hpp"
#include "scanner/core/digest.hpp"

using namespace rollcall;
using namespace rollcall::reports;

using namespace rollcall::bench;

namespace {

struct KindShare {
  const char* kind;
  Severity severity;
  int percent;
};

constexpr KindShare kKinds[] = {
    {"unauthorized_access", Severity::high, 38},  {"missing_access", Severity::medium, 30},
    {"dormant_account", Severity::low, 10},       {"privilege_mismatch", Severity::high, 8},
    {"orphan_account", Severity::high, 5},        {"terminated_active", Severity::critical, 3},
    {"duplicate_account", Severity::medium, 3},   {"sod_violation", Severity::high, 2},
    {"exception_expired", Severity::medium, 1},
};

Finding make_finding(long i, const std::vector<SystemStatus>& systems) {
  int pick = static_cast<int>(i % 100);
  const KindShare* k = &kKinds[0];
  for (const KindShare& share : kKinds) {
    if (pick < share.percent) {
      k = &share;
      break;
    }
    pick -= share.percent;
  }
  const SystemStatus& sys = systems[static_cast<std::size_t>(i % 20)];
  const long person = (i * 7919) % 100000;
  Finding f;
  f.kind = k->kind;
  f.severity = k->severity;
  f.status = i % 20 == 0 ? FindingStatus::excepted : i % 3 ? FindingStatus::persisting : FindingStatus::new_;
  f.system = sys.name;
  f.account_id = "u-" + std::to_string(person);
  f.account_login = "user" + std::to_string(person);
  if (f.kind != "orphan_account") {
    f.person_email = "first" + std::to_string(person) + ".last@acme.com";
    f.person_name = "First" + std::to_string(person) + " Last";
  }
  f.entitlement_id = "team:team-" + std::to_string(i % 400);
  f.expected = f.kind == "missing_access" ? "member" : "absent";
  f.actual = f.kind == "missing_access" ? "absent" : "member";
  f.fingerprint = sha256_hex(f.kind + f.system + f.account_id + f.entitlement_id);
  f.message = f.account_login + " in " + f.system + ": " + f.kind + " on " + f.entitlement_id;
  f.first_seen = 1790000000 + (i % 90) * 86400;
  f.evidence.roster_row = "roster.csv:" + std::to_string(person + 2);
  f.evidence.policy = {"role \"role-" + std::to_string(i % 50) + "\" <- policies/team-" +
                           std::to_string(i % 12) + ".lua:" + std::to_string(3 + i % 40),
                       "assign <- policies/assign.lua:12"};
  f.evidence.snapshot = sys.snapshot;
  if (f.status == FindingStatus::excepted) {
    f.evidence.exception_ticket = "SEC-" + std::to_string(i % 900);
    f.evidence.exception_expires = 1798675200;
    f.evidence.exception_reason = "approved temporary access";
    f.evidence.exception_source = "policies/exceptions.lua:" + std::to_string(1 + i % 300);
  }
  if (f.kind == "dormant_account") f.evidence.extra["last_login"] = "2026-03-01T08:00:00Z";
  return f;
}

Report make_report(long findings) {
  Report r;
  r.tool_version = "0.1.0";
  r.scan_id = 30;
  r.started_at = 1790600000;
  r.finished_at = 1790600090;
  r.workspace = "/srv/acme";
  r.roster_digest = sha256_hex("roster");
  r.policy_digest = sha256_hex("policy");
  r.people = 100000;
  for (int s = 0; s < 20; ++s) {
    std::string name = "system-" + std::to_string(s);
    r.systems.push_back({name, "file", "complete", SnapshotRef{100 + s, 1790590000, sha256_hex(name)},
                         "", 100000, 500, 250000});
  }
  for (long i = 0; i < findings; ++i) {
    Finding f = make_finding(i, r.systems);
    if (f.status == FindingStatus::excepted) {
      ++r.summary.excepted;
    } else {
      ++r.summary.open;
      ++(f.status == FindingStatus::new_ ? r.summary.new_ : r.summary.persisting);
      ++r.summary.by_severity[std::string(to_string(f.severity))];
      ++r.summary.by_kind[f.kind];
      ++r.summary.by_system[f.system];
    }
    r.findings.push_back(std::move(f));
  }
  for (long i = 0; i < findings / 50; ++i) r.resolved.push_back(make_finding(findings + i, r.systems));
  r.summary.resolved = static_cast<std::int64_t>(r.resolved.size());
  for (int t = 0; t < 30; ++t) {
    TrendPoint p{1 + t, 1788000000 + t * 86400, {}};
    for (const auto& [sev, n] : r.summary.by_severity) p.by_severity[sev] = n * (60 + t) / 90;
    r.trend.push_back(p);
  }
  return r;
}

bool run(const char* what, Result<void> (*write)(const Report&, const std::filesystem::path&),
         const Report& report, const std::filesystem::path& path) {
  double t0 = now_s(), c0 = cpu_s();
  auto written = write(report, path);
  double t1 = now_s(), c1 = cpu_s();
  if (!written.ok()) {
    std::fprintf(stderr, "report_bench: %s\n", written.error().message().c_str());
    return false;
  }
  std::printf("%-5s %6.2f s wall  %6.2f s cpu  %6.1f MiB  peak RSS %ld MiB  %s\n", what, t1 - t0,
              c1 - c0, static_cast<double>(std::filesystem::file_size(path)) / (1024.0 * 1024.0),
              peak_rss_mib(), path.c_str());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  long findings = argc > 1 ? std::atol(argv[1]) : 100000;
  std::filesystem::path dir = argc > 2 ? argv[2] : std::filesystem::temp_directory_path() / "rollcall-report-bench";
  std::filesystem::create_directories(dir);
  double t0 = now_s();
  Report report = make_report(findings);
  std::printf("report: %ld findings, %zu resolved, %zu systems; built in %.2f s, peak RSS %ld MiB\n",
              findings, report.resolved.size(), report.systems.size(), now_s() - t0, peak_rss_mib());
  bool ok = run("html", write_html, report, dir / "report.html") &&
            run("csv", write_csv, report, dir / "findings.csv");
  return ok ? 0 : 1;
}
