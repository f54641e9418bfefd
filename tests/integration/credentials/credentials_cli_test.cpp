// A workspace as an operator would set it up: an AWS-like export with access keys, console
// passwords and MFA flags, an IdP-like export with MFA flags only, a roster with a leaver, and
// policies registering a CI service account. Every credential finding is planted beside its
// look-alike control, and the exact set is asserted; then plan and a ticket apply run twice.
//
//   kind                       planted                                  control
//   credential_stale           ann's AKIA_ANN_OLD, 120 days             ann's AKIA_ANN_NEW, 90 days
//   credential_unused          bob's AKIA_BOB_IDLE, idle 200 days       bob's AKIA_BOB_NEW, never used, 2 days old
//   credential_owner_inactive  tom (terminated)'s AKIA_TOM; ci-old's    tom's inactive AKIA_TOM_OFF;
//                              key (owner tom)                          ci-deploy's key (owner ann)
//   credential_expired         ci-deploy's cert, expired                ci-deploy's secret, valid
//   mfa_missing                bob: console password, no MFA            ann: password + MFA; ci-*: keys only
//                              okta: cy has no factor                   okta: ann has one
//   exception                  ann's AKIA_ANN_OLD excepted (SEC-7)
#include <catch2/catch.hpp>

#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "tests/support/cli_run.hpp"
#include "tests/support/temp_dir.hpp"

using rollcall::testing::TempDir;
using Json = nlohmann::json;

namespace {

constexpr const char* kNow = "2026-12-10T06:00:00Z";

constexpr const char* kConfig = R"([roster]
type = "csv"
path = "roster.csv"

[[system]]
name = "aws"
type = "file"
path = "aws.json"
apply_via = "tickets"

[[system]]
name = "okta"
type = "file"
path = "okta"
)";

constexpr const char* kRoster =
    "email,name,role,status,end_date\n"
    "ann@acme.test,Ann,dev,active,\n"
    "bob@acme.test,Bob,dev,active,\n"
    "cy@acme.test,Cy,dev,active,\n"
    "tom@acme.test,Tom,dev,terminated,2026-11-01\n";

constexpr const char* kPolicy = R"(
settings { credentials = { rotation_days = 90, unused_days = 90 } }
service_account { system = "aws", account = "ci-deploy", owner = "ann@acme.test", description = "deploys" }
service_account { system = "aws", account = "ci-old", owner = "tom@acme.test", description = "old pipeline" }
exception { system = "aws", account = "ann", entitlement = "credential:AKIA_ANN_OLD", expires = "2027-01-31",
            ticket = "SEC-7", reason = "vendor integration cannot rotate before January" }
)";

constexpr const char* kAws = R"({
  "accounts": [
    {"id": "ann", "email": "ann@acme.test", "attrs": {"mfa_enrolled": true}},
    {"id": "bob", "email": "bob@acme.test", "attrs": {"mfa_enrolled": false}},
    {"id": "tom", "email": "tom@acme.test", "attrs": {"mfa_enrolled": true}},
    {"id": "ci-deploy", "kind": "service", "attrs": {"mfa_enrolled": false}},
    {"id": "ci-old", "kind": "service", "attrs": {"mfa_enrolled": false}}
  ],
  "grants": [],
  "credentials": [
    {"account": "ann", "id": "password", "kind": "password", "created_at": "2025-01-01T00:00:00Z", "last_used_at": "2026-12-08T00:00:00Z"},
    {"account": "ann", "id": "AKIA_ANN_OLD", "kind": "access_key", "created_at": "2026-08-12T06:00:00Z", "last_used_at": "2026-12-09T00:00:00Z"},
    {"account": "ann", "id": "AKIA_ANN_NEW", "kind": "access_key", "created_at": "2026-09-11T06:00:00Z", "last_used_at": "2026-12-09T00:00:00Z"},
    {"account": "bob", "id": "password", "kind": "password", "created_at": "2025-01-01T00:00:00Z", "last_used_at": "2026-12-01T00:00:00Z"},
    {"account": "bob", "id": "AKIA_BOB_IDLE", "kind": "access_key", "created_at": "2026-05-01T00:00:00Z", "last_used_at": "2026-05-24T00:00:00Z"},
    {"account": "bob", "id": "AKIA_BOB_NEW", "kind": "access_key", "created_at": "2026-12-08T00:00:00Z"},
    {"account": "tom", "id": "AKIA_TOM", "kind": "access_key", "created_at": "2026-11-20T00:00:00Z", "last_used_at": "2026-12-09T00:00:00Z"},
    {"account": "tom", "id": "AKIA_TOM_OFF", "kind": "access_key", "status": "inactive", "created_at": "2026-11-20T00:00:00Z"},
    {"account": "ci-deploy", "id": "AKIA_CI", "kind": "access_key", "created_at": "2026-11-20T00:00:00Z", "last_used_at": "2026-12-09T00:00:00Z"},
    {"account": "ci-deploy", "id": "cert-2025", "kind": "certificate", "created_at": "2025-12-01T00:00:00Z", "expires_at": "2026-12-01T00:00:00Z", "last_used_at": "2026-11-30T00:00:00Z"},
    {"account": "ci-deploy", "id": "secret-2026", "kind": "client_secret", "created_at": "2026-11-20T00:00:00Z", "expires_at": "2027-11-20T00:00:00Z", "last_used_at": "2026-12-09T00:00:00Z"},
    {"account": "ci-old", "id": "AKIA_CI_OLD", "kind": "access_key", "created_at": "2026-11-20T00:00:00Z", "last_used_at": "2026-12-09T00:00:00Z"}
  ]
})";

using Key = std::tuple<std::string, std::string, std::string, std::string, std::string>;  // kind system account entitlement status

}  // namespace

