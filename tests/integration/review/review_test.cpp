// Access reviews end to end on a copy of examples/acme: export the sheets per manager, fill in
// decisions as a manager would, import them, and plan the revocations. Revoke decisions on
// grants the scan finds unauthorized become exactly those actions; revoking what the policy
// grants or an excepted grant is reported for the policy owner; edited sheets are refused with
// file and line, and nothing of a refused import is recorded.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "tests/support/cli_run.hpp"
#include "tests/support/temp_dir.hpp"

using rollcall::testing::copy_acme;
using rollcall::testing::read_file;
using rollcall::testing::run_in_workspace;
using rollcall::testing::source_dir;
using rollcall::testing::TempDir;

namespace {

namespace fs = std::filesystem;
const std::string kNow = "ROLLCALL_NOW=2026-12-03T06:00:00Z";

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// dir/ws: acme with snapshots and a scan; dir/sheets: the exported review.
void exported(const TempDir& dir) {
  copy_acme(dir / "ws");
  // A name with markup: the HTML sheet must show it as text.
  std::string roster = read_file(dir / "ws/roster.csv");
  const std::string from = ",Lucas Martin,";
  roster.replace(roster.find(from), from.size(), ",Lucas <b>Martin</b>,");
  std::ofstream(dir / "ws/roster.csv", std::ios::binary | std::ios::trunc) << roster;
  REQUIRE(run_in_workspace(dir, "snapshot", kNow).exit_code == 0);
  REQUIRE(run_in_workspace(dir, "scan --format json", kNow).exit_code == 2);
  auto r = run_in_workspace(dir, "review export --by manager --out " + (dir / "sheets").string(), kNow);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.out, "Access review from scan #1: 3 manager sheet(s), "));
}

// Sets the decision of the one row whose line contains `needle`; returns that line's number.
int decide(const fs::path& sheet, const std::string& needle, const std::string& decision) {
  std::string text = read_file(sheet);
  const auto at = text.find(needle);
  REQUIRE(at != std::string::npos);
  REQUIRE(text.find(needle, at + 1) == std::string::npos);
  const auto end = text.find('\n', at);
  REQUIRE(text.compare(end - 2, 2, ",,") == 0);
  text.replace(end - 2, 2, "," + decision + ",quarterly review");
  std::ofstream(sheet, std::ios::binary | std::ios::trunc) << text;
  int line = 1;
  for (std::size_t i = 0; i < at; ++i) line += text[i] == '\n';
  return line;
}

void replace_in(const fs::path& file, const std::string& from, const std::string& to) {
  std::string text = read_file(file);
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
}

}  // namespace

