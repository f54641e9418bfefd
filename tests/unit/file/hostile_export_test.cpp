// Hostile exports (issue 12): numbers too large for a double, invalid UTF-8, and errors that
// only the whole export reveals must fail with one line naming file and record, never abort.
#include <catch2/catch.hpp>

#include "connectors/api/snapshot_runner.hpp"
#include "connectors/file/file_connector.hpp"
#include "tests/support/temp_dir.hpp"

using namespace rollcall;
using namespace rollcall::connectors;

namespace {

// Snapshots `path` (relative to the temp dir) through take_snapshot and a real store; returns
// the stored error, or "" when the snapshot is complete.
std::string snapshot_error(const testing::TempDir& dir, const std::string& path) {
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  store::SnapshotStore store(**db);
  Registry registry;
  registry.add(file::connector_type());
  config::SystemConfig sys;
  sys.name = "app";
  sys.type = "file";
  sys.keys.set("path", path, 1);
  auto secrets = SecretSource::from_map({});
  NullLogger log;
  FixedClock clock(1000);
  ConnectorEnv env{secrets, log, clock, dir.path()};
  auto out = take_snapshot(sys, registry, env, store);
  REQUIRE(out.ok());
  return out->error ? out->info.error : "";
}

}  // namespace

TEST_CASE("hostile export: a number too large for a double in attrs fails naming the record", "[connector][file]") {
  testing::TempDir dir;
  dir.write("e.json", R"({"accounts": [{"id": "a", "attrs": {"n": 1e308}}, {"id": "b", "attrs": {"n": 1e999}}]})");
  CHECK(snapshot_error(dir, "e.json") == "e.json: /accounts/1: field \"attrs\": number 1e999 is out of range");
  // The look-alike that must stay accepted: a large but finite number, and 1e999 outside attrs.
  dir.write("ok.json", R"({"accounts": [{"id": "a", "attrs": {"n": 1e308}, "display_name": 1e999}]})");
  CHECK(snapshot_error(dir, "ok.json") == "");
}

TEST_CASE("hostile export: invalid UTF-8 in a JSON attrs value or key is refused naming the record", "[connector][file]") {
  testing::TempDir dir;
  dir.write("v.json", "{\"accounts\": [{\"id\": \"a\", \"attrs\": {\"team\": \"x\xff\"}}]}");
  CHECK(snapshot_error(dir, "v.json") ==
        "v.json: /accounts/0: field \"attrs\": a value is not valid UTF-8 (byte 0xff at offset 1)");
  dir.write("k.json", "{\"accounts\": [{\"id\": \"a\", \"attrs\": {\"t\xc3\": 1}}]}");
  CHECK(snapshot_error(dir, "k.json") ==
        "k.json: /accounts/0: field \"attrs\": a key is not valid UTF-8 (byte 0xc3 at offset 1)");
  dir.write("l.json", "{\"accounts\": [{\"id\": \"a\", \"login\": \"\xed\xa0\x80\"}]}");  // a surrogate
  CHECK(snapshot_error(dir, "l.json") ==
        "l.json: /accounts/0: field \"login\": a value is not valid UTF-8 (byte 0xed at offset 0)");
  // Look-alike: well-formed multi-byte text everywhere is fine.
  dir.write("ok.json", "{\"accounts\": [{\"id\": \"a\", \"login\": \"j\xc3\xb6rg\", \"attrs\": {\"\xe2\x82\xac\": \"\xf0\x9f\x98\x80\"}}]}");
  CHECK(snapshot_error(dir, "ok.json") == "");
}

