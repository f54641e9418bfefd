// End to end with the rollcall binary against a fake SCIM server on 127.0.0.1: snapshot, scan
// and plan find planted drift; apply fixes it through the SCIM API; the next snapshot, scan and
// plan find none; applying the plan again writes nothing.
#include <catch2/catch.hpp>


#include "tests/integration/apply_http/scim_state_api.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/temp_dir.hpp"

using rollcall::testing::FakeServer;
using rollcall::testing::read_file;
using rollcall::testing::ScimStateApi;
using rollcall::testing::TempDir;

namespace {

constexpr const char* kToken = "scim-cli-secret-83ab";

using Run = rollcall::testing::CliRun;

Run run_cli(const TempDir& dir, const std::string& args) {
  return rollcall::testing::run_in_workspace(dir, args,
                                         std::string("SCIM_TOKEN=") + kToken);
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("apply cli over SCIM: drift planted in a SCIM server is fixed, and the next plan is empty",
          "[integration][apply][scim]") {
  FakeServer server;
  ScimStateApi scim(server, kToken);
  // jane should be in Engineering and is not; bob left the company and is still active; raj is
  // in Finance, which no policy gives him.
  scim.add_user({"u1", "jane@acme.com", true});
  scim.add_user({"u2", "bob@acme.com", true});
  scim.add_user({"u3", "raj@acme.com", true});
  scim.add_group({"g1", "Engineering", {"u2", "u3"}});
  scim.add_group({"g2", "Finance", {"u3"}});

  TempDir dir;
  dir.write("ws/roster.csv",
            "employee_id,email,name,department,title,role,status,manager_email,start_date,end_date\n"
            "E1,jane@acme.com,Jane Doe,Engineering,Engineer,engineer,active,,2020-01-01,\n"
            "E2,bob@acme.com,Bob Brown,Engineering,Engineer,engineer,terminated,,2020-01-01,2026-10-31\n"
            "E3,raj@acme.com,Raj Patel,Engineering,Engineer,engineer,active,,2020-01-01,\n");
  dir.write("ws/policies/eng.lua", "owner \"team-eng\"\nrole \"engineer\" { okta = { \"group:Engineering\" } }\n");
  dir.write("ws/rollcall.toml", "[roster]\ntype = \"csv\"\npath = \"roster.csv\"\n\n"
                                "[[system]]\nname = \"okta\"\ntype = \"scim\"\nbase_url = \"" + scim.base_url() +
                                    "\"\ntoken_env = \"SCIM_TOKEN\"\ntimeout = \"5s\"\n");
  const std::string plan_file = (dir / "ws" / "plan.json").string();

  Run snapshot = run_cli(dir, "-q snapshot");
  INFO(snapshot.out << snapshot.err);
  REQUIRE(snapshot.exit_code == 0);
  REQUIRE(run_cli(dir, "-q scan --fail-on none --format json").exit_code == 0);
  Run plan = run_cli(dir, "plan --detailed-exitcode --out " + plan_file);
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 2);
  CHECK(has(plan.out, "+ grant okta jane@acme.com group:Engineering (member)"));
  CHECK(has(plan.out, "- revoke okta raj@acme.com group:Finance"));
  CHECK(has(plan.out, "- disable_account okta bob@acme.com"));
  CHECK(has(plan.out, "3 action(s), 2 destructive."));
  CHECK(scim.writes() == 0);

  Run apply = run_cli(dir, "apply " + plan_file + " --yes --allow-destructive");
  INFO(apply.out << apply.err);
  REQUIRE(apply.exit_code == 0);
  CHECK(has(apply.out, "3 changed, 0 no-op, 0 conflict, 0 failed"));
  CHECK(scim.writes() == 3);
  CHECK(scim.members("g1") == std::vector<std::string>{"u2", "u3", "u1"});
  CHECK(scim.members("g2").empty());
  CHECK_FALSE(scim.active("u2"));
  CHECK(read_file(dir / "ws" / "rollcall.db").find(kToken) == std::string::npos);

  REQUIRE(run_cli(dir, "-q snapshot").exit_code == 0);
  REQUIRE(run_cli(dir, "-q scan --fail-on none --format json").exit_code == 0);
  Run replan = run_cli(dir, "plan");
  INFO(replan.out << replan.err);
  CHECK(replan.exit_code == 0);
  CHECK(has(replan.out, "No changes: the systems match the desired access."));

  Run again = run_cli(dir, "apply " + plan_file + " --yes --allow-destructive --force-stale");
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  CHECK(has(again.out, "0 changed, 3 no-op, 0 conflict, 0 failed"));
  CHECK(scim.writes() == 3);
}