TEST_CASE("review: one CSV and one escaped, self-contained HTML sheet per manager list their reports' "
          "accounts and grants, authorized with the policy reason or finding with the kind",
          "[integration][review]") {
  TempDir dir;
  exported(dir);
  const std::string maria = read_file(dir / "sheets/maria.garcia@acme.com.csv");
  CHECK(maria.rfind("row_id,manager,person,person_name,system,account,login,entitlement,level,status,reason,"
                    "digest,decision,comment\n", 0) == 0);
  CHECK(contains(maria, ",maria.garcia@acme.com,jane.doe@acme.com,Jane Doe,github,janedoe,janedoe,repo:infra,admin,"
                        "authorized,\"role \"\"sre\"\" <- policies/platform.lua:22\","));
  CHECK(contains(maria, ",tom.becker@acme.com,Tom Becker,github,tbecker,tbecker,,active,finding,terminated_active,"));
  CHECK(contains(maria, ",raj.patel@acme.com,Raj Patel,postgres,raj,raj,role:db_admin,member,finding,"
                        "unauthorized_access (excepted),"));
  // Maria herself has no manager: she is on nobody's sheet; Emma's reports are on Emma's.
  CHECK_FALSE(contains(maria, ",maria.garcia@acme.com,Maria Garcia,"));
  CHECK(contains(read_file(dir / "sheets/emma.jones@acme.com.csv"), ",noah.smith@acme.com,Noah Smith,netsuite,"));

  const std::string html = read_file(dir / "sheets/chloe.dubois@acme.com.html");
  CHECK(contains(html, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-"));
  CHECK(contains(html, "Lucas &lt;b&gt;Martin&lt;/b&gt; &lt;lucas.martin@acme.com&gt;"));
  CHECK_FALSE(contains(html, "<b>Martin"));
  CHECK_FALSE(contains(html, "<script"));

  // --system narrows the campaign.
  auto github = run_in_workspace(dir, "review export --system github --out " + (dir / "github").string(), kNow);
  INFO(github.err);
  REQUIRE(github.exit_code == 0);
  const std::string only = read_file(dir / "github/maria.garcia@acme.com.csv");
  CHECK(contains(only, ",github,janedoe,"));
  CHECK_FALSE(contains(only, ",slack,"));
  CHECK_FALSE(contains(only, ",okta,"));
  auto unknown = run_in_workspace(dir, "review export --system gihub --out " + (dir / "x").string(), kNow);
  CHECK(unknown.err == "rollcall: error: --system \"gihub\": no such system in rollcall.toml\n");
}

TEST_CASE("review: revoke decisions become exactly the plan actions their findings call for; the rest "
          "are reported",
          "[integration][review]") {
  TempDir dir;
  exported(dir);
  const fs::path maria = dir / "sheets/maria.garcia@acme.com.csv";
  const fs::path emma = dir / "sheets/emma.jones@acme.com.csv";
  const fs::path chloe = dir / "sheets/chloe.dubois@acme.com.csv";
  decide(chloe, ",okta,00u1lucas,lucas.martin@acme.com,group:Okta Admins,", "revoke");  // unauthorized
  decide(emma, ",ava.wilson@acme.com,Ava Wilson,netsuite,1003,ava.wilson,,", "Revoke");  // terminated
  decide(maria, ",github,skhan,skhan,repo:payments,", "revoke");                         // unauthorized
  const int oncall = decide(maria, ",slack,U02LIWEI,li,usergroup:oncall,", "revoke");   // the policy grants it
  const int excepted = decide(maria, ",postgres,raj,raj,role:db_admin,", "revoke");     // excepted
  const int dormant = decide(maria, ",netsuite,1004,jane.doe,,", "revoke");             // no automatic action
  decide(emma, ",noah.smith@acme.com,Noah Smith,netsuite,1002,noah.smith,role:approver,", "keep");

  auto imported = run_in_workspace(dir, "review import " + (dir / "sheets").string(), kNow);
  INFO(imported.err);
  REQUIRE(imported.exit_code == 0);
  CHECK(imported.out == "Recorded 7 decision(s): 1 keep, 6 revoke. `rollcall plan --from-review` plans the "
                        "revocations.\n");

  auto plan = run_in_workspace(dir, "plan --from-review --detailed-exitcode", kNow);
  INFO(plan.err);
  REQUIRE(plan.exit_code == 2);
  CHECK(contains(plan.out, ":\n  - revoke github skhan repo:payments (write)\n"
                           "  - disable_account netsuite ava.wilson\n"
                           "  - revoke okta lucas.martin@acme.com group:Okta Admins (member)\n"
                           "3 action(s), 3 destructive."));
  const std::string m = "maria.garcia@acme.com";
  CHECK(contains(plan.err, "rollcall: warning: for the policy owner \"team-platform\": " + m + " decided to revoke slack U02LIWEI "
                           "usergroup:oncall (" + m + ".csv:" + std::to_string(oncall) +
                           "), but the policy grants it: rule \"on-call\" <- policies/platform.lua:37\n"));
  CHECK(contains(plan.err, "rollcall: warning: for the policy owner: " + m + " decided to revoke postgres raj "
                           "role:db_admin (" + m + ".csv:" + std::to_string(excepted) +
                           "), but a policy exception allows it (unauthorized_access, excepted)\n"));
  CHECK(contains(plan.err, "rollcall: warning: not planned: " + m + " decided to revoke netsuite 1004 (" + m +
                           ".csv:" + std::to_string(dormant) + "), but no automatic action for dormant_account\n"));
  // The plan goes through apply and its guards, like any plan.
  auto apply = run_in_workspace(dir, "apply --dry-run " + (dir / "ws/rollcall.plan.json").string(), kNow);
  INFO(apply.err);
  CHECK(apply.exit_code == 0);
  CHECK(contains(apply.out, "0 changed, 0 no-op, 3 would change, 0 conflict, 0 failed\n"));

  // The next scan's report shows the review status of each reviewed grant.
  run_in_workspace(dir, "scan --format json", kNow);
  const std::string report = read_file(dir / "ws/reports/report.json");
  auto valid = rollcall::testing::run_shell(
      dir, "/usr/bin/python3 " + (source_dir() / "tests/integration/scan/validate_schema.py").string() + " " +
               (source_dir() / "docs/report.schema.json").string() + " " + (dir / "ws/reports/report.json").string());
  INFO(valid.out);
  CHECK(valid.exit_code == 0);
  CHECK(contains(report, "  \"reviews\": [\n    {\n      \"system\": \"github\",\n      \"account_id\": \"skhan\",\n"
                         "      \"entitlement_id\": \"repo:payments\",\n      \"person\": \"sara.khan@acme.com\",\n"
                         "      \"decision\": \"revoke\",\n      \"reviewer\": \"" + m + "\",\n"
                         "      \"decided_at\": \"2026-12-03T06:00:00Z\",\n      \"comment\": \"quarterly review\"\n    },"));
}

TEST_CASE("review: a tampered sheet is refused with file and line, and nothing of it is recorded",
          "[integration][review]") {
  TempDir dir;
  exported(dir);
  const fs::path chloe = dir / "sheets/chloe.dubois@acme.com.csv";
  const fs::path maria = dir / "sheets/maria.garcia@acme.com.csv";
  decide(chloe, ",okta,00u1lucas,lucas.martin@acme.com,group:Okta Admins,", "revoke");  // valid, in an earlier file
  const int line = decide(maria, ",github,skhan,skhan,repo:payments,", "keep");
  replace_in(maria, ",skhan,skhan,repo:payments,write,", ",skhan,skhan,repo:payments,read,");

  auto r = run_in_workspace(dir, "review import " + (dir / "sheets").string(), kNow);
  CHECK(r.exit_code == 1);
  const std::string text = read_file(maria);
  const auto at = text.find(",skhan,skhan,repo:payments,");
  const std::string id = text.substr(text.rfind('\n', at) + 1, 16);
  CHECK(r.err == "rollcall: error: maria.garcia@acme.com.csv:" + std::to_string(line) + ": row " + id +
                     ": grant columns changed since the export\n");
  auto plan = run_in_workspace(dir, "plan --from-review", kNow);
  CHECK(plan.err == "rollcall: error: --from-review: no review decisions recorded: run `rollcall review import` "
                    "first\n");

  replace_in(maria, ",skhan,skhan,repo:payments,read,", ",skhan,skhan,repo:payments,write,");
  const int bad = decide(maria, ",slack,U02LIWEI,li,usergroup:oncall,", "delete");
  auto decision = run_in_workspace(dir, "review import " + (dir / "sheets").string(), kNow);
  CHECK(decision.err == "rollcall: error: maria.garcia@acme.com.csv:" + std::to_string(bad) +
                            ": decision \"delete\" is not keep, revoke or empty\n");

  std::ofstream(dir / "sheets/zz.csv") << read_file(maria).substr(0, read_file(maria).find('\n') + 1)
                                        << "0000000000000000,x,x,x,x,x,x,x,x,x,x,x,keep,\n";
  replace_in(maria, ",delete,", ",,");
  auto unknown = run_in_workspace(dir, "review import " + (dir / "sheets").string(), kNow);
  CHECK(unknown.err == "rollcall: error: zz.csv:2: unknown row \"0000000000000000\" (not in the last export)\n");
}
