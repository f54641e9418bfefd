// End-to-end tests of `rollcall plan` and `rollcall apply` on a copy of the examples/acme
// workspace (file exports, so apply files tickets).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "scanner/plan/apply.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/temp_dir.hpp"

using rollcall::testing::read_file;
using rollcall::testing::TempDir;

namespace {

using Run = rollcall::testing::CliRun;

Run run_cli(const TempDir& dir, const std::string& args) {
  return rollcall::testing::run_rollcall(dir, "--workspace " + (dir / "ws").string() + " " + args);
}

// A scanned copy of examples/acme and its plan file.
std::string planned_workspace(const TempDir& dir) {
  namespace fs = std::filesystem;
  const fs::path src = rollcall::testing::source_dir() / "examples" / "acme";
  fs::create_directories(dir / "ws");
  for (const char* name : {"exports", "policies", "roster.csv", "rollcall.toml"}) {
    fs::copy(src / name, dir / "ws" / name, fs::copy_options::recursive);
  }
  REQUIRE(run_cli(dir, "-q snapshot").exit_code == 0);
  REQUIRE(run_cli(dir, "-q scan --fail-on none --format json").exit_code == 0);
  Run plan = run_cli(dir, "plan --detailed-exitcode");
  INFO(plan.err);
  REQUIRE(plan.exit_code == 2);
  CHECK(plan.out.find("  - revoke github skhan repo:payments (write)\n") != std::string::npos);
  CHECK(plan.out.find("  + grant github liwei team:backend (member)\n") != std::string::npos);
  return (dir / "ws" / "rollcall.plan.json").string();
}

std::size_t count_lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

TEST_CASE("apply cli: apply twice - every action once, then all no-ops", "[integration][apply]") {
  TempDir dir;
  const std::string plan = planned_workspace(dir);
  Run first = run_cli(dir, "apply " + plan + " --yes --allow-destructive");
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(first.out.find("17 changed, 0 no-op, 0 conflict, 0 failed") != std::string::npos);
  CHECK(first.out.find("  (changes to github, netsuite, okta, postgres, slack are filed as tickets in " +
                       (dir / "ws" / "tickets").string() + "/, not made)\n") != std::string::npos);
  const std::string tickets = read_file(dir / "ws" / "tickets" / "github.csv");
  CHECK(count_lines(tickets) == 7);  // header + 6 github actions

  Run second = run_cli(dir, "apply " + plan + " --yes --allow-destructive");
  REQUIRE(second.exit_code == 0);
  CHECK(second.out.find("0 changed, 17 no-op, 0 conflict, 0 failed") != std::string::npos);
  CHECK(read_file(dir / "ws" / "tickets" / "github.csv") == tickets);

  // The audit trail: the plan, and what happened to each action.
  Run applies = run_cli(dir, "history --applies");
  REQUIRE(applies.exit_code == 0);
  CHECK(applies.out.find("PLAN              FIRST                 LAST                  DONE  NOOP  CONFLICT  FAILED  PENDING\n") ==
        0);
  CHECK(applies.out.find("  17    0     0         0       0\n") != std::string::npos);
  const std::string id = applies.out.substr(applies.out.find('\n') + 1, 16);
  Run trail = run_cli(dir, "history --plan " + id);
  REQUIRE(trail.exit_code == 0);
  CHECK(count_lines(trail.out) == 18);  // header + 17 actions
  CHECK(trail.out.find("- revoke github skhan repo:payments (write)") != std::string::npos);
  Run unknown = run_cli(dir, "history --plan 0000");
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("plan \"0000\" was never applied in this workspace") != std::string::npos);
}

TEST_CASE("apply cli: without --yes off a terminal, apply refuses and changes nothing", "[integration][apply]") {
  TempDir dir;
  const std::string plan = planned_workspace(dir);
  Run r = run_cli(dir, "apply " + plan + " --allow-destructive");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("apply needs confirmation: pass --yes (standard input is not a terminal)") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "ws" / "tickets"));
}

