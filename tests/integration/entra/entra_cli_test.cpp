// End to end with the rollcall binary against the fake Microsoft Graph on 127.0.0.1: snapshot,
// scan and plan find planted drift in an Entra tenant; apply fixes it through Graph; the next
// snapshot, scan and plan find none; applying the plan again writes nothing. A rehire's disabled
// account is re-enabled, never created a second time.
#include <catch2/catch.hpp>

#include "tests/integration/entra/fake_graph.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/temp_dir.hpp"

using rollcall::testing::FakeGraph;
using rollcall::testing::FakeServer;
using rollcall::testing::read_file;
using rollcall::testing::TempDir;

namespace {

constexpr const char* kSecret = "entra-cli-secret-5c1d";
using Run = rollcall::testing::CliRun;

Run run_cli(const TempDir& dir, const std::string& args) {
  return rollcall::testing::run_in_workspace(dir, args,
                                         std::string("ENTRA_SECRET=") + kSecret);
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string id(char kind, int n) { return std::string(8, kind) + "-0000-4000-8000-00000000000" + std::to_string(n); }

}  // namespace

TEST_CASE("entra cli: drift in an Entra tenant is planned, applied through Graph, and gone afterwards",
          "[integration][entra][apply]") {
  FakeServer server;
  FakeGraph graph(server, "acme.onmicrosoft.com", "cli-client", kSecret);
  // jane should be in Engineering and is not; bob left and is still enabled; raj is in Finance,
  // which no policy gives him; lee was rehired and his old account, still in Engineering, is disabled.
  graph.users = {
      {id('a', 1), "jane@acme.com", "jane@acme.com", "Jane Doe", "E1", "Member", true, "2024-01-01T00:00:00Z",
       "2026-06-01T00:00:00Z"},
      {id('a', 2), "bob@acme.com", "bob@acme.com", "Bob Brown", "E2", "Member", true, "2024-01-01T00:00:00Z",
       "2026-06-01T00:00:00Z"},
      {id('a', 3), "raj@acme.com", "raj@acme.com", "Raj Patel", "E3", "Member", true, "2024-01-01T00:00:00Z",
       "2026-06-01T00:00:00Z"},
      {id('a', 4), "lee@acme.com", "lee@acme.com", "Lee Wong", "E4", "Member", false, "2020-01-01T00:00:00Z",
       "2024-01-01T00:00:00Z"},
  };
  graph.groups = {{id('b', 1), "Engineering", {id('a', 2), id('a', 3), id('a', 4)}, false},
                  {id('b', 2), "Finance", {id('a', 3)}, false}};
  graph.install();

  TempDir dir;
  dir.write("ws/roster.csv",
            "employee_id,email,name,department,title,role,status,manager_email,start_date,end_date\n"
            "E1,jane@acme.com,Jane Doe,Engineering,Engineer,engineer,active,,2020-01-01,\n"
            "E2,bob@acme.com,Bob Brown,Engineering,Engineer,engineer,terminated,,2020-01-01,2026-10-31\n"
            "E3,raj@acme.com,Raj Patel,Engineering,Engineer,engineer,active,,2020-01-01,\n"
            "E4,lee@acme.com,Lee Wong,Engineering,Engineer,engineer,active,,2020-01-01,\n");
  dir.write("ws/policies/eng.lua", "owner \"team-eng\"\nrole \"engineer\" { entra = { \"group:Engineering\" } }\n");
  dir.write("ws/rollcall.toml",
            "[roster]\ntype = \"csv\"\npath = \"roster.csv\"\n\n"
            "[[system]]\nname = \"entra\"\ntype = \"entra\"\ntenant = \"acme.onmicrosoft.com\"\n"
            "client_id = \"cli-client\"\nclient_secret_env = \"ENTRA_SECRET\"\n"
            "authority = \"" +
                graph.authority() + "\"\ngraph_url = \"" + graph.graph_url() + "\"\ntimeout = \"5s\"\n");
  const std::string plan_file = (dir / "ws" / "plan.json").string();

  Run snapshot = run_cli(dir, "-q snapshot");
  INFO(snapshot.out << snapshot.err);
  REQUIRE(snapshot.exit_code == 0);
  // Exit 2: the terminated employee's enabled account is a high finding.
  REQUIRE(run_cli(dir, "-q scan --format json").exit_code == 2);
  Run plan = run_cli(dir, "plan --detailed-exitcode --out " + plan_file);
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 2);
  CHECK(has(plan.out, "+ grant entra jane@acme.com group:Engineering (member)"));
  CHECK(has(plan.out, "- revoke entra raj@acme.com group:Finance"));
  CHECK(has(plan.out, "- disable_account entra bob@acme.com"));
  CHECK(has(plan.out, "+ enable_account entra " + id('a', 4)));
  CHECK_FALSE(has(plan.out, "create_account"));
  CHECK(has(plan.out, "4 action(s), 2 destructive."));
  CHECK(graph.writes() == 0);

  Run apply = run_cli(dir, "apply " + plan_file + " --yes --allow-destructive");
  INFO(apply.out << apply.err);
  REQUIRE(apply.exit_code == 0);
  CHECK(has(apply.out, "4 changed, 0 no-op, 0 conflict, 0 failed"));
  CHECK(graph.writes() == 4);
  CHECK(graph.members(id('b', 1)) == std::vector<std::string>{id('a', 2), id('a', 3), id('a', 4), id('a', 1)});
  CHECK(graph.enabled(id('a', 4)));
  CHECK(graph.members(id('b', 2)).empty());
  CHECK_FALSE(graph.enabled(id('a', 2)));
  CHECK(read_file(dir / "ws" / "rollcall.db").find(kSecret) == std::string::npos);

  REQUIRE(run_cli(dir, "-q snapshot").exit_code == 0);
  REQUIRE(run_cli(dir, "-q scan --format json").exit_code == 0);
  Run replan = run_cli(dir, "plan --detailed-exitcode");
  INFO(replan.out << replan.err);
  CHECK(replan.exit_code == 0);
  CHECK(has(replan.out, "No changes: the systems match the desired access."));

  Run again = run_cli(dir, "apply " + plan_file + " --yes --allow-destructive --force-stale");
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  CHECK(has(again.out, "0 changed, 4 no-op, 0 conflict, 0 failed"));
  CHECK(graph.writes() == 4);
}
