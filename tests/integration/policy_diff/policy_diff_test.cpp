// `rollcall policy diff` on a copy of examples/acme whose policies change one role ("sre": a
// level lowered, an entitlement added), one rule ("on-call": remote people leave the rota) and
// one exception (SEC-123 now expired), against the unchanged policies given as a folder and as a
// git revision. Beside each change, people the change does not touch must not appear.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>

#include "tests/support/cli_run.hpp"
#include "tests/support/temp_dir.hpp"

using rollcall::testing::copy_acme;
using rollcall::testing::read_file;
using rollcall::testing::run_in_workspace;
using rollcall::testing::run_shell;
using rollcall::testing::source_dir;
using rollcall::testing::TempDir;

namespace {

namespace fs = std::filesystem;
const std::string kNow = "ROLLCALL_NOW=2026-12-03T06:00:00Z";

void replace_in(const fs::path& file, const std::string& from, const std::string& to) {
  std::string text = read_file(file);
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
}

// dir/ws: the acme workspace with snapshots taken; dir/base/policies: its policies unchanged.
void acme_with_snapshots(const TempDir& dir) {
  copy_acme(dir / "ws");
  fs::create_directories(dir / "base");
  fs::copy(dir / "ws/policies", dir / "base/policies", fs::copy_options::recursive);
  auto r = run_in_workspace(dir, "snapshot", kNow);
  REQUIRE(r.exit_code == 0);
}

void change_policies(const TempDir& dir) {
  replace_in(dir / "ws/policies/platform.lua", "    { \"repo:infra\", level = \"admin\" },\n",
             "    { \"repo:infra\", level = \"write\" },\n    \"repo:payments\",\n");
  replace_in(dir / "ws/policies/platform.lua", "person.attrs.oncall == \"yes\" and",
             "person.attrs.oncall == \"yes\" and person.attrs.location ~= \"Remote\" and");
  replace_in(dir / "ws/policies/security.lua", "expires = \"2026-12-04\", ticket = \"SEC-123\"",
             "expires = \"2026-11-01\", ticket = \"SEC-123\"");
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The text output's change section, exact: gains, losses and level changes with both sides.
const std::string kAccessText =
    "jane.doe@acme.com (Jane Doe)\n"
    "  ~ github repo:infra (admin -> write)\n"
    "      was: role \"sre\" <- policies/platform.lua:22\n"
    "      now: role \"sre\" <- policies/platform.lua:22\n"
    "  + github repo:payments (member)\n"
    "      now: role \"sre\" <- policies/platform.lua:23\n"
    "\n"
    "li.wei@acme.com (Li Wei)\n"
    "  - slack usergroup:oncall (member)\n"
    "      was: rule \"on-call\" <- policies/platform.lua:37\n";

const std::string kFindingsText =
    "Findings against the latest snapshots: 4 findings appear, 0 disappear, 1 no longer excepted\n"
    "  + high unauthorized_access slack li.wei@acme.com usergroup:oncall: li holds usergroup:oncall as member, "
    "which no policy grants\n"
    "  + high privilege_mismatch github jane.doe@acme.com repo:infra: janedoe holds repo:infra as admin (via "
    "team:platform); policy grants write\n"
    "  + medium missing_access github jane.doe@acme.com repo:payments: Jane Doe lacks repo:payments (member) in "
    "github\n"
    "  + medium exception_expired postgres raj role:db_admin: exception SEC-123 for raj.patel@acme.com on "
    "role:db_admin in postgres expired 2026-11-01\n"
    "  ~ critical unauthorized_access postgres raj.patel@acme.com role:db_admin: no longer excepted\n";

std::string without_digests(const std::string& text) {
  return std::regex_replace(text, std::regex("[0-9a-f]{12}"), "DIGEST");
}

}  // namespace

TEST_CASE("policy diff: unchanged policies are no change and exit 0", "[integration][policy_diff]") {
  TempDir dir;
  acme_with_snapshots(dir);
  auto r = run_in_workspace(dir, "policy diff --base-dir " + (dir / "base/policies").string(), kNow);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "No change in desired access."));
  CHECK(contains(r.out, "Findings not compared: the base and working-tree policy files are identical\n"));
}

