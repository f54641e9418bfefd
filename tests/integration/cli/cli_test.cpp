// End-to-end tests of the rollcall executable: workspace, snapshot, history, bad input.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "tests/support/cli_run.hpp"
#include "tests/support/temp_dir.hpp"

using rollcall::testing::read_file;
using rollcall::testing::TempDir;

namespace {

using Run = rollcall::testing::CliRun;

Run run_cli(const TempDir& dir, const std::string& args) { return rollcall::testing::run_rollcall(dir, args); }

std::string ws(const TempDir& dir) { return "--workspace " + (dir / "ws").string(); }

std::size_t count_lines(const std::string& s) { return std::count(s.begin(), s.end(), '\n'); }

}  // namespace

TEST_CASE("cli: init, snapshot and history work on a fresh workspace", "[integration][cli]") {
  TempDir dir;
  Run init = run_cli(dir, "init " + (dir / "ws").string());
  REQUIRE(init.exit_code == 0);
  CHECK(init.out.find("Created a rollcall workspace") != std::string::npos);
  Run snap = run_cli(dir, ws(dir) + " snapshot");
  REQUIRE(snap.exit_code == 0);
  CHECK(snap.out.find("app: snapshot #1 complete: 4 accounts, 3 entitlements, 5 grants") != std::string::npos);
  Run again = run_cli(dir, ws(dir) + " snapshot --system app");
  REQUIRE(again.exit_code == 0);
  CHECK(again.out.find("app: snapshot #2 unchanged since snapshot #1, no data stored") != std::string::npos);
  Run hist = run_cli(dir, ws(dir) + " history");
  REQUIRE(hist.exit_code == 0);
  CHECK(hist.out.find("unchanged (data of #1)") != std::string::npos);
  CHECK(count_lines(hist.out) == 3);

  Run twice = run_cli(dir, "init " + (dir / "ws").string());
  CHECK(twice.exit_code == 1);
  CHECK(twice.err == "rollcall: error: \"" + (dir / "ws").string() + "\" is already a rollcall workspace (rollcall.toml exists)\n");
}

