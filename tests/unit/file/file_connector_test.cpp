#include <catch2/catch.hpp>

#include "connectors/api/snapshot_runner.hpp"
#include "connectors/file/file_connector.hpp"
#include "tests/support/temp_dir.hpp"

using namespace rollcall;
using namespace rollcall::connectors;

namespace {

// Collects what a connector emits.
struct Collector : RecordSink {
  std::vector<Account> accounts;
  std::vector<Entitlement> entitlements;
  std::vector<Grant> grants;
  Result<void> account(const Account& a) override {
    for (const auto& x : accounts)
      if (x.id == a.id) return fail("duplicate account id \"" + a.id + "\"");
    accounts.push_back(a);
    return {};
  }
  Result<void> entitlement(const Entitlement& e) override {
    entitlements.push_back(e);
    return {};
  }
  std::vector<Credential> credentials;
  Result<void> grant(const Grant& g) override {
    grants.push_back(g);
    return {};
  }
  Result<void> credential(const Credential& c) override {
    credentials.push_back(c);
    return {};
  }
};

std::string error_of(const Result<void>& r) {
  REQUIRE_FALSE(r.ok());
  return r.error().message();
}

const char* kExport = R"({
  "exported_at": "2026-11-01T00:00:00Z",
  "meta": {"source": ["x", {"y": 1}]},
  "accounts": [
    { "id": "u-1001", "login": "jdoe", "email": "Jane.Doe@acme.com", "display_name": "Jane Doe",
      "kind": "human", "status": "active", "last_login": "2026-10-01T12:00:00Z",
      "external_id": "E1001", "attrs": { "mfa": true, "tags": ["a", {"b": null}] } },
    { "id": 42, "kind": "service", "status": "suspended", "last_login": null },
    { "id": "bot-1", "kind": "bot" }
  ],
  "entitlements": [
    { "id": "team:platform", "type": "team", "name": "platform", "privileged": false },
    { "id": "role:admin", "privileged": true }
  ],
  "grants": [
    { "account": "u-1001", "entitlement": "team:platform", "level": "maintainer" },
    { "account": "42", "entitlement": "role:admin" },
    { "account": "bot-1", "entitlement": "repo:infra", "level": "write", "via": "team:platform" }
  ]
})";

}  // namespace

TEST_CASE("file: a JSON export yields accounts, entitlements and grants with defaults", "[connector][file]") {
  testing::TempDir dir;
  Collector c;
  REQUIRE(file::read_export(dir.write("export.json", kExport), c).ok());
  REQUIRE(c.accounts.size() == 3);
  const Account& jane = c.accounts[0];
  CHECK(jane.email == "Jane.Doe@acme.com");
  CHECK(jane.last_login == 1790856000);
  CHECK(jane.external_id == "E1001");
  CHECK(jane.attrs_json == R"({"mfa":true,"tags":["a",{"b":null}]})");
  CHECK(c.accounts[1].id == "42");
  CHECK(c.accounts[1].kind == AccountKind::service);
  CHECK(c.accounts[1].status == AccountStatus::suspended);
  CHECK_FALSE(c.accounts[1].last_login);
  CHECK(c.accounts[2].kind == AccountKind::bot);
  CHECK(c.accounts[2].status == AccountStatus::active);
  REQUIRE(c.entitlements.size() == 2);
  CHECK(c.entitlements[1].privileged);
  REQUIRE(c.grants.size() == 3);
  CHECK(c.grants[0].level == "maintainer");
  CHECK(c.grants[1].level == "member");
  CHECK(c.grants[1].via == "direct");
  CHECK(c.grants[2].via == "team:platform");
}

TEST_CASE("file: the CSV layout is read the same way as JSON", "[connector][file]") {
  testing::TempDir dir;
  dir.write("exp/accounts.csv",
            "id,login,email,kind,status,last_login,attrs.mfa,attrs\r\n"
            "u-1,jdoe,jane@acme.com,human,active,2026-10-01T12:00:00Z,true,\"{\"\"team\"\":\"\"x\"\"}\"\r\n"
            "svc,,,service,,,,\r\n");
  dir.write("exp/entitlements.csv", "id,privileged\nrole:admin,yes\n");
  dir.write("exp/grants.csv", "account,entitlement,level\nu-1,role:admin,\nsvc,\"group:Finance, EMEA\",admin\n");
  Collector c;
  REQUIRE(file::read_export(dir / "exp", c).ok());
  REQUIRE(c.accounts.size() == 2);
  CHECK(c.accounts[0].attrs_json == R"({"mfa":"true","team":"x"})");
  CHECK(c.accounts[1].kind == AccountKind::service);
  CHECK(c.entitlements[0].privileged);
  CHECK(c.grants[0].level == "member");
  CHECK(c.grants[1].entitlement_id == "group:Finance, EMEA");
}