TEST_CASE("hostile export: invalid UTF-8 in a CSV attrs column or login is refused naming file and line", "[connector][file]") {
  testing::TempDir dir;
  dir.write("x/accounts.csv", "id,login,attrs.team\na,ann,ops\nb,bob,\xfe\n");
  dir.write("x/grants.csv", "account,entitlement\n");
  CHECK(snapshot_error(dir, "x") == "accounts.csv:3: field \"attrs.team\" is not valid UTF-8 (byte 0xfe at offset 0)");
  dir.write("x/accounts.csv", "id,login\na,ann\xc0\xaf\n");  // an overlong '/'
  CHECK(snapshot_error(dir, "x") == "accounts.csv:2: field \"login\" is not valid UTF-8 (byte 0xc0 at offset 3)");
  dir.write("x/accounts.csv", "id,login,attrs.team\na,ann,\xc3\xa9quipe\n");
  CHECK(snapshot_error(dir, "x") == "");
}

TEST_CASE("hostile export: a CSV attrs cell nested deeper than 256 levels is refused, not a stack overflow",
          "[connector][file][hostile]") {
  // Found while fuzzing (reproduced under ASan with fuzz_export_csv): nlohmann copies and writes
  // values recursively, so 10,000 levels overflowed the stack (corpus/export_csv/deep_attrs.bin).
  testing::TempDir dir;
  const auto nested = [](int depth) {
    return "\"{\"\"x\"\":" + std::string(depth, '[') + std::string(depth, ']') + "}\"";
  };
  dir.write("x/grants.csv", "account,entitlement\n");
  dir.write("x/accounts.csv", "id,login,attrs\na,ann," + nested(10000) + "\n");
  CHECK(snapshot_error(dir, "x") == "accounts.csv:2: field \"attrs\" nests deeper than 256 levels");
  // Brackets inside strings do not count; 255 levels of arrays in the object are within the bound.
  dir.write("x/accounts.csv", "id,login,attrs\na,ann,\"{\"\"x\"\":\"\"" + std::string(300, '[') + "\"\"}\"\n" +
                                  "b,bob," + nested(255) + "\n");
  CHECK(snapshot_error(dir, "x") == "");
}

TEST_CASE("hostile export: whole-export errors name the file and the grant", "[connector][file]") {
  testing::TempDir dir;
  dir.write("u.json", R"({"accounts": [{"id": "a"}], "grants": [
    {"account": "a", "entitlement": "team:x"}, {"account": "ghost", "entitlement": "team:x"}]})");
  CHECK(snapshot_error(dir, "u.json") == "u.json: /grants/1: a grant references account \"ghost\", which is not in the export");
  dir.write("t.json", R"({"accounts": [{"id": "a"}], "grants": [
    {"account": "a", "entitlement": "team:x", "level": "member"}, {"account": "a", "entitlement": "team:y"},
    {"account": "a", "entitlement": "team:x", "level": "admin"}]})");
  CHECK(snapshot_error(dir, "t.json") ==
        "t.json: /grants/2: grant of \"team:x\" to account \"a\" is listed twice, as \"member\" (t.json: /grants/0) "
        "and as \"admin\"");
  dir.write("c.json", R"({"accounts": [{"id": "a"}], "grants": [{"account": "a", "entitlement": "teamx"}]})");
  CHECK(snapshot_error(dir, "c.json") ==
        "c.json: /grants/0: grant of account \"a\": malformed entitlement id \"teamx\" (expected \"<type>:<name>\")");

  dir.write("y/accounts.csv", "id\na\n");
  dir.write("y/grants.csv", "account,entitlement,level\na,team:x,member\n\nghost,team:x,member\n");
  CHECK(snapshot_error(dir, "y") == "grants.csv:4: a grant references account \"ghost\", which is not in the export");
  dir.write("y/grants.csv", "account,entitlement,level\na,team:x,member\na,team:x,admin\n");
  CHECK(snapshot_error(dir, "y") ==
        "grants.csv:3: grant of \"team:x\" to account \"a\" is listed twice, as \"member\" (grants.csv:2) and as \"admin\"");
  // Look-alike: an exact repeat of a grant, and a grant listed before its account, are fine.
  dir.write("ok.json", R"({"grants": [{"account": "a", "entitlement": "team:x"}, {"account": "a", "entitlement": "team:x"}],
    "accounts": [{"id": "a"}]})");
  CHECK(snapshot_error(dir, "ok.json") == "");
}
