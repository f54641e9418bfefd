// Shared set-up of the aws-iam tests: a small account on FakeIam in which every entitlement
// source, credential state and look-alike the connector must tell apart occurs once, and the
// [[system]] config pointing at a fake (or moto) endpoint.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "connectors/http/transport_factory.hpp"
#include "tests/integration/aws/fake_iam.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/http/support.hpp"

namespace rollcall::testing {

constexpr const char* kAwsKeyId = "AKIDROLLCALLTEST";
constexpr const char* kAwsSecret = "PLANTEDsecretAccessKey/0123456789abcdefXYZ";

// The account of the connector tests:
//   users   alice   human; console password with MFA; in developers; keys AKIAALICEACTIVE01
//                   (Active, used by s3 in us-east-1) and AKIAALICEOLD00002 (Inactive, never used)
//           bob     AdministratorAccess attached directly; inline policy bob-scratch; no password
//           carol   in admins (AdministratorAccess and inline admins-extra through it); console
//                   password without MFA
//           ci-deploy  service (service_users = ["ci-*"]); key AKIACIDEPLOY00001 backdated to
//                   2020-01-02, last used 2020-06-01 by sts
//   groups  admins (carol), developers (alice; customer policy dev-access)
//   roles   deploy (trusts ci-deploy by ARN; AdministratorAccess), ec2-app (trusts
//           ec2.amazonaws.com), audit (trusts account 999999999999)
inline void small_account(FakeIam& iam) {
  using P = FakeIam;
  FakeIam::User alice{"alice", "AIDAALICE", "2024-01-10T09:00:00Z", "2026-11-30T08:15:00Z", "2024-02-01T10:00:00Z",
                      true, {}, {}, {}, {}};
  alice.keys = {{"AKIAALICEACTIVE01", "Active", "2025-06-01T00:00:00Z", "2026-11-29T10:00:00Z", "s3", "us-east-1"},
                {"AKIAALICEOLD00002", "Inactive", "2023-01-01T00:00:00Z", "", "N/A", "N/A"}};
  FakeIam::User bob{"bob", "AIDABOB", "2024-03-01T09:00:00Z", "", std::nullopt, false, {P::aws_policy("AdministratorAccess")},
                    {"bob-scratch"}, {}, {}};
  FakeIam::User carol{"carol", "AIDACAROL", "2024-03-02T09:00:00Z", "2026-10-01T00:00:00Z", "2024-03-02T09:30:00Z",
                      false, {}, {}, {}, {}};
  FakeIam::User ci{"ci-deploy", "AIDACIDEPLOY", "2020-01-01T00:00:00Z", "", std::nullopt, false, {}, {}, {}, {}};
  ci.keys = {{"AKIACIDEPLOY00001", "Active", "2020-01-02T00:00:00Z", "2020-06-01T00:00:00Z", "sts", "eu-west-1"}};
  iam.users = {alice, bob, carol, ci};
  iam.groups = {{"admins", {"carol"}, {P::aws_policy("AdministratorAccess")}, {"admins-extra"}},
                {"developers", {"alice"}, {P::customer_policy("dev-access")}, {}}};
  auto trust = [](const std::string& principal) {
    return R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":)" + principal +
           R"(,"Action":"sts:AssumeRole"}]})";
  };
  iam.roles = {{"deploy", trust(R"({"AWS":")" + FakeIam::user_arn("ci-deploy") + R"("})"), {P::aws_policy("AdministratorAccess")}},
               {"ec2-app", trust(R"({"Service":["ec2.amazonaws.com"]})"), {P::customer_policy("app-data")}},
               {"audit", trust(R"({"AWS":"arn:aws:iam::999999999999:root"})"), {P::aws_policy("SecurityAudit")}}};
}

// The [[system]] of the tests: credentials by reference, the endpoint of `base_url`; extra
// keys appended.
inline config::SystemConfig aws_system(const std::string& base_url,
                                       std::vector<std::pair<std::string, config::Value>> extra = {}) {
  std::vector<std::pair<std::string, config::Value>> keys = {{"endpoint", base_url},
                                                             {"access_key_id_env", std::string("AWS_KEY_ID")},
                                                             {"secret_access_key_env", std::string("AWS_SECRET")},
                                                             {"service_users", std::vector<std::string>{"ci-*"}}};
  for (auto& k : extra) keys.push_back(std::move(k));
  return system_config("aws", "aws-iam", keys, 10);
}

}  // namespace rollcall::testing

namespace rollcall::testing {

// Writes `dir`/ws/rollcall.toml (with a roster of the seeded people and a policy) for an aws-iam system
// named "aws" at `endpoint` (moto, or a fake), credentials from ROLLCALL_AWS_KEY_ID and
// ROLLCALL_AWS_SECRET; the CLI tests run `rollcall --workspace <dir>/ws ...` with those set.
// Returns the workspace folder. The scan -> plan -> apply loop extends from here.
inline std::filesystem::path write_aws_workspace(const TempDir& dir, const std::string& endpoint) {
  dir.write("ws/roster.csv",
            "employee_id,email,name,department,title,role,status,manager_email,start_date,end_date\n"
            "E1,alice@acme.com,Alice Ash,Engineering,Engineer,engineer,active,,2020-01-01,\n"
            "E2,bob@acme.com,Bob Brown,Engineering,Engineer,engineer,terminated,,2020-01-01,2026-10-31\n"
            "E3,carol@acme.com,Carol Cho,Operations,SRE,sre,active,,2020-01-01,\n");
  dir.write("ws/policies/aws.lua", "owner \"team-cloud\"\n"
                                   "role \"engineer\" { aws = { \"group:developers\" } }\n"
                                   "role \"sre\" { aws = { \"group:admins\" } }\n"
                                   "service_account { system = \"aws\", account = \"ci-deploy\", owner = \"bob@acme.com\",\n"
                                   "                  description = \"deploys; Bob left\", entitlements = { \"role:deploy\" } }\n"
                                   "-- What each group's attached policies give its members is designed.\n"
                                   "nesting { system = \"aws\", entitlement = \"group:admins\",\n"
                                   "          includes = { \"policy:AdministratorAccess\" }, reason = \"admins\" }\n"
                                   "nesting { system = \"aws\", entitlement = \"group:developers\",\n"
                                   "          includes = { \"policy:dev-access\" }, reason = \"developers\" }\n");
  // IAM user names carry no email: an explicit mapping links them to the roster.
  dir.write("ws/mapping.csv", "system,account,email\naws,alice,alice@acme.com\naws,bob,bob@acme.com\n"
                              "aws,carol,carol@acme.com\n");
  dir.write("ws/rollcall.toml", "[match]\nmapping = \"mapping.csv\"\n\n[roster]\ntype = \"csv\"\npath = \"roster.csv\"\n\n"
                                "[[system]]\nname = \"aws\"\ntype = \"aws-iam\"\nendpoint = \"" +
                                    endpoint +
                                    "\"\naccess_key_id_env = \"ROLLCALL_AWS_KEY_ID\"\n"
                                    "secret_access_key_env = \"ROLLCALL_AWS_SECRET\"\n"
                                    "service_users = [\"ci-*\"]\ntimeout = \"10s\"\n");
  return dir / "ws";
}

}  // namespace rollcall::testing
