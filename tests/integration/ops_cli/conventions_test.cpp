// The command line's conventions, as a user meets them: one `rollcall: error:` line with a
// suggestion and the usage line for a typo, `rollcall help [COMMAND]`, help with examples and
// exit codes, usage lines naming `rollcall`, colour only on a terminal and never with NO_COLOR or
// --no-color, clean paths in messages, and systemd credentials as secrets.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "tests/support/cli_run.hpp"
#include "tests/support/temp_dir.hpp"

using rollcall::testing::run_rollcall;
using rollcall::testing::run_shell;
using rollcall::testing::TempDir;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A copy of the demo workspace, snapshotted and scanned at a fixed time.
void demo(const TempDir& dir) {
  rollcall::testing::copy_acme(dir / "ws");
  std::filesystem::remove(dir / "ws" / "rollcall.db");
}

}  // namespace

TEST_CASE("cli: an unknown command gets one error line with a suggestion, then the usage line", "[cli]") {
  TempDir dir;
  auto r = run_rollcall(dir, "scna");
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  REQUIRE(has(r.err, "\n"));
  CHECK(r.err.substr(0, r.err.find('\n')) == "rollcall: error: unknown command \"scna\" (did you mean \"scan\"?)");
  CHECK(has(r.err, "\nusage: rollcall [--workspace DIR] [-v] [-q] [--no-color] init|snapshot|"));
  // A word far from every command gets no guess.
  auto far = run_rollcall(dir, "frobnicate");
  CHECK(far.exit_code == 1);
  CHECK(has(far.err, "rollcall: error: unknown command \"frobnicate\"\n"));
}

TEST_CASE("cli: an unknown flag gets a suggestion and the command's usage line", "[cli]") {
  TempDir dir;
  auto r = run_rollcall(dir, "scan --fial-on high");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::StartsWith("rollcall: error: unknown flag \"--fial-on\" for \"rollcall scan\" (did you "
                                       "mean \"--fail-on\"?)\nusage: rollcall scan [--fail-on VALUE] [--owner VALUE] [--format VALUE]"));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 2);
  // A known flag of the same command is not a typo (control): the run gets past parsing and
  // fails on the missing workspace instead.
  auto known = run_rollcall(dir, "--workspace " + (dir / "none").string() + " scan --fail-on high");
  CHECK(known.exit_code == 1);
  CHECK(has(known.err, "rollcall.toml: not found"));
  auto global = run_rollcall(dir, "--verbsoe snapshot");
  CHECK(global.err.substr(0, global.err.find('\n')) ==
        "rollcall: error: unknown flag \"--verbsoe\" (did you mean \"--verbose\"?)");
}

TEST_CASE("cli: no command at all says so and lists the commands", "[cli]") {
  TempDir dir;
  auto r = run_rollcall(dir, "");
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "rollcall: error: a command is required: init, snapshot, history, policy, scan, diff, plan, "
                   "apply, run, prune, review, help (see `rollcall --help`)\n"));
}

TEST_CASE("cli: rollcall help, rollcall help COMMAND and --help say `rollcall`, with examples and exit codes",
          "[cli]") {
  TempDir dir;
  auto top = run_rollcall(dir, "help");
  CHECK(top.exit_code == 0);
  CHECK(has(top.out, "Usage: rollcall [OPTIONS] SUBCOMMAND"));
  CHECK(has(top.out, "Exit codes:"));
  for (const char* cmd : {"init", "snapshot", "history", "scan", "diff", "plan", "apply", "run", "prune", "help"}) {
    auto r = run_rollcall(dir, std::string("help ") + cmd);
    INFO(cmd << "\n" << r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(has(r.out, std::string("Usage: rollcall ") + cmd));
    CHECK(has(r.out, "Examples:\n  rollcall "));
    CHECK(has(r.out, "Exit codes:\n  0 "));
    CHECK_FALSE(has(r.out, ROLLCALL_BINARY));
    auto flag = run_rollcall(dir, std::string(cmd) + " --help");
    CHECK(flag.out == r.out);
  }
  auto nested = run_rollcall(dir, "help policy explain");
  CHECK(nested.exit_code == 0);
  CHECK(has(nested.out, "Usage: rollcall policy explain"));
  auto typo = run_rollcall(dir, "help plna");
  CHECK(typo.exit_code == 1);
  CHECK(typo.err.substr(0, typo.err.find('\n')) == "rollcall: error: unknown command \"plna\" (did you mean \"plan\"?)");
}

TEST_CASE("cli: colour on a terminal only, never with NO_COLOR or --no-color", "[cli][color]") {
  TempDir dir;
  demo(dir);
  const std::string ws = "--workspace " + (dir / "ws").string();
  REQUIRE(run_rollcall(dir, ws + " -q snapshot", "ROLLCALL_NOW=2026-12-10T06:00:00Z").exit_code == 0);
  const std::string scan = std::string(ROLLCALL_BINARY) + " " + ws + " scan --format json --fail-on error";
  // script(1) gives the command a pseudo-terminal, as a user's shell would.
  auto tty = run_shell(dir, "ROLLCALL_NOW=2026-12-10T06:00:00Z script -qec '" + scan + "' /dev/null");
  INFO(tty.out << tty.err);
  REQUIRE(tty.exit_code == 0);
  CHECK(has(tty.out, "\033[1;31mcritical\033[0m"));
  auto no_color = run_shell(dir, "NO_COLOR=1 ROLLCALL_NOW=2026-12-10T06:00:00Z script -qec '" + scan + "' /dev/null");
  CHECK(has(no_color.out, "critical"));
  CHECK_FALSE(has(no_color.out, "\033["));
  auto flag = run_shell(dir, "ROLLCALL_NOW=2026-12-10T06:00:00Z script -qec '" +
                                 std::string(ROLLCALL_BINARY) + " --no-color " + ws +
                                 " scan --format json --fail-on error' /dev/null");
  CHECK(has(flag.out, "critical"));
  CHECK_FALSE(has(flag.out, "\033["));
  auto pipe = run_rollcall(dir, ws + " scan --format json --fail-on error", "ROLLCALL_NOW=2026-12-10T06:00:00Z");
  CHECK(has(pipe.out, "critical"));
  CHECK_FALSE(has(pipe.out, "\033["));

  // A finding kind given by its first word is suggested in full.
  auto kind = run_rollcall(dir, ws + " plan --kind orphan", "ROLLCALL_NOW=2026-12-10T06:00:00Z");
  CHECK(kind.exit_code == 1);
  CHECK(has(kind.err, "--kind \"orphan\": not an action type or finding kind (did you mean \"orphan_account\"?)"));
}

TEST_CASE("cli: history --system suggests the system's name", "[cli]") {
  TempDir dir;
  demo(dir);
  auto r = run_rollcall(dir, "--workspace " + (dir / "ws").string() + " history --system gihub");
  CHECK(r.exit_code == 1);
  CHECK(r.err == "rollcall: error: no system named \"gihub\" in rollcall.toml (did you mean \"github\"?)\n");
}

TEST_CASE("cli: messages name rollcall.toml by a clean path", "[cli]") {
  TempDir dir;
  dir.write("ws/rollcall.toml", "[roster]\npath = \"roster.csv\"\nbogus = 1\n");
  auto r = run_shell(dir, "cd " + dir.path().string() + " && " + ROLLCALL_BINARY + " --workspace ws/. snapshot");
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "rollcall: error: ws/rollcall.toml:3: "));
  auto inside = run_shell(dir, "cd " + (dir / "ws").string() + " && " + ROLLCALL_BINARY + " snapshot");
  CHECK(has(inside.err, "rollcall: error: rollcall.toml:3: "));
}

