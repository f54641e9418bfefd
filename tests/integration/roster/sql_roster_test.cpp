// The SQL roster source: a query against a SQLite file (opened read-only) and against the real
// PostgreSQL cluster of scripts/test-servers.sh (BEGIN READ ONLY), with [roster.columns].
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include "connectors/postgres/pg_connection.hpp"
#include "scanner/roster_sources/roster_sources.hpp"
#include "scanner/roster_sources/sql_source.hpp"
#include "tests/integration/servers/test_servers.hpp"

using namespace rollcall;
using namespace rollcall::testing;

namespace {

// Runs SQL on a SQLite file (created when missing), outside the code under test.
void sqlite_exec(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.string().c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string message = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  INFO(message);
  REQUIRE(rc == SQLITE_OK);
}

const char* kPeople = R"(
CREATE TABLE people (id INTEGER PRIMARY KEY, work_email TEXT, full_name TEXT, state TEXT, roles TEXT,
                     entitlements TEXT, started TEXT);
INSERT INTO people VALUES (1, 'jane.doe@acme.com', 'Jane Doe', 'active', 'sre;engineer', 'Slack;GitHub', '2021-03-01');
INSERT INTO people VALUES (2, 'bob@acme.com', 'Bob', 'terminated', NULL, NULL, NULL);
INSERT INTO people VALUES (3, 'ann@acme.com', NULL, 'leave', 'analyst', 'Slack', NULL);
)";

const char* kColumns = "\n[roster.columns]\nemail = \"work_email\"\nname = \"full_name\"\nstatus = \"state\"\n"
                       "role = \"roles\"\nstart_date = \"started\"\n";

struct Workspace {
  TempDir dir;
  CapturingLogger log;
  FixedClock clock{1'800'000'000};
  SecretSource secrets;

  explicit Workspace(std::map<std::string, std::string> env = {}) : secrets(SecretSource::from_map(std::move(env))) {}

  Result<roster::Roster> load(const std::string& roster_keys) {
    dir.write("rollcall.toml", "[roster]\ntype = \"sql\"\n" + roster_keys);
    auto cfg = config::load_workspace(
        dir.path(), [](const std::string&) -> const std::vector<config::KeySpec>* { return nullptr; }, {});
    if (!cfg) return fail(cfg.error().message());
    connectors::ConnectorEnv env{secrets, log, clock, dir.path()};
    return roster_sources::load_roster(cfg->roster, env);
  }
};

std::string error_of(const Result<roster::Roster>& r) {
  REQUIRE_FALSE(r.ok());
  return r.error().message();
}

}  // namespace

TEST_CASE("sql roster: a SQLite query's columns are the roster fields", "[integration][roster]") {
  Workspace ws;
  sqlite_exec(ws.dir / "hr.db", kPeople);
  auto r = ws.load("sqlite = \"hr.db\"\nquery = \"SELECT work_email, full_name, state, roles, entitlements AS "
                   "Entitlements, started FROM people ORDER BY id\"\n" + std::string(kColumns));
  REQUIRE(r.ok());
  REQUIRE(r->people.size() == 3);
  const roster::Person& jane = r->people[0];
  CHECK(jane.name == "Jane Doe");
  CHECK(jane.roles == std::vector<std::string>{"sre", "engineer"});
  CHECK(jane.attrs.at("Entitlements") == "Slack;GitHub");  // SQLite has no lists: text, split by policies
  CHECK(jane.start_date == *parse_iso8601("2021-03-01"));
  CHECK(r->people[1].status == roster::PersonStatus::terminated);
  CHECK(r->people[1].attrs.count("Entitlements") == 0);  // NULL is absent
  CHECK(r->where(r->people[2]) == "hr.db query row 3");
  CHECK(r->digest.size() == 64);
  // The same rows in another order: the same digest; a changed value: another.
  auto reordered = ws.load("sqlite = \"hr.db\"\nquery = \"SELECT work_email, full_name, state, roles, entitlements "
                           "AS Entitlements, started FROM people ORDER BY id DESC\"\n" + std::string(kColumns));
  REQUIRE(reordered.ok());
  CHECK(reordered->digest == r->digest);
  sqlite_exec(ws.dir / "hr.db", "UPDATE people SET state = 'leave' WHERE id = 2");
  CHECK(ws.load("sqlite = \"hr.db\"\nquery = \"SELECT work_email, full_name, state, roles, entitlements AS "
                "Entitlements, started FROM people ORDER BY id\"\n" + std::string(kColumns))->digest != r->digest);
}

