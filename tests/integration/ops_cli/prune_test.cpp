// Retention through the binary: `rollcall prune --keep 90d` removes the scans and snapshots older
// than the window that nothing kept needs (an old snapshot whose data later unchanged snapshots
// share stays), compacts the store, and history, diff, scan and plan keep working.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "tests/support/cli_run.hpp"
#include "tests/support/temp_dir.hpp"

using rollcall::testing::run_rollcall;
using rollcall::testing::TempDir;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

struct Workspace {
  TempDir dir;
  std::string ws;
  Workspace() {
    rollcall::testing::copy_acme(dir / "ws");
    std::filesystem::remove(dir / "ws" / "rollcall.db");
    ws = "--workspace " + (dir / "ws").string();
  }
  rollcall::testing::CliRun at(const std::string& when, const std::string& args) const {
    return run_rollcall(dir, ws + " " + args, "ROLLCALL_NOW=" + when);
  }
  void snapshot_and_scan(const std::string& when) const {
    auto s = at(when, "-q snapshot");
    INFO(s.err);
    REQUIRE(s.exit_code == 0);
    auto c = at(when, "-q scan --format json --fail-on error");
    INFO(c.err);
    REQUIRE(c.exit_code == 0);
  }
};

}  // namespace

TEST_CASE("prune: old scans and unneeded snapshots go; history, diff, scan and plan keep working",
          "[cli][prune][store]") {
  Workspace w;
  w.snapshot_and_scan("2026-08-01T06:00:00Z");  // scan #1, snapshots #1-#5
  // netsuite changes: its August snapshot (#5) is then needed by nothing after scan #1.
  {
    const auto path = w.dir / "ws" / "exports" / "netsuite.json";
    std::string text = rollcall::testing::read_file(path);
    const std::string from = "\"Emma Jones\"";
    REQUIRE(text.find(from) != std::string::npos);
    text.replace(text.find(from), from.size(), "\"Emma J. Jones\"");
    std::ofstream(path, std::ios::trunc) << text;
  }
  w.snapshot_and_scan("2026-11-20T06:00:00Z");  // scan #2: four unchanged (data of #1-#4), netsuite new
  w.snapshot_and_scan("2026-12-10T06:00:00Z");  // scan #3

  auto dry = w.at("2026-12-10T07:00:00Z", "prune --keep 90d --dry-run");
  INFO(dry.out << dry.err);
  REQUIRE(dry.exit_code == 0);
  CHECK(has(dry.out, "Would remove 1 scan(s) ("));
  CHECK_FALSE(has(dry.out, ") and 0 snapshot(s) ("));  // at least netsuite's August snapshot
  CHECK(has(dry.out, "older than 2026-09-11T07:00:00Z"));
  CHECK(has(w.at("2026-12-10T07:00:00Z", "history --scans").out, "\n#1 "));  // nothing removed yet

  auto pruned = w.at("2026-12-10T07:00:00Z", "prune --keep 90d");
  INFO(pruned.out << pruned.err);
  REQUIRE(pruned.exit_code == 0);
  CHECK(has(pruned.out, "Removed 1 scan(s) ("));
  CHECK(has(pruned.out, "; database "));

  auto scans = w.at("2026-12-10T07:00:00Z", "history --scans");
  CHECK_FALSE(has(scans.out, "\n#1 "));
  CHECK(has(scans.out, "\n#2 "));
  CHECK(has(scans.out, "\n#3 "));
  auto netsuite = w.at("2026-12-10T07:00:00Z", "history --system netsuite");
  CHECK_FALSE(has(netsuite.out, "\n#5 "));
  // github's August snapshot holds the data its later, unchanged snapshots point to: kept.
  auto github = w.at("2026-12-10T07:00:00Z", "history --system github");
  CHECK(has(github.out, "\n#1 "));

  auto diff = w.at("2026-12-10T07:00:00Z", "diff 2 3");
  INFO(diff.err);
  CHECK(diff.exit_code == 0);
  CHECK(has(diff.out, "Scan #2 -> #3: "));
  CHECK(w.at("2026-12-10T07:00:00Z", "diff 1 2").exit_code == 1);

  // The kept snapshots still load: a new scan finds what scan #3 found.
  auto again = w.at("2026-12-10T08:00:00Z", "scan --format json --fail-on error");
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK(has(again.out, "Scan #4: "));
  auto plan = w.at("2026-12-10T08:00:00Z", "plan --out " + (w.dir / "p.json").string());
  CHECK(plan.exit_code != 1);

  auto twice = w.at("2026-12-10T08:00:00Z", "prune --keep 90d");
  CHECK(has(twice.out, "Removed 0 scan(s) (0 findings) and 0 snapshot(s) (0 grants)"));
}

TEST_CASE("prune: a bad --keep is refused before anything is touched", "[cli][prune]") {
  Workspace w;
  auto r = w.at("2026-12-10T07:00:00Z", "prune --keep 90days");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::StartsWith("rollcall: error: --keep: "));
  auto missing = w.at("2026-12-10T07:00:00Z", "prune");
  CHECK(missing.exit_code == 1);
  CHECK(has(missing.err, "--keep is required"));
  CHECK_FALSE(std::filesystem::exists(w.dir / "ws" / "rollcall.db"));
}
