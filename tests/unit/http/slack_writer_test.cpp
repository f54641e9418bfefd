#include <catch2/catch.hpp>

#include "connectors/slack/slack_connector.hpp"
#include "tests/support/writer_checks.hpp"
#include "tests/unit/http/writer_support.hpp"

using namespace rollcall;
using namespace rollcall::testing;
using connectors::Change;
using connectors::ChangeType;
using Reply = FakeTransport::Reply;

namespace {

const auto kType = connectors::slack::connector_type();

const char* kGroups = R"({"ok":true,"usergroups":[
  {"id":"S1","handle":"oncall","name":"On call"},{"id":"S2","handle":"admins","name":"Admins"}]})";

std::string members(const std::string& ids) { return R"({"ok":true,"users":[)" + ids + "]}"; }

struct Fixture {
  FakeTransportFactory factory;
  ConnectorFixture fx{factory, {{"SLACK_TOKEN", "xoxb-secret"}}};
  FakeTransport& t = factory.transport;
  std::unique_ptr<connectors::Writer> w = make_writer(
      fx, kType,
      system_config("slack", "slack",
                    {{"token_env", std::string("SLACK_TOKEN")}, {"base_url", std::string("https://slack.test/api")}}));

  Fixture() { t.on("GET /api/usergroups.list?include_disabled=false", Reply{200, kGroups}); }
  int count(const std::string& target) const {
    auto all = t.targets();
    return static_cast<int>(std::count(all.begin(), all.end(), target));
  }
};

}  // namespace

TEST_CASE("slack writer: usergroup membership is read by handle; the group list is read once per run",
          "[connector][slack][writer]") {
  Fixture f;
  f.t.on("GET /api/usergroups.users.list?usergroup=S1", Reply{200, members(R"("U3","U7")")});
  auto in = f.w->read(make_change(ChangeType::revoke, "U7", "usergroup:oncall"));
  auto out = f.w->read(make_change(ChangeType::grant, "U9", "usergroup:oncall", "member"));
  REQUIRE(in.ok());
  REQUIRE(out.ok());
  CHECK(level_of(*in) == "member");
  CHECK(level_of(*out) == "absent");
  CHECK(f.count("GET /api/usergroups.list?include_disabled=false") == 1);
  CHECK(error_text(f.w->read(make_change(ChangeType::grant, "U9", "usergroup:nobody", "member"))) ==
        "usergroup \"nobody\": no enabled user group has this handle");
}

TEST_CASE("slack writer: grant and revoke send the whole list, re-read right before the update",
          "[connector][slack][writer]") {
  Fixture f;
  f.t.on("GET /api/usergroups.users.list?usergroup=S1", Reply{200, members(R"("U3","U7")")});
  f.t.on("POST /api/usergroups.users.update", Reply{200, R"({"ok":true,"usergroup":{"id":"S1"}})"});
  const Change grant = make_change(ChangeType::grant, "U9", "usergroup:oncall", "member");
  REQUIRE(f.w->read(grant).ok());
  REQUIRE(f.w->write(grant).ok());
  const Change revoke = make_change(ChangeType::revoke, "U3", "usergroup:oncall");
  REQUIRE(f.w->read(revoke).ok());
  REQUIRE(f.w->write(revoke).ok());
  CHECK(writes(f.t) == std::vector<std::string>{"POST /api/usergroups.users.update usergroup=S1&users=U3%2CU7%2CU9",
                                                "POST /api/usergroups.users.update usergroup=S1&users=U7"});
  CHECK(f.count("GET /api/usergroups.users.list?usergroup=S1") == 4);  // each read, and again before each update
  const auto sent = f.t.sent().back();
  CHECK(std::any_of(sent.headers.begin(), sent.headers.end(), [](const http::Header& h) {
    return h.name == "Content-Type" && h.value == "application/x-www-form-urlencoded";
  }));
}

TEST_CASE("slack writer: a group changed since it was read is not overwritten", "[connector][slack][writer]") {
  Fixture f;
  f.t.on("GET /api/usergroups.users.list?usergroup=S1",
         {Reply{200, members(R"("U3","U7")")}, Reply{200, members(R"("U7","U8")")}});
  const Change grant = make_change(ChangeType::grant, "U9", "usergroup:oncall", "member");
  REQUIRE(f.w->read(grant).ok());
  CHECK(error_text(f.w->write(grant)) ==
        "usergroup \"oncall\" (S1) changed since it was read (+U8 -U3); not updated, so that the other change is not "
        "overwritten");
  CHECK(writes(f.t).empty());
}

