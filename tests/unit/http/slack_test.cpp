#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "connectors/slack/slack_connector.hpp"
#include "tests/unit/http/support.hpp"

using namespace rollcall;
using namespace rollcall::testing;
using Reply = FakeTransport::Reply;
using Value = config::Value;

namespace {

const auto kType = connectors::slack::connector_type();

config::SystemConfig slack_system(std::vector<std::pair<std::string, Value>> extra = {}) {
  std::vector<std::pair<std::string, Value>> keys = {{"token_env", std::string("SLACK_TOKEN")},
                                                     {"base_url", std::string("https://slack.test/api")}};
  for (auto& kv : extra) keys.push_back(std::move(kv));
  return system_config("slack", "slack", keys);
}

const char* kAuth = R"({"ok":true,"url":"https://acme.slack.com/","team":"Acme","user":"audit","team_id":"T1","user_id":"U0"})";

const char* kUsers = R"({"ok":true,"members":[
  {"id":"U1","name":"pat","real_name":"Pat Primary","is_primary_owner":true,"is_owner":true,"is_admin":true,
   "has_2fa":true,"profile":{"email":"pat@acme.com"}},
  {"id":"U2","name":"oz","is_owner":true,"profile":{"real_name":"Oz Owner","email":"oz@acme.com"}},
  {"id":"U3","name":"ada","is_admin":true,"profile":{"email":"ada@acme.com"}},
  {"id":"U4","name":"gus","is_restricted":true,"profile":{"email":"gus@partner.com"}},
  {"id":"U5","name":"sam","is_restricted":true,"is_ultra_restricted":true,"profile":{}},
  {"id":"U6","name":"old","deleted":true,"profile":{"email":"old@acme.com"}},
  {"id":"B1","name":"deploybot","is_bot":true,"profile":{}},
  {"id":"USLACKBOT","name":"slackbot","is_bot":false,"profile":{}},
  {"id":"U7","name":"mo","profile":{"email":"mo@acme.com"}}],
  "response_metadata":{"next_cursor":""}})";

void script_workspace(FakeTransport& t) {
  t.on("GET /api/auth.test", Reply{200, kAuth});
  t.on("GET /api/users.list?limit=200", Reply{200, kUsers});
  t.on("GET /api/usergroups.list?include_disabled=false", Reply{200, R"({"ok":true,"usergroups":[
    {"id":"S1","handle":"oncall","name":"On call"},{"id":"S2","handle":"admins","name":"Admins"}]})"});
  t.on("GET /api/usergroups.users.list?usergroup=S1", Reply{200, R"({"ok":true,"users":["U3","U7","U8"]})"});
  t.on("GET /api/usergroups.users.list?usergroup=S2", Reply{200, R"({"ok":true,"users":["U1","U2"]})"});
  // U8 joined after users.list was read.
  t.on("GET /api/users.info?user=U8", Reply{200, R"({"ok":true,"user":{"id":"U8","name":"new","profile":{"email":"new@acme.com"}}})"});
}

std::string error_of(const Result<void>& r) {
  REQUIRE_FALSE(r.ok());
  return r.error().message();
}

}  // namespace

TEST_CASE("slack: users get their workspace role; deleted users hold nothing; bots are bots", "[connector][slack]") {
  FakeTransportFactory factory;
  ConnectorFixture fx(factory, {{"SLACK_TOKEN", "xoxb-secret"}});
  script_workspace(factory.transport);
  Collector sink;
  REQUIRE(fx.fetch(kType, slack_system(), sink).ok());
  CHECK(factory.transport.unscripted().empty());

  CHECK(sink.entitlement_ids() == std::vector<std::string>{"usergroup:admins", "usergroup:oncall", "workspace:acme"});
  CHECK(sink.grant_lines() == std::vector<std::string>{
                                  "B1 workspace:acme member direct",
                                  "U1 usergroup:admins member direct",
                                  "U1 workspace:acme owner direct",
                                  "U2 usergroup:admins member direct",
                                  "U2 workspace:acme owner direct",
                                  "U3 usergroup:oncall member direct",
                                  "U3 workspace:acme admin direct",
                                  "U4 workspace:acme guest direct",
                                  "U5 workspace:acme guest direct",
                                  "U7 usergroup:oncall member direct",
                                  "U7 workspace:acme member direct",
                                  "U8 usergroup:oncall member direct",
                                  "U8 workspace:acme member direct",
                                  "USLACKBOT workspace:acme member direct",
                              });
  const Account* pat = sink.find_account("U1");
  REQUIRE(pat != nullptr);
  CHECK(pat->login == "pat");
  CHECK(pat->email == "pat@acme.com");
  CHECK(pat->display_name == "Pat Primary");
  auto attrs = nlohmann::json::parse(pat->attrs_json);
  CHECK(attrs["primary_owner"] == true);
  CHECK(attrs["two_factor_enabled"] == true);
  CHECK(sink.find_account("U2")->display_name == "Oz Owner");
  CHECK(nlohmann::json::parse(sink.find_account("U5")->attrs_json)["guest_type"] == "single_channel");
  CHECK(nlohmann::json::parse(sink.find_account("U4")->attrs_json)["guest_type"] == "multi_channel");
  CHECK(sink.find_account("U6")->status == AccountStatus::disabled);
  CHECK(sink.find_account("B1")->kind == AccountKind::bot);
  CHECK(sink.find_account("USLACKBOT")->kind == AccountKind::builtin);
  CHECK(sink.find_account("U7")->kind == AccountKind::human);
}