TEST_CASE("cli: re-snapshotting an unchanged large export does not grow the database", "[integration][cli]") {
  TempDir dir;
  REQUIRE(run_cli(dir, "init " + (dir / "ws").string()).exit_code == 0);
  std::ofstream out(dir / "ws/exports/app.json");
  out << "{\"accounts\": [";
  for (int i = 0; i < 5000; ++i) out << (i ? "," : "") << "{\"id\": \"user-" << i << "\", \"email\": \"user" << i << "@example.com\"}";
  out << "], \"grants\": [";
  for (int i = 0; i < 20000; ++i) out << (i ? "," : "") << "{\"account\": \"user-" << i % 5000 << "\", \"entitlement\": \"group:g" << i % 37 << "\"}";
  out << "]}";
  out.close();
  REQUIRE(run_cli(dir, ws(dir) + " snapshot").exit_code == 0);
  REQUIRE(run_cli(dir, ws(dir) + " history").exit_code == 0);  // checkpoints the WAL on close
  auto size_of = [&] {
    std::uintmax_t n = 0;
    for (const char* f : {"rollcall.db", "rollcall.db-wal"}) {
      std::error_code ec;
      auto s = std::filesystem::file_size(dir / "ws" / f, ec);
      if (!ec) n += s;
    }
    return n;
  };
  auto first = size_of();
  REQUIRE(first > 500'000);
  for (int i = 0; i < 3; ++i) REQUIRE(run_cli(dir, ws(dir) + " snapshot").exit_code == 0);
  REQUIRE(run_cli(dir, ws(dir) + " history").exit_code == 0);
  CHECK(size_of() < first + 64 * 1024);
}

TEST_CASE("cli: a malformed export fails with one line, is recorded, and changes nothing else", "[integration][cli]") {
  TempDir dir;
  REQUIRE(run_cli(dir, "init " + (dir / "ws").string()).exit_code == 0);
  REQUIRE(run_cli(dir, ws(dir) + " snapshot").exit_code == 0);
  dir.write("ws/exports/app.json", "{\"accounts\": [\n  {\"id\": \"u-1\"},\n  {\"id\": \"u-1\"}\n]}\n");
  Run bad = run_cli(dir, ws(dir) + " -q snapshot");
  CHECK(bad.exit_code == 1);
  CHECK(bad.err ==
        "rollcall: error: system \"app\": app.json: /accounts/1: duplicate account id \"u-1\"\n"
        "rollcall: error: 1 of 1 systems could not be read completely\n");
  dir.write("ws/exports/app.json", "{\"accounts\": [\n  {\"id\": \"u-1\",}\n]}\n");
  Run syntax = run_cli(dir, ws(dir) + " -q snapshot");
  CHECK(syntax.exit_code == 1);
  CHECK(syntax.err.rfind("rollcall: error: system \"app\": app.json:2:16: unexpected '}'; expected a string key\n", 0) == 0);
  Run hist = run_cli(dir, ws(dir) + " history");
  CHECK(hist.out.find("partial") != std::string::npos);
  CHECK(hist.out.find("failed    0         0             0       ") != std::string::npos);
  CHECK(hist.out.find("complete  4         3             5") != std::string::npos);
}

TEST_CASE("cli: configuration mistakes name the file and line", "[integration][cli]") {
  TempDir dir;
  REQUIRE(run_cli(dir, "init " + (dir / "ws").string()).exit_code == 0);
  const std::string toml = (dir / "ws/rollcall.toml").string();
  std::string cfg = read_file(dir / "ws/rollcall.toml");
  dir.write("ws/rollcall.toml", cfg + "\n[[system]]\nname = \"gl\"\ntype = \"gitlab\"\n");
  Run unknown = run_cli(dir, ws(dir) + " snapshot");
  CHECK(unknown.exit_code == 1);
  const std::string line = std::to_string(count_lines(cfg) + 4);
  CHECK(unknown.err.substr(0, unknown.err.find(" (known: ")) ==
        "rollcall: error: " + toml + ":" + line + ": unknown system type \"gitlab\"");

  dir.write("ws/rollcall.toml", cfg);
  Run no_such = run_cli(dir, ws(dir) + " snapshot --system ap");
  CHECK(no_such.exit_code == 1);
  CHECK(no_such.err == "rollcall: error: no system named \"ap\" in rollcall.toml (did you mean \"app\"?)\n");

  std::filesystem::remove(dir / "ws/exports/app.json");
  Run missing = run_cli(dir, ws(dir) + " snapshot");
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("system \"app\": export \"" + (dir / "ws/exports/app.json").string() + "\" not found") != std::string::npos);

  Run nowhere = run_cli(dir, "--workspace " + (dir / "nope").string() + " history");
  CHECK(nowhere.exit_code == 1);
  CHECK(nowhere.err.find("a rollcall workspace? `rollcall init` creates one") != std::string::npos);
}

TEST_CASE("cli: an unreadable database is a clear error", "[integration][cli]") {
  TempDir dir;
  REQUIRE(run_cli(dir, "init " + (dir / "ws").string()).exit_code == 0);
  dir.write("ws/rollcall.db", std::string(8192, 'z'));
  Run r = run_cli(dir, ws(dir) + " snapshot");
  CHECK(r.exit_code == 1);
  CHECK(r.err == "rollcall: error: database \"" + (dir / "ws/rollcall.db").string() +
                     "\": SQLite: file is not a database (in PRAGMA journal_mode=WAL)\n");
}

TEST_CASE("cli: --version and usage errors", "[integration][cli]") {
  TempDir dir;
  Run v = run_cli(dir, "--version");
  CHECK(v.exit_code == 0);
  CHECK(v.out.rfind("rollcall ", 0) == 0);
  Run bad = run_cli(dir, "snapshot --bogus");
  CHECK(bad.exit_code == 1);
}