TEST_CASE("file: an empty export is valid and yields nothing", "[connector][file]") {
  testing::TempDir dir;
  Collector c;
  REQUIRE(file::read_export(dir.write("e.json", R"({"accounts": [], "grants": []})"), c).ok());
  CHECK(c.accounts.empty());
}

TEST_CASE("file: malformed JSON names file, line and column", "[connector][file]") {
  testing::TempDir dir;
  Collector c;
  CHECK(error_of(file::read_export(dir.write("e.json", "{\n  \"accounts\": [\n    {\"id\": \"a\",}\n  ]\n}\n"), c)) ==
        "e.json:3:16: unexpected '}'; expected a string key");
  CHECK(error_of(file::read_export(dir.write("t.json", "{\"accounts\": [{\"id\": \"a\"}, {\"id\""), c)) ==
        "t.json:1:33: unexpected end of input; expected ':'");
}

TEST_CASE("file: structural and field errors name the JSON location", "[connector][file]") {
  testing::TempDir dir;
  auto read = [&](const std::string& text) {
    Collector c;
    return error_of(file::read_export(dir.write("e.json", text), c));
  };
  CHECK(read(R"({"accounts": [{"id": "a"}, {"login": "b"}]})") == "e.json: /accounts/1: missing required field \"id\"");
  CHECK(read(R"({"grants": [{"account": "a"}]})") == "e.json: /grants/0: missing required field \"entitlement\"");
  CHECK(read(R"({"accounts": [{"id": "a"}, {"id": "a"}]})") == "e.json: /accounts/1: duplicate account id \"a\"");
  CHECK(read(R"({"accounts": [{"id": "a", "lastlogin": "2026-01-01"}]})") ==
        "e.json: /accounts/0: unknown field \"lastlogin\" (did you mean \"last_login\"?)");
  CHECK(read(R"({"accounts": [{"id": "a", "kind": "robot"}]})") ==
        "e.json: /accounts/0: field \"kind\": unknown account kind \"robot\" (expected human, service, bot, builtin or guest)");
  CHECK(read(R"({"accounts": [{"id": "a", "last_login": "yesterday"}]})") ==
        "e.json: /accounts/0: field \"last_login\": invalid date/time \"yesterday\" (expected ISO 8601)");
  CHECK(read(R"({"accounts": [{"id": "a", "email": ["x"]}]})") ==
        "e.json: /accounts/0: field \"email\" must be a string, number or boolean");
  CHECK(read(R"({"accounts": [{"id": "a", "attrs": "x"}]})") == "e.json: /accounts/0: field \"attrs\" must be an object");
  CHECK(read(R"({"accounts": {"id": "a"}})") == "e.json: \"accounts\" must be an array");
  CHECK(read(R"({"accounts": ["a"]})") == "e.json: /accounts/0: expected an object");
  CHECK(read(R"([1, 2])") == "e.json: expected a JSON object with \"accounts\", \"entitlements\" and \"grants\" arrays");
}

TEST_CASE("file: CSV errors name the file and line", "[connector][file]") {
  testing::TempDir dir;
  Collector c;
  CHECK(error_of(file::read_export(dir / "nothing", c)) == "export \"" + (dir / "nothing").string() + "\" not found");
  dir.write("exp/accounts.csv", "id,email\nu-1,a@x\n");
  CHECK(error_of(file::read_export(dir / "exp", c)) == "export folder \"" + (dir / "exp").string() + "\" has no grants.csv");
  dir.write("exp/grants.csv", "account,entitlement,levle\nu-1,team:a,admin\n");
  CHECK(error_of(file::read_export(dir / "exp", c)) == "grants.csv:2: unknown field \"levle\" (did you mean \"level\"?)");
  dir.write("exp/grants.csv", "account,entitlement\nu-1,team:a\nu-1\n");
  Collector c2;
  CHECK(error_of(file::read_export(dir / "exp", c2)) == "grants.csv:3: expected 2 fields, found 1");
}

