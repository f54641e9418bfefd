// End-to-end tests of `rollcall scan`, `rollcall diff` and `rollcall history --scans` through the
// rollcall executable, on copies of examples/acme with the clock pinned by ROLLCALL_NOW. The
// acme report is pinned by a golden file; regenerate it after an intended change with
//   ROLLCALL_UPDATE_GOLDEN=1 build/tests/integration/scan/test_scan_cli
// and review the diff like code.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/support/cli_run.hpp"
#include "tests/support/temp_dir.hpp"

using rollcall::testing::read_file;
using rollcall::testing::source_dir;
using rollcall::testing::TempDir;
using Json = nlohmann::ordered_json;
namespace fs = std::filesystem;

namespace {

constexpr const char* kDay1 = "2026-12-10T06:00:00Z";
constexpr const char* kDay2 = "2026-12-11T06:00:00Z";
constexpr const char* kDay3 = "2026-12-12T06:00:00Z";

using Run = rollcall::testing::CliRun;

// Runs `rollcall --workspace <dir>/ws <args>` at time `now`.
Run run_cli(const TempDir& dir, const char* now, const std::string& args) {
  return rollcall::testing::run_rollcall(dir, "--workspace " + (dir / "ws").string() + " " + args,
                                         std::string("ROLLCALL_NOW=") + now);
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A copy of examples/acme in <dir>/ws.
void copy_acme(const TempDir& dir) {
  const fs::path src = source_dir() / "examples" / "acme";
  fs::create_directories(dir / "ws");
  for (const char* name : {"exports", "policies", "roster.csv", "rollcall.toml"}) {
    fs::copy(src / name, dir / "ws" / name, fs::copy_options::recursive);
  }
}

// A sixth system whose export breaks off in the middle, as a connector that dies mid-read
// would: its snapshot is partial, and the scan must say so instead of reporting drift.
void add_broken_system(const TempDir& dir) {
  std::ofstream(dir / "ws" / "rollcall.toml", std::ios::app)
      << "\n[[system]]\nname = \"legacy-erp\"\ntype = \"file\"\npath = \"exports/legacy-erp.json\"\n";
  std::ofstream(dir / "ws" / "exports" / "legacy-erp.json")
      << "{\n  \"accounts\": [\n    { \"id\": \"erp-001\", \"email\": \"maria.garcia@acme.com\" },\n"
         "    { \"id\": \"erp-002\", \"email\": \"raj.patel@acme.com\" },\n    { \"id\": \"erp-0";
}

Json read_json(const fs::path& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  return Json::parse(in);
}

// What varies between machines and releases but is not the point of the golden file: the
// workspace path, the tool version, content digests (they change with any byte of the example).
Json normalized(Json report, const fs::path& workspace) {
  report["tool"]["version"] = "<version>";
  REQUIRE(report["scan"]["workspace"] == workspace.string());
  report["scan"]["workspace"] = "<workspace>";
  report["scan"]["roster_digest"] = "<digest>";
  report["scan"]["policy_digest"] = "<digest>";
  auto snapshot = [](Json& s) {
    if (s.is_object() && !s["digest"].get<std::string>().empty()) s["digest"] = "<digest>";
  };
  for (auto& s : report["systems"]) snapshot(s["snapshot"]);
  for (const char* list : {"findings", "resolved"}) {
    for (auto& f : report[list]) {
      snapshot(f["evidence"]["snapshot"]);
      // Cross-system findings name each snapshot as a fact: "#5 2026-12-10T06:00:00Z <digest>".
      for (auto& [key, value] : f["evidence"]["facts"].items()) {
        std::string text = value.get<std::string>();
        if (key.rfind("snapshot ", 0) == 0) value = text.substr(0, text.rfind(' ') + 1) + "<digest>";
      }
    }
  }
  return report;
}

std::set<std::string> kinds(const Json& report, const char* status = nullptr) {
  std::set<std::string> out;
  for (const auto& f : report["findings"]) {
    if (status == nullptr || f["status"] == status) out.insert(f["kind"].get<std::string>());
  }
  return out;
}

const Json* finding(const Json& list, const std::string& kind, const std::string& system, const std::string& account) {
  for (const auto& f : list) {
    if (f["kind"] == kind && f["system"] == system && f["account_id"] == account) return &f;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("scan: the acme example reports every finding kind, pinned by a golden file", "[integration][scan]") {
  TempDir dir;
  copy_acme(dir);
  add_broken_system(dir);
  Run snap = run_cli(dir, kDay1, "snapshot");
  CHECK(snap.exit_code == 1);  // legacy-erp could not be read completely
  CHECK(contains(snap.err, "legacy-erp.json:5:19: unexpected end of input in a string"));

  Run scan = run_cli(dir, kDay1, "scan --fail-on critical --out " + (dir / "out").string());
  INFO(scan.err);
  CHECK(scan.exit_code == 2);
  CHECK(contains(scan.out, "Scan #1: 14 people, 6 systems (1 incomplete), "));
  CHECK(contains(scan.out, "  legacy-erp  partial   1      0         0     0       0    0     1\n"));
  CHECK(contains(scan.out, "Reports in " + (dir / "out").string() + ": report.json, report.html, report.csv"));
  for (const char* file : {"report.json", "report.html", "report.csv"}) CHECK(fs::exists(dir / "out" / file));

  const Json report = normalized(read_json(dir / "out" / "report.json"), dir / "ws");
  CHECK(report["schema"] == "rollcall.report/v1");
  CHECK(kinds(report) == std::set<std::string>{"terminated_active", "unauthorized_access", "privilege_mismatch",
                                               "orphan_account", "sod_violation", "service_account_owner_invalid",
                                               "duplicate_account", "missing_access", "exception_expired",
                                               "dormant_account", "system_incomplete"});
  CHECK(kinds(report, "excepted") == std::set<std::string>{"orphan_account", "unauthorized_access"});

  const fs::path golden = source_dir() / "tests/integration/scan/golden/acme-report.json";
  const std::string actual = report.dump(2) + "\n";
  if (std::getenv("ROLLCALL_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden) << actual;
    WARN("rewrote " << golden.string());
  }
  const fs::path mismatch = dir / "acme-report.actual.json";
  std::ofstream(mismatch) << actual;
  INFO("compare: diff " << golden.string() << " " << mismatch.string());
  CHECK(actual == read_file(golden));
}

TEST_CASE("scan: history across days: persisting, resolved, carried while a system is down", "[integration][scan]") {
  TempDir dir;
  copy_acme(dir);
  REQUIRE(run_cli(dir, kDay1, "-q snapshot").exit_code == 0);
  Run one = run_cli(dir, kDay1, "-q scan --fail-on none");
  REQUIRE(one.exit_code == 0);  // --fail-on none: findings alone do not fail the command
  CHECK(one.out.empty());
  const Json first = read_json(dir / "ws" / "reports" / "report.json");
  const std::size_t slack_findings = std::count_if(first["findings"].begin(), first["findings"].end(),
                                                   [](const Json& f) { return f["system"] == "slack"; });
  REQUIRE(slack_findings > 0);

  // Day 2: Tom Becker's GitHub account is removed; Slack's export cannot be read.
  Json github = read_json(dir / "ws" / "exports" / "github.json");
  auto& accounts = github["accounts"];
  accounts.erase(std::remove_if(accounts.begin(), accounts.end(), [](const Json& a) { return a["id"] == "tbecker"; }),
                 accounts.end());
  auto& grants = github["grants"];
  grants.erase(std::remove_if(grants.begin(), grants.end(), [](const Json& g) { return g["account"] == "tbecker"; }),
               grants.end());
  std::ofstream(dir / "ws" / "exports" / "github.json") << github.dump(2);
  fs::remove(dir / "ws" / "exports" / "slack.json");
  CHECK(run_cli(dir, kDay2, "-q snapshot").exit_code == 1);
  Run two = run_cli(dir, kDay2, "-q scan --fail-on error");
  CHECK(two.exit_code == 2);  // system_incomplete has severity error
  const Json second = read_json(dir / "ws" / "reports" / "report.json");
  CHECK(second["scan"]["id"] == 2);

  REQUIRE(second["resolved"].size() == 1);
  CHECK(second["resolved"][0]["kind"] == "terminated_active");
  CHECK(second["resolved"][0]["account_id"] == "tbecker");
  CHECK(second["resolved"][0]["status"] == "resolved");
  CHECK(second["resolved"][0]["first_seen"] == kDay1);
  const Json* down = finding(second["findings"], "system_incomplete", "slack", "");
  REQUIRE(down != nullptr);
  CHECK((*down)["status"] == "new");
  CHECK((*down)["evidence"]["facts"]["carried_findings"] == std::to_string(slack_findings));
  for (const auto& f : second["findings"]) {
    const bool from_slack = f["system"] == "slack";
    CHECK((!from_slack || f["kind"] == "system_incomplete"));
    if (f["kind"] == "system_incomplete" || f["status"] == "excepted") continue;
    CHECK(f["status"] == "persisting");
    CHECK(f["first_seen"] == kDay1);
  }
  CHECK(second["summary"]["new"] == 1);
  CHECK(second["summary"]["resolved"] == 1);

  Run diff = run_cli(dir, kDay2, "diff 1 2");
  REQUIRE(diff.exit_code == 0);
  CHECK(contains(diff.out, "Scan #1 -> #2: 1 new, 1 resolved\n"));
  CHECK(contains(diff.out, "+  error     system_incomplete  slack"));
  CHECK(contains(diff.out, "-  critical  terminated_active  github  tbecker  tom.becker@acme.com  -"));

  // Day 3: Slack is back. Its findings were carried, so they persist with their first-seen date.
  fs::copy(source_dir() / "examples/acme/exports/slack.json", dir / "ws" / "exports" / "slack.json");
  REQUIRE(run_cli(dir, kDay3, "-q snapshot").exit_code == 0);
  REQUIRE(run_cli(dir, kDay3, "-q scan --fail-on none").exit_code == 0);
  const Json third = read_json(dir / "ws" / "reports" / "report.json");
  const Json* back = finding(third["findings"], "privilege_mismatch", "slack", "U01MGARCIA");
  REQUIRE(back != nullptr);
  CHECK((*back)["status"] == "persisting");
  CHECK((*back)["first_seen"] == kDay1);
  REQUIRE(third["resolved"].size() == 1);
  CHECK(third["resolved"][0]["kind"] == "system_incomplete");
  CHECK(third["trend"].size() == 3);

  Run scans = run_cli(dir, kDay3, "history --scans");
  REQUIRE(scans.exit_code == 0);
  CHECK(contains(scans.out, "ID  STARTED               OPEN"));
  CHECK(contains(scans.out, "#3  2026-12-12T06:00:00Z"));
  CHECK(contains(scans.out, "#1  2026-12-10T06:00:00Z"));
}

TEST_CASE("scan: exit codes: 0, 1 on bad input, 2 at or above --fail-on; excepted findings never fail", "[integration][scan]") {
  TempDir dir;
  fs::create_directories(dir / "ws" / "policies");
  std::ofstream(dir / "ws" / "rollcall.toml")
      << "[roster]\npath = \"roster.csv\"\n\n[[system]]\nname = \"app\"\ntype = \"file\"\npath = \"app.json\"\n";
  std::ofstream(dir / "ws" / "roster.csv") << "email,name,role\nann@acme.com,Ann,\n";
  std::ofstream(dir / "ws" / "app.json")
      << R"({"accounts": [{"id": "ann", "email": "ann@acme.com"}, {"id": "ghost"}], "grants": []})";
  std::ofstream(dir / "ws" / "policies" / "main.lua")
      << "exception { system = \"app\", account = \"ghost\", expires = \"2027-01-31\", ticket = \"T-1\" }\n";
  REQUIRE(run_cli(dir, kDay1, "-q snapshot").exit_code == 0);

  CHECK(run_cli(dir, kDay1, "-q scan --fail-on high").exit_code == 0);  // the orphan is excepted
  CHECK(run_cli(dir, kDay1, "-q scan --fail-on info").exit_code == 0);
  std::ofstream(dir / "ws" / "policies" / "main.lua") << "-- no exception any more\n";
  CHECK(run_cli(dir, kDay1, "-q scan --fail-on none").exit_code == 0);
  CHECK(run_cli(dir, kDay1, "-q scan --fail-on critical").exit_code == 0);
  CHECK(run_cli(dir, kDay1, "-q scan --fail-on high").exit_code == 2);
  // The default is high, like oscap and Powerpipe; a quiet failing scan says so in one line.
  Run quiet = run_cli(dir, kDay1, "-q scan");
  CHECK(quiet.exit_code == 2);
  CHECK(quiet.out.empty());
  CHECK(std::count(quiet.err.begin(), quiet.err.end(), '\n') == 1);
  CHECK(contains(quiet.err, "rollcall: error: scan #"));
  CHECK(contains(quiet.err, ": 1 open finding(s) at or above high (1 open in all); reports in "));

  Run bad = run_cli(dir, kDay1, "scan --fail-on severe");
  CHECK(bad.exit_code == 1);
  CHECK(bad.err ==
        "rollcall: error: --fail-on: \"severe\" is not one of info, low, medium, high, critical, error, none\n");
  bad = run_cli(dir, kDay1, "scan --format json,pdf");
  CHECK(bad.exit_code == 1);
  CHECK(bad.err == "rollcall: error: --format: unknown report format \"pdf\" (json, html, csv or sarif)\n");
  bad = run_cli(dir, kDay1, "diff 1 7");
  CHECK(bad.exit_code == 1);
  CHECK(bad.err == "rollcall: error: no scan #7 (`rollcall history --scans` lists them)\n");
}

TEST_CASE("scan: terminal output never carries control characters from a target system", "[integration][scan]") {
  TempDir dir;
  fs::create_directories(dir / "ws" / "policies");
  std::ofstream(dir / "ws" / "rollcall.toml")
      << "[roster]\npath = \"roster.csv\"\n\n[[system]]\nname = \"app\"\ntype = \"file\"\npath = \"app.json\"\n";
  std::ofstream(dir / "ws" / "roster.csv") << "email,name,role\nann@acme.com,Ann,\n";
  std::ofstream(dir / "ws" / "app.json") << R"({"accounts": [{"id": "evil\u001b[2J\u001b]0;pwned\u0007"}]})";
  REQUIRE(run_cli(dir, kDay1, "-q snapshot").exit_code == 0);
  Run scan = run_cli(dir, kDay1, "scan --fail-on none --format json");
  REQUIRE(scan.exit_code == 0);
  CHECK(contains(scan.out, "account evil?[2J?]0;pwned? matches no person"));
  CHECK(scan.out.find('\x1b') == std::string::npos);
  CHECK(scan.out.find('\x07') == std::string::npos);
}

TEST_CASE("scan: the acme example fails by default; plan and a dry run say what they did not judge", "[integration][scan]") {
  TempDir dir;
  copy_acme(dir);
  REQUIRE(run_cli(dir, kDay1, "-q snapshot").exit_code == 0);
  CHECK(run_cli(dir, kDay1, "-q scan").exit_code == 2);  // no --fail-on: high and above fail

  // plan exits 0 on success like terraform; --detailed-exitcode gives 2 for pending changes.
  Run plan = run_cli(dir, kDay1, "plan");
  CHECK(plan.exit_code == 0);
  CHECK(run_cli(dir, kDay1, "plan --detailed-exitcode").exit_code == 2);

  // The shipped example exceeds the blast-radius limits: a dry run still shows every action and
  // what a real apply would refuse, and exits 0.
  Run dry = run_cli(dir, kDay1, "apply --dry-run " + (dir / "ws" / "rollcall.plan.json").string());
  CHECK(dry.exit_code == 0);
  CHECK(contains(dry.out, "Dry run of plan "));
  CHECK(contains(dry.out, "would refuse this plan"));
  CHECK(contains(dry.out, "would change"));

  // A system that was never read is named, with why, and the plan does not exit 0.
  std::ofstream(dir / "ws" / "rollcall.toml", std::ios::app)
      << "\n[[system]]\nname = \"hr-app\"\ntype = \"file\"\npath = \"exports/hr-app.json\"\n";
  REQUIRE(run_cli(dir, kDay1, "-q scan --fail-on none").exit_code == 0);
  Run skipped = run_cli(dir, kDay1, "plan --system hr-app");
  CHECK(skipped.exit_code == 1);
  CHECK(contains(skipped.out, "No changes for the systems the scan judged."));
  CHECK_FALSE(contains(skipped.out, "the systems match"));
  CHECK(contains(skipped.err, "1 selected system(s) not judged, nothing planned for them: hr-app (never read"));
  const Json written = read_json(dir / "ws" / "rollcall.plan.json");
  REQUIRE(written["skipped_systems"].size() == 1);
  CHECK(written["skipped_systems"][0]["system"] == "hr-app");
  CHECK(written["skipped_systems"][0]["status"] == "missing");
}