TEST_CASE("secrets: token_credential reads the systemd credential from $CREDENTIALS_DIRECTORY", "[cli][secrets]") {
  TempDir dir;
  dir.write("ws/roster.csv", "employee_id,email,name,status\nE1,a@x.com,A,active\n");
  dir.write("ws/rollcall.toml", "[roster]\npath = \"roster.csv\"\n\n[[system]]\nname = \"gh\"\ntype = \"github\"\n"
                                "org = \"acme\"\ntoken_credential = \"gh-token\"\nbase_url = \"http://127.0.0.1:9\"\n"
                                "timeout = \"2s\"\n");
  const std::string ws = "--workspace " + (dir / "ws").string();
  auto unset = run_rollcall(dir, ws + " snapshot", "CREDENTIALS_DIRECTORY=");
  CHECK(unset.exit_code == 1);
  CHECK(has(unset.err, "rollcall.toml:8: credential \"gh-token\": CREDENTIALS_DIRECTORY is not set "
                       "(credentials come from systemd's LoadCredential=)"));
  dir.write("creds/gh-token", "ghp_credential_value_1234\n");
  // The credential is read (the run then fails on the closed port, never printing the token).
  auto set = run_rollcall(dir, ws + " -v snapshot", "CREDENTIALS_DIRECTORY=" + (dir / "creds").string());
  CHECK(set.exit_code == 1);
  CHECK_FALSE(has(set.err, "CREDENTIALS_DIRECTORY"));
  CHECK_FALSE(has(set.err + set.out, "ghp_credential_value_1234"));
  auto missing = run_rollcall(dir, ws + " snapshot", "CREDENTIALS_DIRECTORY=" + (dir / "nowhere").string());
  CHECK(has(missing.err, "credential \"gh-token\": cannot read secret file \"" + (dir / "nowhere" / "gh-token").string() + "\""));
}

namespace {

// What bash completion offers for the words of a command line (the last word is completed).
std::string complete(const TempDir& dir, const std::string& words) {
  const std::string script = (rollcall::testing::source_dir() / "dist" / "bash-completion" / "rollcall").string();
  // A line ending in a space completes a new, empty word.
  const std::string last = !words.empty() && words.back() == ' ' ? "\"\"" : "";
  auto r = run_shell(dir, "bash -c 'source " + script + "; COMP_WORDS=(" + ROLLCALL_BINARY + " " + words + last +
                              "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _rollcall; echo \"${COMPREPLY[*]}\"'");
  return r.out.substr(0, r.out.find('\n'));
}

}  // namespace

TEST_CASE("completion: commands, flags, system names and kinds", "[cli][completion]") {
  TempDir dir;
  demo(dir);
  CHECK(complete(dir, "sc") == "scan");
  CHECK(complete(dir, "p") == "policy plan prune");
  CHECK(complete(dir, "scan --fa") == "--fail-on");
  CHECK(complete(dir, "scan --fail-on c") == "critical");
  CHECK(complete(dir, "-w " + (dir / "ws").string() + " snapshot --system ") == "github slack okta postgres netsuite");
  CHECK(complete(dir, "plan --kind orph") == "orphan_account");
  CHECK(complete(dir, "help pr") == "prune");
  CHECK(complete(dir, "policy ") == "check explain diff");
  CHECK(complete(dir, "review ") == "export import");
  CHECK(complete(dir, "policy diff --ba") == "--base --base-dir");
}