TEST_CASE("slack: private channels are read when asked for", "[connector][slack]") {
  FakeTransportFactory factory;
  ConnectorFixture fx(factory, {{"SLACK_TOKEN", "xoxb-secret"}});
  script_workspace(factory.transport);
  auto& t = factory.transport;
  t.on("GET /api/conversations.list?types=private_channel&exclude_archived=true&limit=200",
       Reply{200, R"({"ok":true,"channels":[{"id":"C1","name":"finance","is_private":true}],"response_metadata":{"next_cursor":"n1"}})"});
  t.on("GET /api/conversations.list?types=private_channel&exclude_archived=true&limit=200&cursor=n1",
       Reply{200, R"({"ok":true,"channels":[{"id":"C2","name":"incident-42","is_private":true}],"response_metadata":{"next_cursor":""}})"});
  t.on("GET /api/conversations.members?channel=C1&limit=200",
       Reply{200, R"({"ok":true,"members":["U1","U3"],"response_metadata":{"next_cursor":"m2"}})"});
  t.on("GET /api/conversations.members?channel=C1&limit=200&cursor=m2",
       Reply{200, R"({"ok":true,"members":["U4"],"response_metadata":{"next_cursor":""}})"});
  t.on("GET /api/conversations.members?channel=C2&limit=200", Reply{200, R"({"ok":true,"members":["U7"]})"});
  Collector sink;
  REQUIRE(fx.fetch(kType, slack_system({{"private_channels", true}}), sink).ok());
  auto lines = sink.grant_lines();
  for (const char* expected : {"U1 channel:finance member direct", "U3 channel:finance member direct",
                               "U4 channel:finance member direct", "U7 channel:incident-42 member direct"}) {
    CHECK(std::count(lines.begin(), lines.end(), expected) == 1);
  }
}

TEST_CASE("slack: a missing scope is a configuration error naming the scope", "[connector][slack]") {
  FakeTransportFactory factory;
  ConnectorFixture fx(factory, {{"SLACK_TOKEN", "xoxb-secret"}});
  auto& t = factory.transport;
  t.on("GET /api/auth.test", Reply{200, kAuth});
  t.on("GET /api/users.list?limit=200", Reply{200, kUsers});
  t.on("GET /api/usergroups.list?include_disabled=false",
       Reply{200, R"({"ok":false,"error":"missing_scope","needed":"usergroups:read","provided":"users:read,users:read.email"})"});
  Collector sink;
  CHECK(error_of(fx.fetch(kType, slack_system(), sink)) ==
        "GET /api/usergroups.list?include_disabled=false: Slack error missing_scope: the token lacks the scope "
        "usergroups:read (it has users:read,users:read.email)");
}

TEST_CASE("slack: a rejected token fails at auth.test, once", "[connector][slack]") {
  FakeTransportFactory factory;
  ConnectorFixture fx(factory, {{"SLACK_TOKEN", "xoxb-secret"}});
  factory.transport.on("GET /api/auth.test", Reply{200, R"({"ok":false,"error":"invalid_auth"})"});
  Collector sink;
  CHECK(error_of(fx.fetch(kType, slack_system(), sink)) ==
        "GET /api/auth.test: Slack error invalid_auth: the token from environment variable SLACK_TOKEN was rejected");
  CHECK(factory.transport.sent().size() == 1);
}