TEST_CASE("credentials end to end: exact findings with controls, the report's inventory, plan and a ticket apply run twice",
          "[integration][credential]") {
  TempDir dir;
  dir.write("ws/rollcall.toml", kConfig);
  dir.write("ws/roster.csv", kRoster);
  dir.write("ws/policies/credentials.lua", kPolicy);
  dir.write("ws/aws.json", kAws);
  dir.write("ws/okta/accounts.csv",
            "id,email,attrs.mfa_enrolled,attrs\n"
            "00u1,ann@acme.test,,\"{\"\"mfa_enrolled\"\":true}\"\n"
            "00u2,cy@acme.test,,\"{\"\"mfa_enrolled\"\":false}\"\n");
  dir.write("ws/okta/grants.csv", "account,entitlement\n");
  const std::string env = std::string("ROLLCALL_NOW=") + kNow;
  auto run = [&](const std::string& args) { return rollcall::testing::run_in_workspace(dir, args, env); };

  auto snap = run("-q snapshot");
  INFO(snap.out << snap.err);
  REQUIRE(snap.exit_code == 0);
  auto scan = run("-q scan --fail-on none --format json,html");
  INFO(scan.out << scan.err);
  REQUIRE(scan.exit_code == 0);
  const Json report = Json::parse(rollcall::testing::read_file(dir / "ws" / "reports" / "report.json"));

  std::set<Key> got;
  for (const auto& f : report["findings"]) {
    auto text = [&](const char* key) { return f[key].get<std::string>(); };
    got.insert({text("kind"), text("system"), text("account_id"), text("entitlement_id"), text("status")});
  }
  const std::set<Key> want = {
      {"credential_stale", "aws", "ann", "credential:AKIA_ANN_OLD", "excepted"},
      {"credential_unused", "aws", "bob", "credential:AKIA_BOB_IDLE", "new"},
      {"credential_stale", "aws", "bob", "credential:AKIA_BOB_IDLE", "new"},
      {"credential_owner_inactive", "aws", "tom", "credential:AKIA_TOM", "new"},
      {"terminated_active", "aws", "tom", "", "new"},
      {"credential_owner_inactive", "aws", "ci-old", "credential:AKIA_CI_OLD", "new"},
      {"service_account_owner_invalid", "aws", "ci-old", "", "new"},
      {"credential_expired", "aws", "ci-deploy", "credential:cert-2025", "new"},
      {"mfa_missing", "aws", "bob", "", "new"},
      {"mfa_missing", "okta", "00u2", "", "new"},
  };
  CHECK(got == want);

  // The inventory: every credential, inactive ones too, with dates and never a secret.
  REQUIRE(report["credentials"].size() == 12);
  const Json& first = report["credentials"][0];
  CHECK(first["system"] == "aws");
  CHECK(first["account"] == "ann");
  CHECK(first["id"] == "AKIA_ANN_NEW");
  CHECK(first["person"] == "ann@acme.test");
  CHECK(first["created_at"] == "2026-09-11T06:00:00Z");
  // ... and the report with credentials validates against the published schema.
  const std::string src = ROLLCALL_SOURCE_DIR;
  auto schema = rollcall::testing::run_shell(dir, "/usr/bin/python3 " + src + "/tests/integration/scan/validate_schema.py " +
                                                      src + "/docs/report.schema.json " +
                                                      (dir / "ws" / "reports" / "report.json").string());
  INFO(schema.out << schema.err);
  CHECK(schema.exit_code == 0);
  const std::string html = rollcall::testing::read_file(dir / "ws" / "reports" / "report.html");
  CHECK(html.find("<section id=\"credentials\">") != std::string::npos);
  CHECK(html.find("Age of the active credentials of aws") != std::string::npos);

  // policy explain lists the person's credentials from the latest snapshot.
  auto explain = run("policy explain ann@acme.test");
  INFO(explain.err);
  REQUIRE(explain.exit_code == 0);
  CHECK(explain.out.find("Credentials (latest snapshots)") != std::string::npos);
  CHECK(explain.out.find("AKIA_ANN_OLD") != std::string::npos);
  CHECK(explain.out.find("AKIA_CI") != std::string::npos);  // ci-deploy: a service account Ann owns

  // Unused, expired and ownerless credentials are planned for deactivation; stale ones are not.
  const std::string plan_file = (dir / "ws" / "plan.json").string();
  auto plan = run("plan --kind deactivate_credential --out " + plan_file);
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 0);
  const Json p = Json::parse(rollcall::testing::read_file(dir / "ws" / "plan.json"));
  std::set<std::string> planned;
  for (const auto& a : p["actions"]) planned.insert(a["account"].get<std::string>() + " " + a["entitlement"].get<std::string>());
  CHECK(planned == std::set<std::string>{"bob credential:AKIA_BOB_IDLE", "ci-deploy credential:cert-2025",
                                         "ci-old credential:AKIA_CI_OLD", "tom credential:AKIA_TOM"});
  // The apply files tickets; run again, every action is already filed: nothing new.
  auto first_apply = run("apply --yes --allow-destructive " + plan_file);
  INFO(first_apply.out << first_apply.err);
  REQUIRE(first_apply.exit_code == 0);
  const std::string tickets = rollcall::testing::read_file(dir / "ws" / "tickets" / "aws.csv");
  CHECK(tickets.find("deactivate_credential") != std::string::npos);
  auto second_apply = run("apply --yes --allow-destructive " + plan_file);
  INFO(second_apply.out << second_apply.err);
  REQUIRE(second_apply.exit_code == 0);
  CHECK(rollcall::testing::read_file(dir / "ws" / "tickets" / "aws.csv") == tickets);
}