TEST_CASE("policy diff: a role, a rule and an exception change show exact gains, losses, level changes "
          "and findings with provenance from both sides",
          "[integration][policy_diff]") {
  TempDir dir;
  acme_with_snapshots(dir);
  change_policies(dir);
  auto r = run_in_workspace(dir, "policy diff --base-dir " + (dir / "base/policies").string(), kNow);
  INFO(r.err);
  REQUIRE(r.exit_code == 2);
  CHECK(contains(r.out, "14 people evaluated\n\n" + kAccessText + "\n" + kFindingsText + "\n"));
  CHECK(contains(r.out, "Summary: 1 entitlement gained, 1 lost, 1 level change for 2 subjects; 4 findings "
                        "appear, 0 disappear, 1 no longer excepted."));
  // Nobody else: Maria (engineer, manager) and Olivia (on call, Berlin) keep what they had.
  CHECK_FALSE(contains(r.out, "maria.garcia"));
  CHECK_FALSE(contains(r.out, "olivia.brown"));

  // Snapshots older than max_snapshot_age (26h in acme) still serve a preview.
  auto later = run_in_workspace(dir, "policy diff --base-dir " + (dir / "base/policies").string(),
                                "ROLLCALL_NOW=2026-12-06T06:00:00Z");
  CHECK(later.exit_code == 2);
  CHECK(contains(later.out, "  + high privilege_mismatch github jane.doe@acme.com repo:infra: "));
  CHECK_FALSE(contains(later.out, "not judged"));

  auto json = run_in_workspace(dir, "policy diff --format json --base-dir " + (dir / "base/policies").string(), kNow);
  CHECK(json.exit_code == 2);
  CHECK(contains(json.out, "\"schema\": \"rollcall.policy-diff/v1\""));
  CHECK(contains(json.out, "\"gained\": 1,\n    \"lost\": 1,\n    \"level_changed\": 1,"));
}

TEST_CASE("policy diff: --base REF reads the base policies from git without touching the work tree",
          "[integration][policy_diff]") {
  TempDir dir;
  acme_with_snapshots(dir);
  auto git = run_shell(dir, "cd " + (dir / "ws").string() +
                                " && git init -q && git add policies rollcall.toml roster.csv && "
                                "git -c user.name=t -c user.email=t@example.com commit -qm base");
  REQUIRE(git.exit_code == 0);
  change_policies(dir);
  const std::string changed = read_file(dir / "ws/policies/platform.lua");

  auto r = run_in_workspace(dir, "policy diff --base HEAD", kNow);
  INFO(r.err);
  REQUIRE(r.exit_code == 2);
  CHECK(contains(r.out, "Policy diff: HEAD ("));
  CHECK(contains(r.out, kAccessText + "\n" + kFindingsText));
  CHECK(read_file(dir / "ws/policies/platform.lua") == changed);
  auto status = run_shell(dir, "cd " + (dir / "ws").string() + " && git status --porcelain policies");
  CHECK(status.out == " M policies/platform.lua\n M policies/security.lua\n");

  auto bad = run_in_workspace(dir, "policy diff --base no-such-ref", kNow);
  CHECK(bad.exit_code == 1);
  CHECK(contains(bad.err, "rollcall: error: git ls-tree no-such-ref: fatal: Not a valid object name no-such-ref^{tree}"));
}

TEST_CASE("policy diff: markdown for a pull-request comment matches the golden file, and is capped",
          "[integration][policy_diff]") {
  TempDir dir;
  acme_with_snapshots(dir);
  change_policies(dir);
  const std::string base = (dir / "base/policies").string();
  auto r = run_in_workspace(dir, "policy diff --format markdown --base-dir " + base, kNow);
  INFO(r.err);
  REQUIRE(r.exit_code == 2);
  const std::string got = std::regex_replace(without_digests(r.out), std::regex(std::regex_replace(
                                                 base, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)")),
                                             "BASE");
  const fs::path golden = source_dir() / "tests/integration/policy_diff/golden/acme.md";
  if (std::getenv("ROLLCALL_UPDATE_GOLDEN")) std::ofstream(golden, std::ios::binary) << got;
  CHECK(got == read_file(golden));

  auto capped = run_in_workspace(dir, "policy diff --format markdown --max-lines 1 --base-dir " + base, kNow);
  CHECK(contains(capped.out, "|---|---|---|---|---|---|---|\n| ~ | jane.doe@acme.com | github | repo:infra |"));
  CHECK(contains(capped.out, "\n… and 2 more changes\n"));
  CHECK(contains(capped.out, "\n… and 4 more findings\n"));
}
