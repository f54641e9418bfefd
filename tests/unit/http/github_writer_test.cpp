#include <catch2/catch.hpp>

#include "connectors/github/github_connector.hpp"
#include "tests/support/writer_checks.hpp"
#include "tests/unit/http/writer_support.hpp"

using namespace rollcall;
using namespace rollcall::testing;
using connectors::Change;
using connectors::ChangeType;
using Reply = FakeTransport::Reply;
using Value = config::Value;

namespace {

const auto kType = connectors::github::connector_type();
const std::string kApi = "/api/v3";

config::SystemConfig github_system() {
  return system_config("github", "github",
                       {{"org", std::string("acme")},
                        {"token_env", std::string("GITHUB_TOKEN")},
                        {"base_url", std::string("https://gh.test/api/v3")}});
}

struct Fixture {
  FakeTransportFactory factory;
  ConnectorFixture fx{factory, {{"GITHUB_TOKEN", "ghp-secret"}}};
  FakeTransport& t = factory.transport;
  std::unique_ptr<connectors::Writer> w = make_writer(fx, kType, github_system());
};

}  // namespace

TEST_CASE("github writer: team grant reads 404 as absent once the team is visible, then PUTs the role",
          "[connector][github][writer]") {
  Fixture f;
  f.t.on("GET " + kApi + "/orgs/acme/teams/eng/memberships/carol", Reply{404, R"({"message":"Not Found"})"});
  f.t.on("GET " + kApi + "/orgs/acme/teams/eng", Reply{200, R"({"slug":"eng"})"});
  f.t.on("PUT " + kApi + "/orgs/acme/teams/eng/memberships/carol", Reply{200, R"({"role":"member","state":"active"})"});
  const Change grant = make_change(ChangeType::grant, "carol", "team:eng", "member");
  auto live = f.w->read(grant);
  REQUIRE(live.ok());
  CHECK(level_of(*live) == "absent");
  REQUIRE(f.w->write(grant).ok());
  CHECK(writes(f.t) ==
        std::vector<std::string>{"PUT /api/v3/orgs/acme/teams/eng/memberships/carol {\"role\":\"member\"}"});
  const auto sent = f.t.sent().back();
  CHECK(std::any_of(sent.headers.begin(), sent.headers.end(),
                    [](const http::Header& h) { return h.name == "Content-Type" && h.value == "application/json"; }));
}

TEST_CASE("github writer: a pending team membership reads as its role", "[connector][github][writer]") {
  Fixture f;
  f.t.on("GET " + kApi + "/orgs/acme/teams/eng/memberships/newbie",
         Reply{200, R"({"role":"maintainer","state":"pending"})"});
  auto live = f.w->read(make_change(ChangeType::grant, "newbie", "team:eng", "maintainer"));
  REQUIRE(live.ok());
  CHECK(level_of(*live) == "maintainer");
}

TEST_CASE("github writer: a 404 for a team the token cannot see is an error, never absent",
          "[connector][github][writer]") {
  Fixture f;
  f.t.on("GET " + kApi + "/orgs/acme/teams/secret/memberships/carol", Reply{404, R"({"message":"Not Found"})"});
  f.t.on("GET " + kApi + "/orgs/acme/teams/secret", Reply{404, R"({"message":"Not Found"})"});
  auto live = f.w->read(make_change(ChangeType::revoke, "carol", "team:secret"));
  CHECK(error_text(live) ==
        "GET /api/v3/orgs/acme/teams/secret: team \"secret\" of acme does not exist or is not visible to the token, "
        "so its memberships cannot be read");
}