TEST_CASE("slack writer: removing a group's last member is refused", "[connector][slack][writer]") {
  Fixture f;
  f.t.on("GET /api/usergroups.users.list?usergroup=S2", Reply{200, members(R"("U1")")});
  const Change revoke = make_change(ChangeType::revoke, "U1", "usergroup:admins");
  REQUIRE(f.w->read(revoke).ok());
  CHECK(error_text(f.w->write(revoke)) ==
        "usergroup \"admins\" (S2): cannot remove U1, its last member: Slack cannot empty a user group "
        "(usergroups.users.update rejects an empty list); disable the group in Slack instead");
  CHECK(writes(f.t).empty());
}

TEST_CASE("slack writer: \"ok\": false on HTTP 200 is a failure naming Slack's error", "[connector][slack][writer]") {
  Fixture f;
  f.t.on("GET /api/usergroups.users.list?usergroup=S1", Reply{200, members(R"("U3")")});
  f.t.on(
      "POST /api/usergroups.users.update",
      {Reply{200, R"({"ok":false,"error":"permission_denied"})"},
       Reply{200, R"({"ok":false,"error":"missing_scope","needed":"usergroups:write","provided":"usergroups:read"})"}});
  const Change grant = make_change(ChangeType::grant, "U9", "usergroup:oncall", "member");
  CHECK(error_text(f.w->write(grant)) == "POST /api/usergroups.users.update: Slack error permission_denied");
  CHECK(error_text(f.w->write(grant)) ==
        "POST /api/usergroups.users.update: Slack error missing_scope: the token lacks the scope usergroups:write (it "
        "has usergroups:read)");
  f.t.on("GET /api/usergroups.users.list?usergroup=S2", Reply{200, R"({"ok":false,"error":"no_such_subteam"})"});
  CHECK(error_text(f.w->read(make_change(ChangeType::revoke, "U1", "usergroup:admins"))) ==
        "GET /api/usergroups.users.list?usergroup=S2: Slack error no_such_subteam");
}

TEST_CASE("slack writer: private channel members are invited and kicked", "[connector][slack][writer]") {
  Fixture f;
  f.t.on(
      "GET /api/conversations.list?types=private_channel&exclude_archived=true&limit=200",
      Reply{200, R"({"ok":true,"channels":[{"id":"C1","name":"incidents"}],"response_metadata":{"next_cursor":""}})"});
  f.t.on("GET /api/conversations.members?channel=C1&limit=200",
         Reply{200, R"({"ok":true,"members":["U3"],"response_metadata":{"next_cursor":""}})"});
  f.t.on("POST /api/conversations.invite", Reply{200, R"({"ok":true,"channel":{"id":"C1"}})"});
  f.t.on("POST /api/conversations.kick",
         {Reply{200, R"({"ok":true})"}, Reply{200, R"({"ok":false,"error":"user_not_found"})"}});
  auto in = f.w->read(make_change(ChangeType::revoke, "U3", "channel:incidents"));
  REQUIRE(in.ok());
  CHECK(level_of(*in) == "member");
  REQUIRE(f.w->write(make_change(ChangeType::grant, "U9", "channel:incidents", "member")).ok());
  REQUIRE(f.w->write(make_change(ChangeType::revoke, "U3", "channel:incidents")).ok());
  CHECK(writes(f.t) == std::vector<std::string>{"POST /api/conversations.invite channel=C1&users=U9",
                                                "POST /api/conversations.kick channel=C1&user=U3"});
  // The read side lets user_not_found pass (a user deleted meanwhile); a write never does.
  CHECK(error_text(f.w->write(make_change(ChangeType::revoke, "U404", "channel:incidents"))) ==
        "POST /api/conversations.kick: Slack error user_not_found");
  CHECK(error_text(f.w->read(make_change(ChangeType::grant, "U9", "channel:general", "member"))) ==
        "channel \"general\": no private channel of this name is visible to the token");
}

