// End to end with the rollcall binary against FakeOkta on 127.0.0.1: snapshot, scan and plan
// find planted drift; apply fixes it through the Okta API; the next snapshot, scan and plan
// find none; applying the plan again writes nothing. The API token stays out of the store.
#include <catch2/catch.hpp>

#include "tests/integration/okta/fake_okta.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/temp_dir.hpp"

using rollcall::testing::FakeOkta;
using rollcall::testing::FakeServer;
using rollcall::testing::read_file;
using rollcall::testing::TempDir;

namespace {

constexpr const char* kToken = "00okta-cli-secret-5d1e";

rollcall::testing::CliRun run_cli(const TempDir& dir, const std::string& args) {
  return rollcall::testing::run_in_workspace(dir, args,
                                         std::string("OKTA_TOKEN=") + kToken);
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("apply cli over Okta: drift planted in an Okta org is fixed, and the next plan is empty",
          "[integration][apply][okta]") {
  FakeServer server;
  FakeOkta okta(server, kToken);
  // jane should be in Engineering and is not; bob left and is still active; raj is in Finance,
  // which no policy gives him. GitHub is assigned to Engineering: bob's and raj's app access
  // comes through the group and is not flagged on its own; jane has the app directly.
  auto user = [](std::string id, std::string login) {
    FakeOkta::User u;
    u.id = std::move(id);
    u.login = std::move(login);
    return u;
  };
  // hal left once and was rehired: his old account is DEPROVISIONED and must be enabled, not
  // created again; what he lacks (Engineering) is granted in the next round.
  okta.users = {user("00u1", "jane@acme.com"), user("00u2", "bob@acme.com"), user("00u3", "raj@acme.com"),
                user("00u4", "hal@acme.com")};
  okta.users[3].status = "DEPROVISIONED";
  okta.groups = {{"00g1", "Engineering", "OKTA_GROUP", {"00u2", "00u3"}, {}}, {"00g2", "Finance", "OKTA_GROUP", {"00u3"}, {}}};
  okta.apps = {{"0oa1", "github_enterprise", "GitHub", "ACTIVE", {{"00u1", "USER", "jane-gh"}, {"00u2", "GROUP", "bob-gh"}, {"00u3", "GROUP", "raj-gh"}}, {"00g1"}}};
  okta.install();

  TempDir dir;
  dir.write("ws/roster.csv",
            "employee_id,email,name,department,title,role,status,manager_email,start_date,end_date\n"
            "E1,jane@acme.com,Jane Doe,Engineering,Engineer,engineer,active,,2020-01-01,\n"
            "E2,bob@acme.com,Bob Brown,Engineering,Engineer,engineer,terminated,,2020-01-01,2026-10-31\n"
            "E3,raj@acme.com,Raj Patel,Engineering,Engineer,engineer,active,,2020-01-01,\n"
            "E4,hal@acme.com,Hal Jordan,Engineering,Engineer,engineer,active,,2026-11-01,\n");
  dir.write("ws/policies/eng.lua",
            "owner \"team-eng\"\nrole \"engineer\" { okta = { \"group:Engineering\", \"app:GitHub\" } }\n");
  dir.write("ws/rollcall.toml", "[roster]\ntype = \"csv\"\npath = \"roster.csv\"\n\n"
                                "[[system]]\nname = \"okta\"\ntype = \"okta\"\nbase_url = \"" + okta.base_url() +
                                    "\"\ntoken_env = \"OKTA_TOKEN\"\ntimeout = \"5s\"\n");
  const std::string plan_file = (dir / "ws" / "plan.json").string();

  auto snapshot = run_cli(dir, "-q snapshot");
  INFO(snapshot.out << snapshot.err);
  REQUIRE(snapshot.exit_code == 0);
  REQUIRE(run_cli(dir, "-q scan --format json --fail-on none").exit_code == 0);
  auto plan = run_cli(dir, "plan --out " + plan_file);
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code != 1);
  CHECK(has(plan.out, "+ grant okta jane@acme.com group:Engineering (member)"));
  CHECK(has(plan.out, "- revoke okta raj@acme.com group:Finance"));
  CHECK(has(plan.out, "- disable_account okta bob@acme.com"));
  CHECK(has(plan.out, "+ enable_account okta 00u4"));
  CHECK_FALSE(has(plan.out, "create_account"));
  CHECK(has(plan.out, "4 action(s), 2 destructive."));  // nothing about app:GitHub: each holds it as allowed
  CHECK(okta.writes() == 0);

  auto apply = run_cli(dir, "apply " + plan_file + " --yes --allow-destructive");
  INFO(apply.out << apply.err);
  REQUIRE(apply.exit_code == 0);
  CHECK(has(apply.out, "4 changed, 0 no-op, 0 conflict, 0 failed"));
  CHECK(okta.status_of("00u4") == "PROVISIONED");
  CHECK(okta.users_with_login("hal@acme.com") == 1);
  CHECK(okta.members("00g1") == std::vector<std::string>{"00u2", "00u3", "00u1"});
  CHECK(okta.members("00g2").empty());
  CHECK(okta.status_of("00u2") == "SUSPENDED");
  CHECK(read_file(dir / "ws" / "rollcall.db").find(kToken) == std::string::npos);

  // Round two: the rehire's missing group.
  REQUIRE(run_cli(dir, "-q snapshot").exit_code == 0);
  REQUIRE(run_cli(dir, "-q scan --format json --fail-on none").exit_code == 0);
  const std::string plan2 = (dir / "ws" / "plan2.json").string();
  auto round2 = run_cli(dir, "plan --out " + plan2);
  INFO(round2.out << round2.err);
  CHECK(has(round2.out, "+ grant okta hal@acme.com group:Engineering (member)"));
  // The plan cannot know that Engineering brings GitHub: it also proposes the app, which Okta's
  // writer refuses (app assignments are not written) while the group grant is done.
  auto apply2 = run_cli(dir, "apply " + plan2 + " --yes");
  INFO(apply2.out << apply2.err);
  CHECK(has(apply2.out, "1 changed, 0 no-op, 0 conflict, 1 failed"));
  const int writes = okta.writes();

  REQUIRE(run_cli(dir, "-q snapshot").exit_code == 0);
  REQUIRE(run_cli(dir, "-q scan --format json --fail-on none").exit_code == 0);
  auto replan = run_cli(dir, "plan");
  INFO(replan.out << replan.err);
  CHECK(replan.exit_code == 0);
  CHECK(has(replan.out, "No changes: the systems match the desired access."));

  auto again = run_cli(dir, "apply " + plan_file + " --yes --allow-destructive --force-stale");
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  CHECK(has(again.out, "0 changed"));
  CHECK(okta.writes() == writes);
}