TEST_CASE("file: through the snapshot runner, bad input is recorded as failed with the error", "[connector][file]") {
  testing::TempDir dir;
  auto db = store::Database::open_memory();
  store::SnapshotStore store(**db);
  Registry registry;
  registry.add(file::connector_type());
  config::SystemConfig sys;
  sys.name = "app";
  sys.type = "file";
  sys.keys.set("path", std::string("e.json"), 1);
  auto secrets = SecretSource::from_map({});
  NullLogger log;
  FixedClock clock(1000);
  ConnectorEnv env{secrets, log, clock, dir.path()};

  dir.write("e.json", kExport);
  auto good = take_snapshot(sys, registry, env, store);
  REQUIRE(good.ok());
  REQUIRE_FALSE(good->error);
  CHECK(good->info.entitlements == 3);  // two listed, repo:infra implied by a grant

  dir.write("e.json", "{\"accounts\": [{\"id\": \"a\"}, {\"id\": \"a\"}]}");
  auto bad = take_snapshot(sys, registry, env, store);
  REQUIRE(bad.ok());
  REQUIRE(bad->error);
  CHECK(bad->error->message() == "system \"app\": e.json: /accounts/1: duplicate account id \"a\"");
  CHECK(bad->info.status == SnapshotStatus::partial);
  CHECK(bad->info.error == "e.json: /accounts/1: duplicate account id \"a\"");

  dir.write("e.json", "not json");
  auto worse = take_snapshot(sys, registry, env, store);
  CHECK(worse->info.status == SnapshotStatus::failed);
  auto latest = store.latest_complete("app");
  CHECK((*latest)->id == good->info.id);
  CHECK((*latest)->accounts == 3);
}

TEST_CASE("file: credentials come from a JSON \"credentials\" array and a credentials.csv alike", "[connector][file][credential]") {
  testing::TempDir dir;
  Collector json;
  REQUIRE(file::read_export(dir.write("e.json", R"({
    "accounts": [{"id": "ci-bot", "kind": "service"}],
    "grants": [],
    "credentials": [
      {"account": "ci-bot", "id": "AKIA1", "kind": "access_key", "created_at": "2026-01-01T00:00:00Z",
       "last_used_at": "2026-10-01T00:00:00Z", "last_used_where": "s3/eu-west-1"},
      {"account": "ci-bot", "id": "xoxb", "kind": "token", "status": "inactive", "use_recorded": false,
       "expires_at": "2027-01-01T00:00:00Z"}
    ]})"), json).ok());
  dir.write("exp/accounts.csv", "id,kind\nci-bot,service\n");
  dir.write("exp/grants.csv", "account,entitlement\n");
  dir.write("exp/credentials.csv",
            "account,id,kind,status,created_at,last_used_at,last_used_where,use_recorded,expires_at\n"
            "ci-bot,AKIA1,access_key,,2026-01-01T00:00:00Z,2026-10-01T00:00:00Z,s3/eu-west-1,,\n"
            "ci-bot,xoxb,token,inactive,,,,false,2027-01-01T00:00:00Z\n");
  Collector csv;
  REQUIRE(file::read_export(dir / "exp", csv).ok());
  for (const Collector* c : {&json, &csv}) {
    REQUIRE(c->credentials.size() == 2);
    const Credential& key = c->credentials[0];
    CHECK(key.account_id == "ci-bot");
    CHECK(key.kind == CredentialKind::access_key);
    CHECK(key.status == CredentialStatus::active);
    CHECK(key.created_at == parse_iso8601("2026-01-01T00:00:00Z").value());
    CHECK(key.last_used_where == "s3/eu-west-1");
    CHECK(key.use_recorded);
    const Credential& token = c->credentials[1];
    CHECK(token.status == CredentialStatus::inactive);
    CHECK_FALSE(token.use_recorded);
    CHECK_FALSE(token.last_used_at);
    CHECK(token.expires_at == parse_iso8601("2027-01-01T00:00:00Z").value());
  }
}

TEST_CASE("file: a credential without kind or with an unknown one names the record", "[connector][file][credential]") {
  testing::TempDir dir;
  auto read = [&](const std::string& credentials) {
    Collector c;
    return error_of(file::read_export(
        dir.write("e.json", R"({"accounts": [{"id": "a"}], "credentials": [)" + credentials + "]}"), c));
  };
  CHECK(read(R"({"account": "a", "id": "k"})") == "e.json: /credentials/0: missing required field \"kind\"");
  CHECK(read(R"({"account": "a", "id": "k", "kind": "apikey"})") ==
        "e.json: /credentials/0: field \"kind\": unknown credential kind \"apikey\" (expected access_key, "
        "client_secret, certificate, ssh_key, deploy_key, token or password)");
  CHECK(read(R"({"id": "k", "kind": "token"})") == "e.json: /credentials/0: missing required field \"account\"");
  CHECK(read(R"({"account": "a", "id": "k", "kind": "token", "secret": "x"})") ==
        "e.json: /credentials/0: unknown field \"secret\"");
  dir.write("exp/accounts.csv", "id\na\n");
  dir.write("exp/grants.csv", "account,entitlement\n");
  dir.write("exp/credentials.csv", "account,id,kind,status\na,k,token,revoked\n");
  Collector c;
  CHECK(error_of(file::read_export(dir / "exp", c)) ==
        "credentials.csv:2: field \"status\": unknown credential status \"revoked\" (expected active or inactive)");
}