TEST_CASE("slack writer: workspace roles and accounts are unsupported, pointing at SCIM and tickets",
          "[connector][slack][writer]") {
  Fixture f;
  CHECK(error_text(f.w->read(make_change(ChangeType::set_level, "U3", "workspace:acme", "admin"))) ==
        "slack cannot set_level through its API; set apply_via = \"tickets\" on the system to file such changes as "
        "tickets (workspace:acme: Slack's Web API cannot change workspace roles)");
  CHECK(error_text(f.w->read(make_change(ChangeType::disable_account, "U3", ""))) ==
        "slack cannot disable_account through its API; set apply_via = \"tickets\" on the system to file such changes "
        "as tickets (Slack's Web API cannot create or deactivate users; Slack's SCIM API can: manage accounts with a "
        "system of type \"scim\")");
  CHECK(error_text(f.w->write(make_change(ChangeType::create_account, "new@acme.com", "", "active"))) ==
        "slack cannot create_account through its API; set apply_via = \"tickets\" on the system to file such changes "
        "as tickets (Slack's Web API cannot create or deactivate users; Slack's SCIM API can: manage accounts with a "
        "system of type \"scim\")");
  CHECK(f.t.sent().empty());
}

TEST_CASE("slack writer: apply reads, writes, verifies; a second apply writes nothing",
          "[connector][slack][writer][apply]") {
  Fixture f;
  f.t.on("GET /api/usergroups.users.list?usergroup=S1",
         {Reply{200, members(R"("U3","U7")")},         // read before acting
          Reply{200, members(R"("U3","U7")")},         // re-read right before the update
          Reply{200, members(R"("U3","U7","U9")")}});  // verify, and every later read
  f.t.on("POST /api/usergroups.users.update", Reply{200, R"({"ok":true})"});
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  plan::Plan p;
  p.id = "plan1";
  p.actions = {plan_action(plan::ActionType::grant, "slack", "U9", "usergroup:oncall", "absent", "member")};
  CHECK(apply_with(p, **db, *f.w) == std::vector<std::string>{"done"});
  p.id = "plan2";
  CHECK(apply_with(p, **db, *f.w) == std::vector<std::string>{"noop"});
  CHECK(writes(f.t) == std::vector<std::string>{"POST /api/usergroups.users.update usergroup=S1&users=U3%2CU7%2CU9"});
}

TEST_CASE("slack writer: under apply, a concurrent change is kept: refused once, then retried on the fresh list",
          "[connector][slack][writer][apply]") {
  Fixture f;
  f.t.on("GET /api/usergroups.users.list?usergroup=S1",
         {Reply{200, members(R"("U3","U7")")},       // apply reads: the plan's before-state
          Reply{200, members(R"("U3","U7","U8")")},  // someone added U8: the write refuses
          Reply{200, members(R"("U3","U7","U8")")},  // apply reads again: still absent, retry
          Reply{200, members(R"("U3","U7","U8")")},  // re-read before the update: unchanged
          Reply{200, members(R"("U3","U7","U8","U9")")}});
  f.t.on("POST /api/usergroups.users.update", Reply{200, R"({"ok":true})"});
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  plan::Plan p;
  p.id = "plan1";
  p.actions = {plan_action(plan::ActionType::grant, "slack", "U9", "usergroup:oncall", "absent", "member")};
  CHECK(apply_with(p, **db, *f.w) == std::vector<std::string>{"done"});
  CHECK(writes(f.t) ==
        std::vector<std::string>{"POST /api/usergroups.users.update usergroup=S1&users=U3%2CU7%2CU8%2CU9"});
}

TEST_CASE("slack writer: an update that timed out after taking effect is verified by apply, not sent again",
          "[connector][slack][writer][apply]") {
  Fixture f;
  f.t.on("GET /api/usergroups.users.list?usergroup=S1",
         {Reply{200, members(R"("U3")")}, Reply{200, members(R"("U3")")}, Reply{200, members(R"("U3","U9")")}});
  Reply timeout;
  timeout.network_error = "timed out after 60000 ms";
  f.t.on("POST /api/usergroups.users.update", timeout);
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  plan::Plan p;
  p.id = "plan1";
  p.actions = {plan_action(plan::ActionType::grant, "slack", "U9", "usergroup:oncall", "absent", "member")};
  CHECK(apply_with(p, **db, *f.w) ==
        std::vector<std::string>{
            "done: the write took effect despite: POST /api/usergroups.users.update: timed out after 60000 ms"});
  CHECK(writes(f.t).size() == 1);
}
