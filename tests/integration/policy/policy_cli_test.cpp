// `rollcall policy check` and `rollcall policy explain` on the examples/acme workspace, and
// on broken copies of it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "tests/support/cli_run.hpp"
#include "tests/support/temp_dir.hpp"

using rollcall::testing::read_file;
using rollcall::testing::source_dir;
using rollcall::testing::TempDir;

namespace {

using Run = rollcall::testing::CliRun;

Run run_cli(const TempDir& dir, const std::filesystem::path& workspace, const std::string& args) {
  return rollcall::testing::run_rollcall(dir, "--workspace " + workspace.string() + " " + args);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A copy of examples/acme (configuration, roster and policies) that a test may break.
std::filesystem::path copy_acme(const TempDir& dir) {
  std::filesystem::path ws = dir / "acme";
  rollcall::testing::copy_acme(ws);
  return ws;
}

void append(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file, std::ios::app) << text;
}

}  // namespace

TEST_CASE("policy cli: check validates the acme policies and lists them per owner", "[integration][policy]") {
  TempDir dir;
  Run r = run_cli(dir, source_dir() / "examples/acme", "policy check");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.out,
                 "Policies in policies/: 9 roles, 4 rules, 4 exceptions, 5 service accounts, 2 SoD rules"));
  CHECK(contains(r.out, "owner \"security\""));
  CHECK(contains(r.out, "owner \"team-platform\""));
  CHECK(contains(r.out, "sod              deploy-vs-approve"));
  CHECK(contains(r.out, "Policies are valid: evaluated 14 people"));
  CHECK(
      contains(r.err,
               "rollcall: warning: policies/platform.lua:47: service_account \"ci-runner\" in github: owner "
               "\"tom.becker@acme.com\" is terminated\n"));
}

TEST_CASE("policy cli: explain shows roles and desired access with provenance", "[integration][policy]") {
  TempDir dir;
  Run r = run_cli(dir, source_dir() / "examples/acme", "policy explain Jane.Doe@acme.com");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.out, "Jane Doe <jane.doe@acme.com>  (roster.csv:3)"));
  CHECK(contains(r.out, "sre   roster role column (roster.csv:3)"));
  CHECK(contains(r.out, "role \"sre\" <- includes \"engineer\" <- policies/platform.lua:7"));
  CHECK(contains(r.out, "rule \"on-call\" <- policies/platform.lua:37"));
  CHECK(contains(r.out, "SEC-131"));
  CHECK(contains(r.out, "acme-deploy-bot"));

  Run alias = run_cli(dir, source_dir() / "examples/acme", "policy explain jdoe@acme.io");
  CHECK(alias.exit_code == 0);
  CHECK(contains(alias.out, "Jane Doe <jane.doe@acme.com>"));
}

TEST_CASE("policy cli: explain of someone not in the roster suggests a close email",
          "[integration][policy]") {
  TempDir dir;
  Run r = run_cli(dir, source_dir() / "examples/acme", "policy explain jane.doe@acme.co");
  CHECK(r.exit_code == 1);
  CHECK(r.err ==
        "rollcall: error: no person \"jane.doe@acme.co\" in roster.csv (did you mean "
        "\"jane.doe@acme.com\"?)\n");
}

TEST_CASE("policy cli: check fails on a policy error, naming both places", "[integration][policy]") {
  TempDir dir;
  std::filesystem::path ws = copy_acme(dir);
  append(ws / "policies/workplace.lua", "\nrole \"engineer\" { slack = { \"usergroup:eng\" } }\n");
  Run r = run_cli(dir, ws, "policy check");
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  CHECK(r.err ==
        "rollcall: error: policies/workplace.lua:26: role \"engineer\" is already defined at "
        "policies/platform.lua:5\n");
}

TEST_CASE("policy cli: check evaluates everyone and fails on runtime errors", "[integration][policy]") {
  TempDir dir;
  std::filesystem::path ws = copy_acme(dir);
  append(ws / "policies/data.lua",
         "\nrule(\"strict\", function(person)\n  if person.department == \"Data\" then return "
         "person.attrs.nope:lower() end\nend)\n");
  Run r = run_cli(dir, ws, "policy check");
  CHECK(r.exit_code == 1);
  CHECK(
      contains(r.err,
               "rollcall: error: person \"sara.khan@acme.com\": policies/data.lua:34: attempt to index a nil "
               "value (field 'nope')\n"));
  CHECK(contains(r.err, "rollcall: error: policy check failed: 2 of 14 people could not be evaluated\n"));
}

TEST_CASE("policy cli: escape sequences and control characters in policy text reach the terminal scrubbed",
          "[integration][policy]") {
  TempDir dir;
  std::filesystem::path ws = copy_acme(dir);
  auto clean = [](const std::string& text) {
    return text.find('\x1b') == std::string::npos && text.find('\x07') == std::string::npos;
  };
  SECTION("a role name, in explain and in check") {
    append(ws / "policies/zz_escape.lua",
           "owner \"esc\"\nrole \"red\\27[31m\\7\" { github = { \"team:red\" } }\n"
           "assign(function(person)\n  if person.email == \"jane.doe@acme.com\" then return \"red\\27[31m\\7\" end\n"
           "end)\n");
    Run explain = run_cli(dir, ws, "policy explain jane.doe@acme.com");
    INFO(explain.err);
    REQUIRE(explain.exit_code == 0);
    CHECK(contains(explain.out, "  red?[31m?  assign at policies/zz_escape.lua:3\n"));
    // quote() already writes control characters as \x escapes.
    CHECK(contains(explain.out, "team:red           member               role \"red\\x1b[31m\\x07\" <- "
                                "policies/zz_escape.lua:2\n"));
    CHECK(clean(explain.out));
    Run check = run_cli(dir, ws, "policy check");
    REQUIRE(check.exit_code == 0);
    CHECK(contains(check.out, "role  red?[31m?"));
    CHECK(clean(check.out));
    CHECK(clean(check.err));
  }
  SECTION("an error message, in check and in explain") {
    append(ws / "policies/zz_escape.lua",
           "owner \"esc\"\nrule(\"alarm\", function(person)\n  error(\"\\27[31mred alert\\7\")\nend)\n");
    Run check = run_cli(dir, ws, "policy check");
    CHECK(check.exit_code == 1);
    CHECK(contains(check.err,
                   "rollcall: error: person \"jane.doe@acme.com\": policies/zz_escape.lua:3: ?[31mred alert?\n"));
    CHECK(clean(check.err));
    Run explain = run_cli(dir, ws, "policy explain jane.doe@acme.com");
    CHECK(explain.exit_code == 1);
    CHECK(explain.err ==
          "rollcall: error: person \"jane.doe@acme.com\": policies/zz_escape.lua:3: ?[31mred alert?\n");
  }
}
