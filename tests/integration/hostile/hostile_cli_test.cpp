// Hostile input end to end (issue 12): stored invalid bytes, read-only workspaces, a config
// that is a folder, leftover report temp files, a full disk.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>

#include "scanner/core/utf8.hpp"
#include "scanner/store/sqlite.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/temp_dir.hpp"

using rollcall::testing::CliRun;
using rollcall::testing::read_file;
using rollcall::testing::TempDir;
namespace fs = std::filesystem;

namespace {

CliRun run_cli(const TempDir& dir, const std::string& args, const std::string& prefix = "") {
  return rollcall::testing::run_shell(dir, prefix + ROLLCALL_BINARY + " --workspace " + (dir / "ws").string() + " " +
                                               args + " </dev/null");
}

// A scanned copy of examples/acme.
void acme(const TempDir& dir) {
  const fs::path src = rollcall::testing::source_dir() / "examples" / "acme";
  fs::create_directories(dir / "ws");
  for (const char* name : {"exports", "policies", "roster.csv", "rollcall.toml"}) {
    fs::copy(src / name, dir / "ws" / name, fs::copy_options::recursive);
  }
  REQUIRE(run_cli(dir, "-q snapshot").exit_code == 0);
  REQUIRE(run_cli(dir, "-q scan --fail-on none").exit_code == 0);
}

}  // namespace

TEST_CASE("hostile cli: invalid bytes already in the database never make scan, plan or the reports abort", "[integration][hostile]") {
  TempDir dir;
  acme(dir);
  {
    // Data stored before the UTF-8 check at entry existed (or written by another tool).
    auto db = rollcall::store::Database::open(dir / "ws" / "rollcall.db");
    REQUIRE(db.ok());
    REQUIRE((*db)->exec("UPDATE account SET login = CAST(X'736b68616eff' AS TEXT), "
                        "display_name = CAST(X'53c0af' AS TEXT) WHERE account_id = 'skhan'").ok());
  }
  CliRun scan = run_cli(dir, "scan");
  INFO(scan.err);
  CHECK(scan.exit_code != -1);
  for (const char* report : {"report.json", "report.html", "report.csv"}) {
    INFO(report);
    const std::string text = read_file(dir / "ws" / "reports" / report);
    CHECK_FALSE(text.empty());
    CHECK(rollcall::is_valid_utf8(text));
  }
  CliRun plan = run_cli(dir, "plan --detailed-exitcode");
  INFO(plan.err);
  CHECK(plan.exit_code == 2);  // changes pending: it did not abort (exit 134 / signal)
  CHECK(rollcall::is_valid_utf8(read_file(dir / "ws" / "rollcall.plan.json")));
  CHECK(plan.out.find("  - revoke github skhan") != std::string::npos);
  CHECK(plan.out.find(" repo:payments (write)\n") != std::string::npos);
  CHECK(run_cli(dir, "history --scans").exit_code == 0);
}

TEST_CASE("hostile cli: read-only commands work in a workspace folder that is not writable", "[integration][hostile]") {
  TempDir dir;
  acme(dir);
  // As root, permissions do not stop writes: run the command as nobody instead.
  const std::string as = ::geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
  fs::permissions(dir.path(), fs::perms(0755));  // nobody must be able to reach the workspace
  for (const auto& e : fs::recursive_directory_iterator(dir / "ws")) {
    fs::permissions(e.path(), e.is_directory() ? fs::perms(0555) : fs::perms(0444));
  }
  fs::permissions(dir / "ws", fs::perms(0555));
  CliRun history = run_cli(dir, "history", as);
  fs::permissions(dir / "ws", fs::perms(0755));
  INFO(history.err);
  CHECK(history.exit_code == 0);
  CHECK(history.out.find("github") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "ws" / "rollcall.db-wal"));

  // Look-alike: a command that writes still says it cannot.
  fs::permissions(dir / "ws", fs::perms(0555));
  CliRun snapshot = run_cli(dir, "snapshot", as);
  fs::permissions(dir / "ws", fs::perms(0755));
  CHECK(snapshot.exit_code == 1);
}

TEST_CASE("hostile cli: rollcall.toml being a folder says so", "[integration][hostile]") {
  TempDir dir;
  fs::create_directories(dir / "ws" / "rollcall.toml");
  CliRun r = run_cli(dir, "history");
  CHECK(r.exit_code == 1);
  CHECK(r.err == "rollcall: error: " + (dir / "ws" / "rollcall.toml").string() + ": is a folder, not a file\n");
}

TEST_CASE("hostile cli: reports are written as one set, and a killed writer's leftovers are removed", "[integration][hostile]") {
  TempDir dir;
  acme(dir);
  const fs::path reports = dir / "ws" / "reports";
  // A pid that is not running (above the default pid_max of 4194304 is impossible; use a
  // fresh child that has exited).
  const pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  REQUIRE(dead > 0);
  ::waitpid(dead, nullptr, 0);
  const std::string d = std::to_string(dead);
  dir.write("ws/reports/report.json.tmp-" + d + "-0", "partial");
  dir.write("ws/reports/.rollcall-reports.tmp-" + d + "/report.csv", "partial");
  const std::string live = "report.html.tmp-" + std::to_string(::getpid()) + "-0";  // a live writer's
  dir.write("ws/reports/" + live, "in progress");
  CliRun scan = run_cli(dir, "scan");
  INFO(scan.err);
  REQUIRE(scan.exit_code != -1);
  CHECK_FALSE(fs::exists(reports / ("report.json.tmp-" + d + "-0")));
  CHECK_FALSE(fs::exists(reports / (".rollcall-reports.tmp-" + d)));
  CHECK(fs::exists(reports / live));
  std::size_t entries = 0;
  for (const auto& e : fs::directory_iterator(reports)) entries += e.path().filename().string()[0] == '.' ? 1 : 0;
  CHECK(entries == 0);  // the staging folder of this run is gone too
  // Each report says which scan it shows: scan #2 of this workspace.
  CHECK(read_file(reports / "report.json").find("\"id\": 2") != std::string::npos);
  CHECK(read_file(reports / "report.html").find("scan 2") != std::string::npos);
  const std::string csv = read_file(reports / "report.csv");
  CHECK(csv.find(",2\r\n") != std::string::npos);
}

TEST_CASE("hostile cli: a full disk says disk full", "[integration][hostile]") {
  TempDir dir;
  fs::create_directories(dir / "ws");
  if (::mount("tmpfs", (dir / "ws").c_str(), "tmpfs", 0, "size=256k") != 0) {
    WARN("cannot mount a small tmpfs here (needs CAP_SYS_ADMIN); the disk-full case is not exercised");
    return;
  }
  struct Unmount {
    fs::path p;
    ~Unmount() { ::umount(p.c_str()); }
  } unmount{dir / "ws"};
  dir.write("ws/roster.csv", "email\na@x.com\n");
  dir.write("ws/e.json", R"({"accounts": [{"id": "a"}]})");
  dir.write("ws/rollcall.toml", "[roster]\npath = \"roster.csv\"\n[[system]]\nname = \"app\"\ntype = \"file\"\npath = \"e.json\"\n");
  // Fill the file system to the last block.
  (void)rollcall::testing::run_shell(dir, "dd if=/dev/zero of=" + (dir / "ws" / "fill").string() + " bs=4k 2>/dev/null");
  CliRun s = run_cli(dir, "snapshot");
  INFO(s.err);
  CHECK(s.exit_code == 1);
  CHECK(s.err.find("disk full") != std::string::npos);
  CHECK(s.err.find("disk I/O error (in PRAGMA journal_mode=WAL)") == std::string::npos);
}
