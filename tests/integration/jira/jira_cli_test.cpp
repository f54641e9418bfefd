// End to end with the rollcall binary against the fake Jira site on 127.0.0.1: snapshot, scan
// and plan find planted drift (a missing seat group, an extra one, an account matched only
// through the organization's managed accounts); apply fixes it through the Jira API; the next
// plan is empty and applying the plan again writes nothing.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "tests/integration/jira/fake_jira.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/temp_dir.hpp"

using rollcall::testing::FakeJira;
using rollcall::testing::FakeServer;
using rollcall::testing::read_file;
using rollcall::testing::TempDir;

namespace {

constexpr const char* kToken = "ATATT3xcli0jira0token0d41f";
constexpr const char* kOrgKey = "org-cli-key-19ab";

using Run = rollcall::testing::CliRun;

Run run_cli(const TempDir& dir, const std::string& args) {
  return rollcall::testing::run_in_workspace(dir, args,
                                         std::string("JIRA_API_TOKEN=") + kToken + " ATLASSIAN_ORG_KEY=" + kOrgKey);
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("apply cli over Jira: drift planted in a Jira site is fixed, and the next plan is empty",
          "[integration][apply][jira]") {
  FakeServer server;
  FakeJira jira(server, "bot@acme.com", kToken, "unused-oauth", "org-1", kOrgKey);
  // jane (an engineer) lacks the Jira Software seat group; raj (sales) holds it; lee's email
  // is hidden on the site but known to the organization, and he is an engineer who has it; kim's
  // email is hidden and unknown to the organization: unmatched, not an orphan.
  jira.users = {{"acc-jane", "Jane Doe", "jane@acme.com"},
                {"acc-raj", "Raj Patel", "raj@acme.com"},
                {"acc-lee", "Lee Wong", "lee@acme.com", "atlassian", true, false},
                {"acc-kim", "Kim Park", "kim@acme.com", "atlassian", true, false},
                {"app-auto", "Automation for Jira", "", "app"}};
  jira.groups = {{"jira-software-users", "g-sw", {"acc-raj", "acc-lee", "app-auto"}}};
  jira.roles = {{"jira-software", "Jira Software", {"jira-software-users"}, {"jira-software-users"}}};
  jira.org_users = {{"acc-lee", "lee@acme.com", ""}};
  jira.install();

  TempDir dir;
  dir.write("ws/roster.csv",
            "employee_id,email,name,department,title,role,status,manager_email,start_date,end_date\n"
            "E1,jane@acme.com,Jane Doe,Engineering,Engineer,engineer,active,,2020-01-01,\n"
            "E2,raj@acme.com,Raj Patel,Sales,Account Executive,sales,active,,2020-01-01,\n"
            "E3,lee@acme.com,Lee Wong,Engineering,Engineer,engineer,active,,2020-01-01,\n");
  dir.write("ws/policies/eng.lua",
            "owner \"team-eng\"\n"
            "role \"engineer\" { jira = { \"group:jira-software-users\", \"product:jira-software\" } }\n"
            "role \"sales\" { }\n");
  dir.write("ws/rollcall.toml", "[roster]\ntype = \"csv\"\npath = \"roster.csv\"\n\n"
                                "[[system]]\nname = \"jira\"\ntype = \"jira\"\nbase_url = \"" + jira.url() +
                                    "\"\nemail = \"bot@acme.com\"\napi_token_env = \"JIRA_API_TOKEN\"\n"
                                    "org_id = \"org-1\"\norg_api_key_env = \"ATLASSIAN_ORG_KEY\"\nadmin_base_url = \"" +
                                    jira.url() + "\"\ntimeout = \"5s\"\n");
  const std::string plan_file = (dir / "ws" / "plan.json").string();

  Run snapshot = run_cli(dir, "-q snapshot");
  INFO(snapshot.out << snapshot.err);
  REQUIRE(snapshot.exit_code == 0);
  Run scan = run_cli(dir, "-q scan --format json");
  INFO(scan.out << scan.err);
  REQUIRE(scan.exit_code != 1);
  const auto report = nlohmann::json::parse(read_file(dir / "ws" / "reports" / "report.json"));
  REQUIRE(report["systems"].size() == 1);
  CHECK(report["systems"][0]["unmatched"] == 1);
  for (const auto& f : report["findings"]) {
    INFO(f.dump());
    CHECK(f.value("account_id", "") != "acc-kim");
    CHECK(f.value("account_id", "") != "app-auto");
  }
  Run plan = run_cli(dir, "plan --detailed-exitcode --out " + plan_file);
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 2);
  // lee is matched through the organization's managed accounts: nothing planned for him, nor
  // for kim (unmatched) or Atlassian's automation app (builtin).
  CHECK(has(plan.out, "+ grant jira acc-jane group:jira-software-users (member)"));
  CHECK(has(plan.out, "+ grant jira acc-jane product:jira-software (member)"));
  CHECK(has(plan.out, "- revoke jira acc-raj group:jira-software-users (member)"));
  CHECK(has(plan.out, "3 action(s), 1 destructive."));
  CHECK_FALSE(has(plan.out, "acc-lee"));
  CHECK_FALSE(has(plan.out, "acc-kim"));
  CHECK_FALSE(has(plan.out, "app-auto"));
  CHECK(jira.writes() == 0);

  Run apply = run_cli(dir, "apply " + plan_file + " --yes --allow-destructive");
  INFO(apply.out << apply.err);
  REQUIRE(apply.exit_code == 0);
  // The seat came with the group: its grant finds it held and writes nothing.
  CHECK(has(apply.out, "2 changed, 1 no-op, 0 conflict, 0 failed"));
  CHECK(jira.writes() == 2);
  CHECK(jira.members("jira-software-users") == std::vector<std::string>{"acc-lee", "app-auto", "acc-jane"});
  CHECK(read_file(dir / "ws" / "rollcall.db").find(kToken) == std::string::npos);

  REQUIRE(run_cli(dir, "-q snapshot").exit_code == 0);
  REQUIRE(run_cli(dir, "-q scan --format json").exit_code != 1);
  Run replan = run_cli(dir, "plan --detailed-exitcode");
  INFO(replan.out << replan.err);
  CHECK(replan.exit_code == 0);
  CHECK(has(replan.out, "No changes: the systems match the desired access."));

  Run again = run_cli(dir, "apply " + plan_file + " --yes --allow-destructive --force-stale");
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  CHECK(has(again.out, "0 changed, 3 no-op, 0 conflict, 0 failed"));
  CHECK(jira.writes() == 2);
}
