// The aws-iam writer against FakeIam: each change it supports read before and after, the
// run-twice deprovisioning incident, and the changes it must refuse.
#include <catch2/catch.hpp>

#include "connectors/aws_iam/aws_iam_connector.hpp"
#include "tests/integration/aws/aws_support.hpp"
#include "tests/support/writer_checks.hpp"

using namespace rollcall;
using namespace rollcall::testing;
using connectors::ChangeType;

namespace {

struct IamAccount {
  FakeServer server;
  FakeIam iam{server};
  RecordingSleeper sleeper;
  http::CurlTransportFactory factory{sleeper, [] { return 0.5; }};
  ConnectorFixture fx{factory, {{"AWS_KEY_ID", kAwsKeyId}, {"AWS_SECRET", kAwsSecret}}};
  std::unique_ptr<connectors::Writer> writer;

  IamAccount() {
    small_account(iam);
    iam.install();
    auto w = connectors::aws_iam::connector_type().create_writer(aws_system(iam.base_url()), fx.env());
    INFO((w ? "" : w.error().message()));
    REQUIRE(w.ok());
    writer = std::move(w).value();
  }
};

connectors::Change deactivate(const std::string& user, const std::string& credential) {
  auto c = make_change(ChangeType::deactivate_credential, user);
  c.credential_id = credential;
  return c;
}

// What a deprovisioning job does with one credential: read, and write only when it is active.
// Returns "deactivated" or "no-op (already inactive)" / "no-op (gone)".
std::string deprovision(connectors::Writer& w, const connectors::Change& c) {
  auto s = must_read(w, c);
  if (!s.credential_active) return "no-op (gone)";
  if (!*s.credential_active) return "no-op (already inactive)";
  must_write(w, c);
  auto after = must_read(w, c);
  REQUIRE_FALSE(after.credential_active.value_or(false));  // inactive, or (a password) gone
  return "deactivated";
}

}  // namespace

TEST_CASE("aws-iam writer: a deprovisioning job that runs twice finds the key already inactive",
          "[writer][aws][integration]") {
  IamAccount acct;
  const auto change = deactivate("ci-deploy", "AKIACIDEPLOY00001");
  CHECK(deprovision(*acct.writer, change) == "deactivated");
  CHECK(deprovision(*acct.writer, change) == "no-op (already inactive)");
  CHECK(acct.iam.writes() ==
        std::vector<std::string>{"UpdateAccessKey AccessKeyId=AKIACIDEPLOY00001 Status=Inactive UserName=ci-deploy"});
  CHECK(acct.iam.key_status("ci-deploy", "AKIACIDEPLOY00001") == "Inactive");
}

TEST_CASE("aws-iam writer: deactivating one key leaves the user's other key alone", "[writer][aws][integration]") {
  IamAccount acct;
  CHECK(must_read(*acct.writer, deactivate("alice", "AKIAALICEOLD00002")).credential_active == std::optional<bool>(false));
  CHECK(deprovision(*acct.writer, deactivate("alice", "AKIAALICEACTIVE01")) == "deactivated");
  CHECK(acct.iam.key_status("alice", "AKIAALICEOLD00002") == "Inactive");
  CHECK(must_read(*acct.writer, deactivate("alice", "AKIAGONE000000000")).credential_active == std::nullopt);
  CHECK(must_read(*acct.writer, deactivate("zed", "AKIAGONE000000000")).account_exists == false);
}

TEST_CASE("aws-iam writer: a console password is deactivated by deleting the login profile",
          "[writer][aws][integration]") {
  IamAccount acct;
  CHECK(deprovision(*acct.writer, deactivate("carol", "password")) == "deactivated");
  CHECK_FALSE(acct.iam.has_login_profile("carol"));
  CHECK(deprovision(*acct.writer, deactivate("carol", "password")) == "no-op (gone)");
  CHECK(deprovision(*acct.writer, deactivate("bob", "password")) == "no-op (gone)");
  CHECK(acct.iam.writes() == std::vector<std::string>{"DeleteLoginProfile UserName=carol"});
}

TEST_CASE("aws-iam writer: group membership and direct policy attachments are revoked; via-group ones are not",
          "[writer][aws][integration]") {
  IamAccount acct;
  auto group = make_change(ChangeType::revoke, "carol", "group:admins", "member");
  CHECK(level_of(must_read(*acct.writer, group)) == "member");
  must_write(*acct.writer, group);
  CHECK(level_of(must_read(*acct.writer, group)) == "absent");
  CHECK(acct.iam.members("admins").empty());

  auto direct = make_change(ChangeType::revoke, "bob", "policy:AdministratorAccess", "member");
  CHECK(level_of(must_read(*acct.writer, direct)) == "member");
  must_write(*acct.writer, direct);
  CHECK(level_of(must_read(*acct.writer, direct)) == "absent");
  CHECK(acct.iam.user_policies("bob").empty());

  // alice holds dev-access only through developers: nothing to detach from her.
  auto via_group = make_change(ChangeType::revoke, "alice", "policy:dev-access", "member");
  CHECK(level_of(must_read(*acct.writer, via_group)) == "absent");
  CHECK(acct.iam.writes() == std::vector<std::string>{
                                 "RemoveUserFromGroup GroupName=admins UserName=carol",
                                 "DetachUserPolicy PolicyArn=arn:aws:iam::aws:policy/AdministratorAccess UserName=bob"});
}

TEST_CASE("aws-iam writer: other changes are refused with the tickets hint", "[writer][aws][integration]") {
  IamAccount acct;
  auto grant = make_change(ChangeType::grant, "alice", "group:admins", "member");
  auto r = acct.writer->read(grant);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() ==
        "aws-iam cannot grant through its API; set apply_via = \"tickets\" on the system to file such changes as tickets");
  auto role = acct.writer->read(make_change(ChangeType::revoke, "ci-deploy", "role:deploy", "member"));
  REQUIRE_FALSE(role.ok());
  CHECK(acct.writer->write(make_change(ChangeType::disable_account, "alice")).ok() == false);
  CHECK(acct.iam.writes().empty());
}

TEST_CASE("aws-iam writer: a throttled write is retried (AWS refused it unprocessed); a 503 is not resent",
          "[writer][aws][integration]") {
  IamAccount acct;
  acct.iam.throttle("UpdateAccessKey", 1);
  must_write(*acct.writer, deactivate("ci-deploy", "AKIACIDEPLOY00001"));
  CHECK(acct.iam.requests("UpdateAccessKey") == 2);

  FakeServer::Fault down;
  down.kind = FakeServer::FaultKind::status;
  down.status = 503;
  down.body = "<ErrorResponse><Error><Code>ServiceUnavailable</Code><Message>try later</Message></Error></ErrorResponse>";
  acct.server.inject(down);
  auto r = acct.writer->write(deactivate("alice", "AKIAALICEACTIVE01"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() ==
        "UpdateAccessKey UserName=alice AccessKeyId=AKIAALICEACTIVE01 Status=Inactive: HTTP 503: ServiceUnavailable: "
        "try later");
  // The fake applied it and then answered 503: sent once, and a read shows what happened.
  CHECK(acct.iam.requests("UpdateAccessKey") == 3);
  CHECK(must_read(*acct.writer, deactivate("alice", "AKIAALICEACTIVE01")).credential_active == std::optional<bool>(false));
}
