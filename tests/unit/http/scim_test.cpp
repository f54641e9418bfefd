#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "connectors/scim/scim_connector.hpp"
#include "tests/unit/http/support.hpp"

using namespace rollcall;
using namespace rollcall::testing;
using Reply = FakeTransport::Reply;
using Value = config::Value;

namespace {

const auto kType = connectors::scim::connector_type();

config::SystemConfig scim_system(std::vector<std::pair<std::string, Value>> extra = {}) {
  std::vector<std::pair<std::string, Value>> keys = {{"base_url", std::string("https://idp.test/scim/v2")},
                                                     {"token_env", std::string("SCIM_TOKEN")}};
  for (auto& kv : extra) keys.push_back(std::move(kv));
  return system_config("okta", "scim", keys);
}

std::string list(int total, const std::string& resources) {
  return R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":)" +
         std::to_string(total) + R"(,"startIndex":1,"itemsPerPage":)" + std::to_string(total) +
         R"(,"Resources":[)" + resources + "]}";
}

const char* kJane = R"({
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
              "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
  "id": "u1", "externalId": "00u1", "userName": "jane@acme.com",
  "name": {"givenName": "Jane", "familyName": "Doe"},
  "emails": [{"value": "jd@home.example", "type": "home"},
             {"value": "Jane.Doe@acme.com", "type": "work", "primary": true}],
  "active": true, "title": "Engineer", "userType": "Employee",
  "meta": {"resourceType": "User", "created": "2024-01-02T03:04:05Z", "lastModified": "2026-10-01T00:00:00Z"},
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
    "employeeNumber": "E1001", "department": "Engineering",
    "manager": {"value": "u9", "displayName": "Boss"},
    "lastLogin": "2026-10-30T08:00:00Z"}
})";

const char* kBob = R"({"id": "u2", "userName": "bob", "displayName": "Bob B",
  "emails": [{"value": "bob@acme.com"}], "active": false})";

std::string error_of(const Result<void>& r) {
  REQUIRE_FALSE(r.ok());
  return r.error().message();
}

}  // namespace

TEST_CASE("scim: users map to accounts with the primary email and the enterprise extension", "[connector][scim]") {
  FakeTransportFactory factory;
  ConnectorFixture fx(factory, {{"SCIM_TOKEN", "scim-tok-1"}});
  factory.transport.on("GET /scim/v2/Users?startIndex=1&count=100", Reply{200, list(2, std::string(kJane) + "," + kBob)});
  factory.transport.on("GET /scim/v2/Groups?startIndex=1&count=100", Reply{200, list(0, "")});
  Collector sink;
  auto sys = scim_system({{"last_login_attribute",
                           std::string("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:lastLogin")}});
  REQUIRE(fx.fetch(kType, sys, sink).ok());

  REQUIRE(sink.accounts.size() == 2);
  const Account& jane = sink.accounts[0];
  CHECK(jane.id == "u1");
  CHECK(jane.login == "jane@acme.com");
  CHECK(jane.email == "Jane.Doe@acme.com");
  CHECK(jane.display_name == "Jane Doe");
  CHECK(jane.external_id == "00u1");
  CHECK(jane.status == AccountStatus::active);
  CHECK(jane.created_at == parse_iso8601("2024-01-02T03:04:05Z").value());
  CHECK(jane.last_login == parse_iso8601("2026-10-30T08:00:00Z").value());
  auto attrs = nlohmann::json::parse(jane.attrs_json);
  CHECK(attrs["employee_number"] == "E1001");
  CHECK(attrs["department"] == "Engineering");
  CHECK(attrs["manager_id"] == "u9");
  CHECK(attrs["manager_name"] == "Boss");
  CHECK(attrs["title"] == "Engineer");
  CHECK(attrs["user_type"] == "Employee");

  const Account& bob = sink.accounts[1];
  CHECK(bob.status == AccountStatus::disabled);
  CHECK(bob.email == "bob@acme.com");
  CHECK(bob.display_name == "Bob B");
  CHECK_FALSE(bob.last_login.has_value());

  auto sent = factory.transport.sent();
  REQUIRE_FALSE(sent.empty());
  CHECK(sent[0].secret_headers[0].value.reveal() == "Bearer scim-tok-1");
  CHECK(sent[0].headers[0].value == "application/scim+json");
}

