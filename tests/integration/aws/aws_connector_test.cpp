// The aws-iam connector end to end: the real curl transport, retries and SigV4 signer against
// FakeIam on 127.0.0.1. Each entitlement source, credential state and failure mode the issue
// names, each beside a look-alike that must read differently.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "connectors/api/snapshot_runner.hpp"
#include "connectors/aws_iam/aws_iam_connector.hpp"
#include "scanner/store/snapshot_store.hpp"
#include "tests/fakes/record_collector.hpp"
#include "tests/integration/aws/aws_support.hpp"

using namespace rollcall;
using namespace rollcall::testing;
using Json = nlohmann::json;

namespace {

struct IamAccount {
  FakeServer server;
  FakeIam iam{server};
  RecordingSleeper sleeper;
  http::CurlTransportFactory factory{sleeper, [] { return 0.5; }};
  ConnectorFixture fx{factory, {{"AWS_KEY_ID", kAwsKeyId}, {"AWS_SECRET", kAwsSecret}}};

  IamAccount() {
    small_account(iam);
    iam.install();
  }
  Result<void> fetch(RecordCollector& sink, std::vector<std::pair<std::string, config::Value>> extra = {}) {
    return fx.fetch(connectors::aws_iam::connector_type(), aws_system(iam.base_url(), std::move(extra)), sink);
  }
  RecordCollector must_fetch(std::vector<std::pair<std::string, config::Value>> extra = {}) {
    RecordCollector sink;
    auto r = fetch(sink, std::move(extra));
    INFO(fx.log.joined());
    if (!r) FAIL(r.error().message());
    return sink;
  }
};

std::string when(const std::optional<UnixTime>& t) { return t ? format_iso8601(*t) : "never"; }

std::vector<std::string> credential_lines(const RecordCollector& c) {
  std::vector<std::string> out;
  for (const auto& k : c.credentials) {
    out.push_back(k.account_id + " | " + k.id + " | " + std::string(to_string(k.kind)) + " | " +
                  std::string(to_string(k.status)) + " | " + when(k.created_at) + " | " + when(k.last_used_at) + " | " +
                  k.last_used_where);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Json attrs_of(const RecordCollector& c, const std::string& id) {
  const Account* a = c.find_account(id);
  REQUIRE(a != nullptr);
  return Json::parse(a->attrs_json);
}

}  // namespace

TEST_CASE("aws-iam: groups, direct and group-attached policies, inline policies and trusted roles are grants",
          "[connector][aws][integration]") {
  IamAccount acct;
  RecordCollector c = acct.must_fetch();
  // carol holds AdministratorAccess through admins, bob directly: two grants that differ in via.
  CHECK(c.grant_lines() == std::vector<std::string>{
                               "alice | group:developers | member | direct",
                               "alice | policy:dev-access | member | group:developers",
                               "bob | inline-policy:bob-scratch | member | direct",
                               "bob | policy:AdministratorAccess | member | direct",
                               "carol | group:admins | member | direct",
                               "carol | inline-policy:admins-extra | member | group:admins",
                               "carol | policy:AdministratorAccess | member | group:admins",
                               "ci-deploy | role:deploy | member | direct",
                           });
  CHECK(c.entitlement_lines() == std::vector<std::string>{
                                     "group:admins", "group:developers", "inline-policy:admins-extra",
                                     "inline-policy:bob-scratch", "policy:AdministratorAccess !", "policy:dev-access",
                                     "role:audit", "role:deploy !", "role:ec2-app"});
  // A role trusting a service or another account grants no user anything; the principals are kept.
  Json ec2 = Json::parse(c.find_entitlement("role:ec2-app")->attrs_json);
  CHECK(ec2["trusted_principals"] == Json::array({"Service:ec2.amazonaws.com"}));
  Json audit = Json::parse(c.find_entitlement("role:audit")->attrs_json);
  CHECK(audit["trusted_principals"] == Json::array({"AWS:arn:aws:iam::999999999999:root"}));
  CHECK(audit["policies"] == Json::array({"SecurityAudit"}));
  Json deploy = Json::parse(c.find_entitlement("role:deploy")->attrs_json);
  CHECK(deploy["trusted_principals"] == Json::array());
  CHECK(acct.iam.bad_signatures() == 0);
}

TEST_CASE("aws-iam: users become accounts with kind, last login and MFA", "[connector][aws][integration]") {
  IamAccount acct;
  RecordCollector c = acct.must_fetch();
  REQUIRE(c.accounts.size() == 4);
  const Account* alice = c.find_account("alice");
  REQUIRE(alice != nullptr);
  CHECK(alice->login == "alice");
  CHECK(alice->kind == AccountKind::human);
  CHECK(when(alice->last_login) == "2026-11-30T08:15:00Z");
  CHECK(when(alice->created_at) == "2024-01-10T09:00:00Z");
  CHECK(c.find_account("ci-deploy")->kind == AccountKind::service);
  CHECK(c.find_account("bob")->kind == AccountKind::human);
  CHECK_FALSE(c.find_account("bob")->last_login.has_value());
  // alice has MFA and a console password; carol a password without MFA; bob neither.
  CHECK(attrs_of(c, "alice")["mfa_enrolled"] == true);
  CHECK(attrs_of(c, "carol")["mfa_enrolled"] == false);
  CHECK(attrs_of(c, "carol")["console_password"] == true);
  CHECK(attrs_of(c, "bob")["console_password"] == false);
  CHECK(attrs_of(c, "alice")["arn"] == "arn:aws:iam::123456789012:user/alice");
}

TEST_CASE("aws-iam: service_tag marks a tagged user as a service account, not one with another value",
          "[connector][aws][integration]") {
  IamAccount acct;
  acct.iam.users[1].tags = {{"kind", "service"}, {"team", "ops"}};  // bob
  acct.iam.users[2].tags = {{"kind", "human"}};                     // carol: the look-alike
  RecordCollector c = acct.must_fetch({{"service_tag", std::string("kind=service")}});
  CHECK(c.find_account("bob")->kind == AccountKind::service);
  CHECK(c.find_account("carol")->kind == AccountKind::human);
  CHECK(c.find_account("ci-deploy")->kind == AccountKind::service);  // by name, as before
  CHECK(acct.iam.requests("ListUserTags") == 4);
}

TEST_CASE("aws-iam: access keys and console passwords are credentials, an inactive key beside an active one",
          "[connector][aws][integration]") {
  IamAccount acct;
  RecordCollector c = acct.must_fetch();
  const std::vector<std::string> expected = {
      "alice | AKIAALICEACTIVE01 | access_key | active | 2025-06-01T00:00:00Z | 2026-11-29T10:00:00Z | s3 us-east-1",
      "alice | AKIAALICEOLD00002 | access_key | inactive | 2023-01-01T00:00:00Z | never | ",
      "alice | password | password | active | 2024-02-01T10:00:00Z | 2026-11-30T08:15:00Z | ",
      "carol | password | password | active | 2024-03-02T09:30:00Z | 2026-10-01T00:00:00Z | ",
      "ci-deploy | AKIACIDEPLOY00001 | access_key | active | 2020-01-02T00:00:00Z | 2020-06-01T00:00:00Z | sts eu-west-1",
  };
  CHECK(credential_lines(c) == expected);
  CHECK(acct.iam.requests("GetAccessKeyLastUsed") == 3);
  CHECK(acct.iam.requests("GetLoginProfile") == 4);

  SECTION("the credential report gives the same credentials with fewer requests") {
    IamAccount again;
    RecordCollector r = again.must_fetch({{"credential_report", true}});
    CHECK(credential_lines(r) == expected);
    CHECK(r.grant_lines() == c.grant_lines());
    CHECK(attrs_of(r, "alice")["mfa_enrolled"] == true);
    CHECK(attrs_of(r, "carol")["mfa_enrolled"] == false);
    CHECK(again.iam.requests("GetAccessKeyLastUsed") == 0);
    CHECK(again.iam.requests("GetLoginProfile") == 0);
    CHECK(again.iam.requests("ListMFADevices") == 0);
    CHECK(again.iam.requests("GetCredentialReport") == 1);
    CHECK(again.iam.requests() < acct.iam.requests());
  }
}

TEST_CASE("aws-iam: a user name with commas survives the credential report's unquoted CSV",
          "[connector][aws][integration]") {
  IamAccount acct;
  acct.iam.users[3].name = "ci,deploy";
  acct.iam.roles.clear();
  acct.iam.install();
  RecordCollector c = acct.must_fetch({{"credential_report", true}});
  CHECK(acct.iam.requests("GetAccessKeyLastUsed") == 0);
  REQUIRE(c.find_account("ci,deploy") != nullptr);
  CHECK(attrs_of(c, "ci,deploy")["mfa_enrolled"] == false);
  CHECK(credential_lines(c).back() ==
        "ci,deploy | AKIACIDEPLOY00001 | access_key | active | 2020-01-02T00:00:00Z | 2020-06-01T00:00:00Z | sts eu-west-1");
}

TEST_CASE("aws-iam: a key the credential report does not cover is read on its own", "[connector][aws][integration]") {
  IamAccount acct;
  // A third key: the report has two key slots per user, like one created after the report.
  acct.iam.users[0].keys.push_back({"AKIAALICENEWKEY03", "Active", "2026-12-02T00:00:00Z", "", "N/A", "N/A"});
  RecordCollector c = acct.must_fetch({{"credential_report", true}});
  CHECK(acct.iam.requests("GetAccessKeyLastUsed") == 1);
  CHECK(c.credentials.size() == 6);
}

TEST_CASE("aws-iam: every list is read across Marker pages", "[connector][aws][integration]") {
  IamAccount acct;
  acct.iam.max_page = 1;
  RecordCollector c = acct.must_fetch();
  CHECK(c.accounts.size() == 4);
  CHECK(c.grants.size() == 8);
  CHECK(acct.iam.requests("ListUsers") == 4);
  CHECK(acct.iam.requests("ListRoles") == 3);
}

TEST_CASE("aws-iam: throttling (HTTP 400 Throttling) is retried with backoff, reads succeed",
          "[connector][aws][integration]") {
  IamAccount acct;
  acct.iam.throttle("ListUsers", 2);
  acct.iam.throttle("ListAccessKeys", 1);
  RecordCollector c = acct.must_fetch();
  CHECK(c.accounts.size() == 4);
  CHECK(acct.sleeper.waits().size() == 3);
  CHECK(acct.fx.log.joined().find("aws: POST ListUsers page 1: HTTP 400 Throttling (throttled); retrying") !=
        std::string::npos);
}

TEST_CASE("aws-iam: a truncated page without a Marker leaves the snapshot partial, naming system and request",
          "[connector][aws][integration]") {
  IamAccount acct;
  acct.iam.truncate("GetGroup");
  connectors::Registry registry;
  registry.add(connectors::aws_iam::connector_type());
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  store::SnapshotStore snapshots(**db);
  auto outcome = connectors::take_snapshot(aws_system(acct.iam.base_url()), registry, acct.fx.env(), snapshots);
  REQUIRE(outcome.ok());
  REQUIRE(outcome->error.has_value());
  CHECK(outcome->error->message() ==
        "system \"aws\": GetGroup GroupName=admins page 1: the page is truncated (IsTruncated) but has no Marker for "
        "the next one");
  CHECK(outcome->info.status == SnapshotStatus::partial);
}

TEST_CASE("aws-iam: a refused request fails the fetch with AWS's code and message", "[connector][aws][integration]") {
  IamAccount acct;
  FakeServer::Fault denied;
  denied.kind = FakeServer::FaultKind::status;
  denied.path = "/";
  denied.status = 403;
  denied.body = "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: "
                "arn:aws:iam::123456789012:user/rollcall is not authorized to perform: iam:ListUsers</Message></Error>"
                "</ErrorResponse>";
  acct.server.inject(denied);
  RecordCollector c;
  auto r = acct.fetch(c);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() ==
        "ListUsers page 1: HTTP 403: AccessDenied: User: arn:aws:iam::123456789012:user/rollcall is not authorized "
        "to perform: iam:ListUsers");
}

TEST_CASE("aws-iam: credentials come from the keys, the standard variables or a profile file",
          "[connector][aws][integration]") {
  IamAccount acct;
  SECTION("no credentials anywhere") {
    ConnectorFixture bare{acct.factory, {}};
    auto sys = system_config("aws", "aws-iam", {{"endpoint", acct.iam.base_url()}});
    auto r = bare.create(connectors::aws_iam::connector_type(), sys);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() ==
          "rollcall.toml:1: system \"aws\" has no AWS credentials: set access_key_id_env and secret_access_key_env, "
          "or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile in ~/.aws/credentials");
  }
  SECTION("the standard variables") {
    ConnectorFixture std_env{acct.factory, {{"AWS_ACCESS_KEY_ID", "AKIDSTANDARD"}, {"AWS_SECRET_ACCESS_KEY", "s3cr3t"}}};
    RecordCollector c;
    auto sys = system_config("aws", "aws-iam", {{"endpoint", acct.iam.base_url()}});
    auto r = std_env.fetch(connectors::aws_iam::connector_type(), sys, c);
    INFO((r ? "" : r.error().message()));
    REQUIRE(r.ok());
    CHECK(acct.server.requests().back().authorization.find("Credential=AKIDSTANDARD/") != std::string::npos);
  }
  SECTION("a profile of the shared credentials file, chosen by AWS_PROFILE") {
    TempDir dir;
    auto file = dir.write("credentials", "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d\n\n"
                                         "# the audit profile\n[audit]\naws_access_key_id=AKIDAUDIT\n"
                                         "aws_secret_access_key=a/b+c\naws_session_token = tok\n");
    ConnectorFixture profiles{acct.factory, {{"AWS_SHARED_CREDENTIALS_FILE", file.string()}, {"AWS_PROFILE", "audit"}}};
    RecordCollector c;
    auto sys = system_config("aws", "aws-iam", {{"endpoint", acct.iam.base_url()}});
    auto r = profiles.fetch(connectors::aws_iam::connector_type(), sys, c);
    INFO((r ? "" : r.error().message()));
    REQUIRE(r.ok());
    CHECK(acct.server.requests().back().authorization.find("Credential=AKIDAUDIT/") != std::string::npos);
    CHECK(acct.server.requests().back().authorization.find("x-amz-security-token") != std::string::npos);

    auto missing = system_config("aws", "aws-iam", {{"endpoint", acct.iam.base_url()}, {"profile", std::string("prod")}});
    auto m = profiles.create(connectors::aws_iam::connector_type(), missing);
    REQUIRE_FALSE(m.ok());
    CHECK(m.error().message() == "rollcall.toml:5: \"" + file.string() + "\" has no profile \"prod\"");
  }
  SECTION("half a pair is an error") {
    auto sys = system_config("aws", "aws-iam", {{"endpoint", acct.iam.base_url()}, {"access_key_id_env", std::string("AWS_KEY_ID")}});
    auto r = acct.fx.create(connectors::aws_iam::connector_type(), sys);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() == "rollcall.toml:5: access_key_id_* and secret_access_key_* go together");
  }
}