TEST_CASE("github writer: team set_level PUTs the new role, revoke DELETEs the membership",
          "[connector][github][writer]") {
  Fixture f;
  f.t.on("PUT " + kApi + "/orgs/acme/teams/eng/memberships/bob",
         Reply{200, R"({"role":"maintainer","state":"active"})"});
  f.t.on("DELETE " + kApi + "/orgs/acme/teams/eng/memberships/bob", Reply{204, ""});
  REQUIRE(f.w->write(make_change(ChangeType::set_level, "bob", "team:eng", "maintainer")).ok());
  REQUIRE(f.w->write(make_change(ChangeType::revoke, "bob", "team:eng")).ok());
  CHECK(writes(f.t) ==
        std::vector<std::string>{"PUT /api/v3/orgs/acme/teams/eng/memberships/bob {\"role\":\"maintainer\"}",
                                 "DELETE /api/v3/orgs/acme/teams/eng/memberships/bob"});
}

TEST_CASE("github writer: a level the entitlement does not have is refused before any request",
          "[connector][github][writer]") {
  Fixture f;
  CHECK(error_text(f.w->write(make_change(ChangeType::grant, "bob", "team:eng", "admin"))) ==
        "team:eng: level \"admin\" is not one of maintainer, member");
  CHECK(error_text(f.w->write(make_change(ChangeType::set_level, "bob", "org:acme", "owner"))) ==
        "org:acme: level \"owner\" is not one of admin, member");
  CHECK(f.t.sent().empty());
}

TEST_CASE("github writer: org membership reads its role, pending included; PUT and DELETE write it",
          "[connector][github][writer]") {
  Fixture f;
  f.t.on("GET " + kApi + "/orgs/acme/memberships/bob", Reply{200, R"({"role":"admin","state":"active"})"});
  f.t.on("GET " + kApi + "/orgs/acme/memberships/newbie", Reply{200, R"({"role":"member","state":"pending"})"});
  f.t.on("PUT " + kApi + "/orgs/acme/memberships/bob", Reply{200, R"({"role":"member","state":"active"})"});
  f.t.on("DELETE " + kApi + "/orgs/acme/memberships/newbie", Reply{204, ""});
  auto bob = f.w->read(make_change(ChangeType::set_level, "bob", "org:acme", "member"));
  REQUIRE(bob.ok());
  CHECK(level_of(*bob) == "admin");
  auto newbie = f.w->read(make_change(ChangeType::grant, "newbie", "org:Acme", "member"));  // org names ignore case
  REQUIRE(newbie.ok());
  CHECK(level_of(*newbie) == "member");
  REQUIRE(f.w->write(make_change(ChangeType::set_level, "bob", "org:acme", "member")).ok());
  REQUIRE(f.w->write(make_change(ChangeType::revoke, "newbie", "org:acme")).ok());
  CHECK(writes(f.t) == std::vector<std::string>{"PUT /api/v3/orgs/acme/memberships/bob {\"role\":\"member\"}",
                                                "DELETE /api/v3/orgs/acme/memberships/newbie"});
}

TEST_CASE("github writer: another organization or an unknown entitlement is an error", "[connector][github][writer]") {
  Fixture f;
  CHECK(error_text(f.w->read(make_change(ChangeType::grant, "bob", "org:other", "member"))) ==
        "\"org:other\" is not this system's organization \"acme\"");
  CHECK(error_text(f.w->read(make_change(ChangeType::grant, "bob", "role:admin", "member"))) ==
        "\"role:admin\" is not a GitHub entitlement (team:<slug>, org:<org>, repo:<name>)");
}

TEST_CASE("github writer: repository permissions are unsupported, saying why", "[connector][github][writer]") {
  Fixture f;
  const std::string expected =
      "github cannot grant through its API; set apply_via = \"tickets\" on the system to file such changes as tickets "
      "(repo:api: GitHub's API reports only a user's highest permission on a repository, from any source (direct, "
      "team, organization), so the direct collaborator grant cannot be read before or after a change)";
  CHECK(error_text(f.w->read(make_change(ChangeType::grant, "bob", "repo:api", "write"))) == expected);
  CHECK(error_text(f.w->write(make_change(ChangeType::grant, "bob", "repo:api", "write"))) == expected);
  CHECK(f.t.sent().empty());
}