TEST_CASE("scim: groups become group:<displayName>, nested groups grant their parents", "[connector][scim]") {
  FakeTransportFactory factory;
  ConnectorFixture fx(factory, {{"SCIM_TOKEN", "t"}});
  auto& t = factory.transport;
  t.on("GET /scim/v2/Users?startIndex=1&count=100",
       Reply{200, list(3, R"({"id":"u1","userName":"a"},{"id":"u2","userName":"b"},{"id":"u3","userName":"c"})")});
  // Engineering contains Backend (a group) and u1; Backend contains u2 and u4, a user created
  // after the user list was read, and u5, deleted since.
  t.on("GET /scim/v2/Groups?startIndex=1&count=100", Reply{200, list(3, R"(
    {"id":"g1","displayName":"Engineering","members":[{"value":"g2","type":"Group"},{"value":"u1","type":"User"}]},
    {"id":"g2","displayName":"Backend","members":[{"value":"u2"},{"value":"u4","type":"User"},{"value":"u5"},{"value":"u2"}]},
    {"id":"g3","displayName":"Everyone","members":[{"value":"g1"},{"value":"u3"}]})")});
  t.on("GET /scim/v2/Users/u4", Reply{200, R"({"id":"u4","userName":"d"})"});
  t.on("GET /scim/v2/Users/u5", Reply{404, R"({"detail":"not found"})"});
  t.on("GET /scim/v2/Groups/g1", Reply{200, R"({"id":"g1","displayName":"Engineering","members":[{"value":"g2","type":"Group"},{"value":"u1","type":"User"}]})"});
  t.on("GET /scim/v2/Groups/g2", Reply{200, R"({"id":"g2","displayName":"Backend","members":[{"value":"u2"},{"value":"u4","type":"User"}]})"});
  Collector sink;
  REQUIRE(fx.fetch(kType, scim_system(), sink).ok());
  CHECK(sink.entitlement_ids() == std::vector<std::string>{"group:Backend", "group:Engineering", "group:Everyone"});
  CHECK(sink.find_account("u4") != nullptr);
  CHECK(sink.find_account("u5") == nullptr);
  CHECK(sink.grant_lines() == std::vector<std::string>{
                                  "u1 group:Engineering member direct",
                                  "u1 group:Everyone member group:Engineering",
                                  "u2 group:Backend member direct",
                                  "u2 group:Engineering member group:Backend",
                                  "u2 group:Everyone member group:Backend",
                                  "u3 group:Everyone member direct",
                                  "u4 group:Backend member direct",
                                  "u4 group:Engineering member group:Backend",
                                  "u4 group:Everyone member group:Backend",
                              });
  CHECK_THAT(fx.log.joined(), Catch::Contains("scim: group member \"u5\" no longer exists; skipped"));
  CHECK(t.unscripted().empty());
}

TEST_CASE("scim: basic auth sends the user and password, base64-encoded", "[connector][scim]") {
  FakeTransportFactory factory;
  ConnectorFixture fx(factory, {{"SCIM_PASSWORD", "pa:ss"}});
  factory.transport.on("GET /scim/v2/Users?startIndex=1&count=100", Reply{200, list(0, "")});
  factory.transport.on("GET /scim/v2/Groups?startIndex=1&count=100", Reply{200, list(0, "")});
  auto sys = system_config("zoom", "scim", {{"base_url", std::string("https://idp.test/scim/v2/")},
                                            {"username", std::string("svc")},
                                            {"password_env", std::string("SCIM_PASSWORD")}});
  Collector sink;
  REQUIRE(fx.fetch(kType, sys, sink).ok());
  CHECK(factory.transport.sent()[0].secret_headers[0].value.reveal() == "Basic c3ZjOnBhOnNz");
}

TEST_CASE("scim: two groups with one displayName are an error, not a silent merge", "[connector][scim]") {
  FakeTransportFactory factory;
  ConnectorFixture fx(factory, {{"SCIM_TOKEN", "t"}});
  factory.transport.on("GET /scim/v2/Users?startIndex=1&count=100", Reply{200, list(0, "")});
  factory.transport.on("GET /scim/v2/Groups?startIndex=1&count=100",
                       Reply{200, list(2, R"({"id":"g1","displayName":"Ops"},{"id":"g2","displayName":"Ops"})")});
  Collector sink;
  CHECK(error_of(fx.fetch(kType, scim_system(), sink)) ==
        "GET /scim/v2/Groups page 1: item 2: groups \"g1\" and \"g2\" are both named \"Ops\"; entitlement ids "
        "(group:<displayName>) must be unique");
}

TEST_CASE("scim: a user without userName names the user and the page", "[connector][scim]") {
  FakeTransportFactory factory;
  ConnectorFixture fx(factory, {{"SCIM_TOKEN", "t"}});
  factory.transport.on("GET /scim/v2/Users?startIndex=1&count=100", Reply{200, list(1, R"({"id":"u7"})")});
  Collector sink;
  CHECK(error_of(fx.fetch(kType, scim_system(), sink)) ==
        "GET /scim/v2/Users page 1: item 1: user \"u7\": \"userName\" is missing");
}

TEST_CASE("scim: a SCIM error response is reported with its detail", "[connector][scim]") {
  FakeTransportFactory factory;
  ConnectorFixture fx(factory, {{"SCIM_TOKEN", "t"}});
  factory.transport.on("GET /scim/v2/Users?startIndex=1&count=100",
                       Reply{401, R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"Invalid token","status":"401"})"});
  Collector sink;
  CHECK(error_of(fx.fetch(kType, scim_system(), sink)) ==
        "GET /scim/v2/Users page 1: HTTP 401: Invalid token (the credential from environment variable SCIM_TOKEN "
        "was rejected)");
  CHECK(factory.transport.sent().size() == 1);
}

TEST_CASE("scim: configuration mistakes are reported with file:line", "[connector][scim]") {
  FakeTransportFactory factory;
  ConnectorFixture fx(factory, {{"SCIM_TOKEN", "t"}});
  auto error = [&](const config::SystemConfig& sys) {
    auto r = fx.create(kType, sys);
    REQUIRE_FALSE(r.ok());
    return r.error().message();
  };
  CHECK(error(system_config("okta", "scim", {{"base_url", std::string("https://idp.test")}})) ==
        "rollcall.toml:1: system \"okta\" needs token_env/token_file (bearer token) or username with "
        "password_env/password_file");
  CHECK(error(system_config("okta", "scim", {{"base_url", std::string("https://idp.test")},
                                             {"token_env", std::string("NOPE")}})) ==
        "rollcall.toml:5: environment variable NOPE is not set");
  CHECK(error(system_config("okta", "scim", {{"base_url", std::string("ftp://idp.test")},
                                             {"token_env", std::string("SCIM_TOKEN")}})) ==
        "rollcall.toml:4: invalid URL \"ftp://idp.test\": expected http:// or https://");
  CHECK(error(scim_system({{"username", std::string("svc")}})) ==
        "rollcall.toml:6: use a bearer token (token_env/token_file) or basic auth (username with "
        "password_env/password_file), not both");
  CHECK(error(scim_system({{"page_size", std::int64_t{0}}})) == "rollcall.toml:6: page_size must be 1 to 10000");
  CHECK(error(scim_system({{"token_file", std::string("t.txt")}})) ==
        "rollcall.toml:6: set token_env or token_file, not both");
  CHECK(error(scim_system({{"concurrency", std::int64_t{99}}})) == "rollcall.toml:6: concurrency must be 1 to 32");
  CHECK(error(scim_system({{"max_retry_wait", std::string("soon")}})) ==
        "rollcall.toml:6: " + parse_duration("soon").error().message());
}

TEST_CASE("scim: the system timeout and retry budget reach the transport", "[connector][scim]") {
  FakeTransportFactory factory;
  ConnectorFixture fx(factory, {{"SCIM_TOKEN", "t"}});
  auto sys = scim_system({{"max_retry_wait", std::string("90s")}, {"ca_file", std::string("certs/ca.pem")}});
  sys.timeout_s = 20;
  REQUIRE(fx.create(kType, sys).ok());
  CHECK(factory.last_options.system == "okta");
  CHECK(factory.last_options.timeout == std::chrono::seconds(20));
  CHECK(factory.last_options.connect_timeout == std::chrono::seconds(10));
  CHECK(factory.last_options.retry.max_total_wait == std::chrono::seconds(90));
  CHECK(factory.last_options.ca_file == "/work/ws/certs/ca.pem");
  CHECK(factory.last_options.verify_tls);
}