TEST_CASE("sql roster: SQLite errors name the column and the row; the file is never written",
          "[integration][roster]") {
  Workspace ws;
  sqlite_exec(ws.dir / "hr.db", kPeople);
  const std::string select = "sqlite = \"hr.db\"\nquery = \"SELECT work_email, state FROM people ORDER BY id\"\n";
  sqlite_exec(ws.dir / "hr.db", "UPDATE people SET state = 'retired' WHERE id = 2");
  CHECK(error_of(ws.load(select + kColumns)) ==
        "hr.db query row 2: column \"state\": status \"retired\" is not active, leave or terminated");
  sqlite_exec(ws.dir / "hr.db", "UPDATE people SET state = CAST(X'4163FF74' AS TEXT) WHERE id = 2");
  CHECK(error_of(ws.load(select + kColumns)) == "hr.db query row 2: column \"state\": the value is not valid UTF-8");
  sqlite_exec(ws.dir / "hr.db", "UPDATE people SET state = 'active', work_email = 'JANE.doe@acme.com' WHERE id = 2");
  CHECK(error_of(ws.load(select + kColumns)) ==
        "hr.db query row 2: duplicate email \"JANE.doe@acme.com\" (also row 1)");
  CHECK(error_of(ws.load(select)) == "hr.db query row 1: empty email");  // no mapping: no "email" column
  CHECK(error_of(ws.load("sqlite = \"hr.db\"\nquery = \"DELETE FROM people\"\n")) ==
        "SQLite \"hr.db\": the roster query would write; it must only read (a SELECT)");
  CHECK(error_of(ws.load("sqlite = \"hr.db\"\nquery = \"SELECT nope FROM people\"\n")) ==
        "SQLite \"hr.db\": SQLite: no such column: nope (in SELECT nope FROM people)");
  CHECK(error_of(ws.load("sqlite = \"absent.db\"\nquery = \"SELECT 1\"\n")) ==
        "cannot open database \"" + (ws.dir / "absent.db").string() + "\": unable to open database file");
  ws.dir.write("notdb.db", "just text, not a database at all, long enough to have a header........");
  CHECK(error_of(ws.load("sqlite = \"notdb.db\"\nquery = \"SELECT 1\"\n")) ==
        "database \"" + (ws.dir / "notdb.db").string() + "\": SQLite: file is not a database (in PRAGMA schema_version)");
  // The control: the data as it was written, untouched by the refused DELETE.
  sqlite_exec(ws.dir / "hr.db", "UPDATE people SET work_email = 'bob@acme.com' WHERE id = 2");
  auto r = ws.load(select + kColumns);
  REQUIRE(r.ok());
  CHECK(r->people.size() == 3);
}

TEST_CASE("sql roster: PostgreSQL arrays parse into lists", "[roster]") {
  using roster_sources::parse_pg_array;
  CHECK(*parse_pg_array("{}") == std::vector<std::string>{});
  CHECK(*parse_pg_array("{Slack,GitHub,AWS}") == std::vector<std::string>{"Slack", "GitHub", "AWS"});
  CHECK(*parse_pg_array(R"({"with space","quote \" and \\ back",NULL,"NULL"})") ==
        std::vector<std::string>{"with space", "quote \" and \\ back", "NULL"});
  CHECK(parse_pg_array("{{a,b},{c,d}}").error().message() ==
        "a multi-dimensional array, which a roster field cannot hold");
  CHECK(parse_pg_array("{\"open}").error().message() == "the array \"{\\\"open}\" has an unterminated quoted element");
}