TEST_CASE("github writer: disable_account removes an org member, pending or active", "[connector][github][writer]") {
  Fixture f;
  f.t.on("GET " + kApi + "/orgs/acme/memberships/bob",
         {Reply{200, R"({"role":"member","state":"active"})"}, Reply{200, R"({"role":"member","state":"active"})"},
          Reply{404, R"({"message":"Not Found"})"}});
  f.t.on("GET " + kApi + "/orgs/acme", Reply{200, R"({"login":"acme"})"});
  f.t.on("GET " + kApi + "/orgs/acme/outside_collaborators?per_page=100", Reply{200, "[]"});
  f.t.on("DELETE " + kApi + "/orgs/acme/memberships/bob", Reply{204, ""});
  const Change disable = make_change(ChangeType::disable_account, "bob", "");
  auto before = f.w->read(disable);
  REQUIRE(before.ok());
  CHECK(before->account_active);
  REQUIRE(f.w->write(disable).ok());
  auto after = f.w->read(disable);
  REQUIRE(after.ok());
  CHECK(after->account_exists);
  CHECK_FALSE(after->account_active);  // "disabled": no membership, no invitation, no repository access
  CHECK(writes(f.t) == std::vector<std::string>{"DELETE /api/v3/orgs/acme/memberships/bob"});
}

TEST_CASE("github writer: disable_account removes an outside collaborator from every repository",
          "[connector][github][writer]") {
  Fixture f;
  f.t.on("GET " + kApi + "/orgs/acme/memberships/xavier", Reply{404, R"({"message":"Not Found"})"});
  f.t.on("GET " + kApi + "/orgs/acme", Reply{200, R"({"login":"acme"})"});
  f.t.on(
      "GET " + kApi + "/orgs/acme/outside_collaborators?per_page=100",
      {Reply{200, R"([{"login":"Xavier","id":9}])"}, Reply{200, R"([{"login":"Xavier","id":9}])"}, Reply{200, "[]"}});
  f.t.on("DELETE " + kApi + "/orgs/acme/outside_collaborators/xavier", Reply{204, ""});
  const Change disable = make_change(ChangeType::disable_account, "xavier", "");
  auto before = f.w->read(disable);
  REQUIRE(before.ok());
  CHECK(before->account_active);
  REQUIRE(f.w->write(disable).ok());
  auto after = f.w->read(disable);
  REQUIRE(after.ok());
  CHECK_FALSE(after->account_active);
  CHECK(writes(f.t) == std::vector<std::string>{"DELETE /api/v3/orgs/acme/outside_collaborators/xavier"});
}

TEST_CASE("github writer: create_account invites by email; a pending invitation reads as created",
          "[connector][github][writer]") {
  Fixture f;
  f.t.on(
      "GET " + kApi + "/orgs/acme/invitations?per_page=100",
      {Reply{200, R"([{"id":5,"login":null,"email":"other@acme.com"}])"},
       Reply{200,
             R"([{"id":5,"login":null,"email":"other@acme.com"},{"id":7,"login":null,"email":"New.Hire@acme.com"}])"}});
  f.t.on("POST " + kApi + "/orgs/acme/invitations", Reply{201, R"({"id":7,"email":"new.hire@acme.com"})"});
  const Change create = make_change(ChangeType::create_account, "new.hire@acme.com", "", "active");
  auto before = f.w->read(create);
  REQUIRE(before.ok());
  CHECK_FALSE(before->account_exists);
  REQUIRE(f.w->write(create).ok());
  auto after = f.w->read(create);
  REQUIRE(after.ok());
  CHECK(after->account_exists);
  CHECK(after->account_active);
  CHECK(writes(f.t) ==
        std::vector<std::string>{
            "POST /api/v3/orgs/acme/invitations {\"email\":\"new.hire@acme.com\",\"role\":\"direct_member\"}"});
  CHECK(error_text(f.w->write(make_change(ChangeType::create_account, "newhire", "", "active"))) ==
        "create_account: \"newhire\" is not an email address; GitHub invites people by email");
}