TEST_CASE("apply cli: on a terminal, apply lists the actions and acts only after \"yes\"", "[integration][apply]") {
  TempDir dir;
  const std::string plan = planned_workspace(dir);
  // `script` runs apply on a pseudo-terminal and types the answer.
  auto on_terminal = [&](const std::string& answer) {
    const std::string command = std::string(ROLLCALL_BINARY) + " --workspace " + (dir / "ws").string() + " apply " +
                                plan + " --allow-destructive";
    return rollcall::testing::run_shell(dir, "printf '" + answer + "\\n' | script -qec '" + command + "' /dev/null");
  };
  Run no = on_terminal("no");
  INFO(no.out);
  CHECK(no.exit_code == 0);
  CHECK(no.out.find("  - revoke github skhan repo:payments (write)") != std::string::npos);
  CHECK(no.out.find("Apply 17 action(s) of plan ") != std::string::npos);
  CHECK(no.out.find("(10 destructive)? Type yes to continue:") != std::string::npos);
  CHECK(no.out.find("Apply cancelled; nothing was changed.") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "ws" / "tickets"));

  Run yes = on_terminal("yes");
  INFO(yes.out);
  CHECK(yes.exit_code == 0);
  CHECK(yes.out.find("17 changed, 0 no-op, 0 conflict, 0 failed") != std::string::npos);
}

TEST_CASE("apply cli: the blast-radius limit refuses a plan with too many destructive actions", "[integration][apply]") {
  TempDir dir;
  const std::string plan = planned_workspace(dir);
  Run r = run_cli(dir, "apply " + plan + " --yes");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("exceed max_destructive_share = 10% (pass --allow-destructive to apply anyway)") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "ws" / "tickets"));
}

TEST_CASE("apply cli: a second concurrent apply is refused at once", "[integration][apply]") {
  TempDir dir;
  const std::string plan = planned_workspace(dir);
  auto held = rollcall::plan::ApplyLock::acquire(dir / "ws" / "rollcall.apply.lock");
  REQUIRE(held.ok());
  Run r = run_cli(dir, "apply " + plan + " --yes --allow-destructive");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("another apply is running on this workspace") != std::string::npos);
}

TEST_CASE("apply cli: a plan made stale by a roster change is refused unless forced", "[integration][apply]") {
  TempDir dir;
  const std::string plan = planned_workspace(dir);
  {
    std::ofstream roster(dir / "ws" / "roster.csv", std::ios::app);
    roster << "E999,zoe.new@acme.com,Zoe New,Finance,Analyst,,active,,2026-01-05,,,no,Berlin\n";
  }
  REQUIRE(run_cli(dir, "-q scan --fail-on none --format json").exit_code == 0);
  Run r = run_cli(dir, "apply " + plan + " --yes --allow-destructive");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("is stale: the roster changed; run `rollcall scan` and `rollcall plan` again, or pass --force-stale") !=
        std::string::npos);
  CHECK(run_cli(dir, "apply " + plan + " --yes --allow-destructive --force-stale").exit_code == 0);
}

TEST_CASE("apply cli: a system that cannot be written stops apply before anything is done", "[integration][apply]") {
  TempDir dir;
  const std::string plan = planned_workspace(dir);
  // The file connector has no write API: asking for one is a configuration error.
  std::string toml = read_file(dir / "ws" / "rollcall.toml");
  const std::string gh = "name = \"github\"\n";
  toml.replace(toml.find(gh), gh.size(), gh + "apply_via = \"api\"\n");
  std::ofstream(dir / "ws" / "rollcall.toml") << toml;
  Run r = run_cli(dir, "apply " + plan + " --yes --allow-destructive");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("rollcall.toml:12: the file connector cannot write to its system; use apply_via = \"tickets\"") !=
        std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "ws" / "tickets"));
}