TEST_CASE("sql roster: a PostgreSQL query, read-only, with the postgres connector's settings",
          "[integration][roster][postgres]") {
  TestServers& servers = TestServers::shared("postgres");
  CapturingLogger setup_log;
  {
    auto info = connectors::postgres::ConnInfo::parse("host=" + servers.get("ROLLCALL_PG_SOCKET_DIR") + " port=" +
                                                      servers.get("ROLLCALL_PG_PORT") + " user=postgres");
    REQUIRE(info.ok());
    auto admin = connectors::postgres::PgConnection::connect(*info, "postgres", Secret(), 10, setup_log);
    REQUIRE(admin.ok());
    for (const char* sql : {"DROP DATABASE IF EXISTS hr", "CREATE DATABASE hr"}) REQUIRE(admin->exec("setup", sql).ok());
    auto hr = connectors::postgres::PgConnection::connect(*info, "hr", Secret(), 10, setup_log);
    REQUIRE(hr.ok());
    REQUIRE(hr->exec("setup",
                     "CREATE TABLE people (id int PRIMARY KEY, work_email text, state text, roles text[], "
                     "entitlements text[], started date);"
                     "INSERT INTO people VALUES (1, 'jane.doe@acme.com', 'active', '{sre,engineer}', "
                     "'{Slack,GitHub,AWS}', '2021-03-01'), (2, 'bob@acme.com', 'terminated', NULL, '{}', NULL);"
                     "GRANT SELECT ON people TO rollcall_reader;")
                .ok());
  }
  Workspace ws(std::map<std::string, std::string>{{"PG_PASSWORD", servers.get("ROLLCALL_PG_READER_PASSWORD")}});
  const std::string dsn = "dsn = \"host=127.0.0.1 port=" + servers.get("ROLLCALL_PG_PORT") +
                          " dbname=hr user=rollcall_reader sslmode=disable\"\npassword_env = \"PG_PASSWORD\"\n";
  auto r = ws.load(dsn + "query = \"SELECT work_email, state, roles, entitlements AS \\\"Entitlements\\\", started "
                         "FROM people ORDER BY id\"\n" + kColumns);
  REQUIRE(r.ok());
  REQUIRE(r->people.size() == 2);
  const roster::Person& jane = r->people[0];
  CHECK(jane.roles == std::vector<std::string>{"sre", "engineer"});
  CHECK(jane.list_attrs.at("Entitlements") == std::vector<std::string>{"Slack", "GitHub", "AWS"});
  CHECK(jane.start_date == *parse_iso8601("2021-03-01"));
  CHECK(r->people[1].list_attrs.count("Entitlements") == 0);  // an empty array: nothing listed
  CHECK(r->where(r->people[1]) == "postgres \"hr\" query row 2");

  // Read-only: a query that writes is refused by the server inside BEGIN READ ONLY.
  CHECK(error_of(ws.load(dsn + "query = \"INSERT INTO people VALUES (3, 'x@acme.com') RETURNING work_email\"\n")) ==
        "127.0.0.1:" + servers.get("ROLLCALL_PG_PORT") +
            " database \"hr\": run the roster query: cannot execute INSERT in a read-only transaction");
  CHECK(error_of(ws.load(dsn + "query = \"SELECT work_email, 'x' AS state FROM people\"\n" + kColumns)) ==
        "postgres \"hr\" query row 1: column \"state\": status \"x\" is not active, leave or terminated");
  Workspace wrong(std::map<std::string, std::string>{{"PG_PASSWORD", "not-the-password"}});
  CHECK(error_of(wrong.load(dsn + "query = \"SELECT 1\"\n")) ==
        "connect to 127.0.0.1:" + servers.get("ROLLCALL_PG_PORT") +
            " database \"hr\" as \"rollcall_reader\": password authentication failed for user \"rollcall_reader\"");
}