TEST_CASE("github writer: a failed write names the request and GitHub's reason", "[connector][github][writer]") {
  Fixture f;
  f.t.on("PUT " + kApi + "/orgs/acme/teams/eng/memberships/bob",
         Reply{403, R"({"message":"Team membership is managed by your identity provider"})"});
  CHECK(error_text(f.w->write(make_change(ChangeType::grant, "bob", "team:eng", "member"))) ==
        "PUT /api/v3/orgs/acme/teams/eng/memberships/bob: HTTP 403: Team membership is managed by your identity "
        "provider");
}

TEST_CASE("github writer: apply reads, writes, verifies; a second apply writes nothing",
          "[connector][github][writer][apply]") {
  Fixture f;
  f.t.on("GET " + kApi + "/orgs/acme/teams/eng/memberships/carol",
         {Reply{404, R"({"message":"Not Found"})"}, Reply{200, R"({"role":"member","state":"active"})"}});
  f.t.on("GET " + kApi + "/orgs/acme/teams/eng", Reply{200, R"({"slug":"eng"})"});
  f.t.on("PUT " + kApi + "/orgs/acme/teams/eng/memberships/carol", Reply{200, R"({"role":"member","state":"active"})"});
  // Inviting a stranger to the organization: the membership stays pending, and reads as done.
  f.t.on("GET " + kApi + "/orgs/acme/memberships/newbie",
         {Reply{404, R"({"message":"Not Found"})"}, Reply{200, R"({"role":"member","state":"pending"})"}});
  f.t.on("GET " + kApi + "/orgs/acme", Reply{200, R"({"login":"acme"})"});
  f.t.on("PUT " + kApi + "/orgs/acme/memberships/newbie", Reply{200, R"({"role":"member","state":"pending"})"});
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  plan::Plan p;
  p.id = "plan1";
  p.actions = {plan_action(plan::ActionType::grant, "github", "carol", "team:eng", "absent", "member"),
               plan_action(plan::ActionType::grant, "github", "newbie", "org:acme", "absent", "member")};
  CHECK(apply_with(p, **db, *f.w) == std::vector<std::string>{"done", "done"});
  CHECK(writes(f.t) ==
        std::vector<std::string>{"PUT /api/v3/orgs/acme/teams/eng/memberships/carol {\"role\":\"member\"}",
                                 "PUT /api/v3/orgs/acme/memberships/newbie {\"role\":\"member\"}"});
  // The same plan again: the journal says done. A new plan of the same changes: the live reads say so.
  CHECK(apply_with(p, **db, *f.w) == std::vector<std::string>{"noop: applied by an earlier run (journal)",
                                                              "noop: applied by an earlier run (journal)"});
  p.id = "plan2";
  CHECK(apply_with(p, **db, *f.w) == std::vector<std::string>{"noop", "noop"});
  CHECK(writes(f.t).size() == 2);
}

TEST_CASE("github writer: a PUT that timed out after taking effect is verified by apply, not sent again",
          "[connector][github][writer][apply]") {
  Fixture f;
  f.t.on("GET " + kApi + "/orgs/acme/teams/eng/memberships/carol",
         {Reply{404, R"({"message":"Not Found"})"}, Reply{200, R"({"role":"maintainer","state":"active"})"}});
  f.t.on("GET " + kApi + "/orgs/acme/teams/eng", Reply{200, R"({"slug":"eng"})"});
  Reply timeout;
  timeout.network_error = "timed out after 60000 ms";
  f.t.on("PUT " + kApi + "/orgs/acme/teams/eng/memberships/carol", timeout);
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  plan::Plan p;
  p.id = "plan1";
  p.actions = {plan_action(plan::ActionType::grant, "github", "carol", "team:eng", "absent", "maintainer")};
  const auto outcome = apply_with(p, **db, *f.w);
  REQUIRE(outcome.size() == 1);
  CHECK(outcome[0] ==
        "done: the write took effect despite: PUT /api/v3/orgs/acme/teams/eng/memberships/carol: timed out after "
        "60000 ms");
  CHECK(writes(f.t).size() == 1);
}
