// The postgres connector against a real PostgreSQL cluster (scripts/test-servers.sh, seeded
// with seed.sql next to this file): every account, entitlement, grant, level and via; the same
// answers cross-checked with PostgreSQL's own has_*_privilege()/pg_has_role(); failures.
#include <catch2/catch.hpp>

#include <set>

#include "connectors/api/snapshot_runner.hpp"
#include "connectors/postgres/pg_connection.hpp"
#include "connectors/postgres/postgres_connector.hpp"
#include "scanner/core/strings.hpp"
#include "scanner/store/sqlite.hpp"
#include "tests/fakes/record_collector.hpp"
#include "tests/fakes/system_config.hpp"
#include "tests/integration/servers/test_servers.hpp"

using namespace rollcall;
using rollcall::testing::RecordCollector;
using rollcall::testing::TempDir;
using rollcall::testing::TestServers;
namespace pg = rollcall::connectors::postgres;

namespace {

const UnixTime kNow = 1793491200;  // 2026-11-01T00:00:00Z
const std::vector<std::string> kAccounts = {"alice",   "bob",        "carol@example.com",
                                            "dave",    "eve",        "postgres",
                                            "rollcall_reader", "svc_backup", "svc_etl",
                                            "svc_legacy"};

struct Harness : testing::ServerHarness {
  explicit Harness(TestServers& servers, std::string password = "reader-secret")
      : ServerHarness(servers, pg::connector_type(), {{"PG_PASSWORD", std::move(password)}}, kNow) {}

  std::string dsn(const std::string& extra = "") const {
    return "host=127.0.0.1 port=" + servers.get("ROLLCALL_PG_PORT") +
           " dbname=app user=rollcall_reader sslmode=disable" + extra;
  }
  std::string port() const { return servers.get("ROLLCALL_PG_PORT"); }

  config::SystemConfig system(const std::string& keys) {
    auto sys = testing::load_system(dir, registry,
                                    "[[system]]\nname = \"pg\"\ntype = \"postgres\"\n"
                                    "password_env = \"PG_PASSWORD\"\n" + keys);
    REQUIRE(sys.ok());
    return *sys;
  }

  Result<void> fetch(const config::SystemConfig& sys, RecordSink& sink) {
    RC_ASSIGN(auto connector, registry.find("postgres")->create(sys, env));
    return connector->fetch(sink);
  }

};

std::string full_config(const Harness& h) {
  return "dsn = \"" + h.dsn() + "\"\n"
         "databases = [\"app\", \"payroll\"]\n"
         "schemas = [\"public\", \"sales\"]\n"
         "ignore_roles = [\"monitoring_*\"]\n";
}

// Privileges every role has through PUBLIC in the seeded cluster.
std::vector<std::string> public_grants() {
  std::vector<std::string> out;
  for (const auto& a : kAccounts) {
    for (const char* e : {"database:app:connect", "database:app:temporary",
                          "database:payroll:temporary", "schema:app.public:USAGE",
                          "schema:payroll.public:USAGE", "table:app.public.lookup:SELECT"}) {
      // PostgreSQL's own defaults (CONNECT and TEMPORARY on a database) are marked as such.
      const bool platform_default = std::string(e).rfind("database:", 0) == 0;
      out.push_back(a + " | " + e + " | member | " + (platform_default ? "everyone:default" : "everyone"));
    }
  }
  return out;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// A superuser session on the unix socket, for asking PostgreSQL itself.
pg::PgConnection superuser(TestServers& servers, const std::string& db, Logger& log) {
  auto info = pg::ConnInfo::parse("host=" + servers.get("ROLLCALL_PG_SOCKET_DIR") + " port=" +
                                  servers.get("ROLLCALL_PG_PORT") + " user=postgres");
  REQUIRE(info.ok());
  auto conn = pg::PgConnection::connect(*info, db, Secret(), 10, log);
  REQUIRE(conn.ok());
  return std::move(conn).value();
}

bool ask(pg::PgConnection& conn, const std::string& sql, const std::vector<std::string>& params) {
  auto res = conn.query("oracle", sql, params);
  REQUIRE(res.ok());
  pg::PgRow row = res->row(0);
  bool v = row.boolean(0);
  REQUIRE(row.status().ok());
  return v;
}

}  // namespace

TEST_CASE("postgres: reads every account, entitlement and grant of a real cluster",
          "[integration][connector][postgres]") {
  Harness h(TestServers::shared("postgres"));
  RecordCollector got;
  auto r = h.fetch(h.system(full_config(h)), got);
  REQUIRE(r.ok());

  SECTION("accounts are the login roles, minus ignore_roles") {
    std::vector<std::string> lines;
    for (const auto& a : got.accounts) {
      lines.push_back(a.id + " | " + a.login + " | " + a.email + " | " + a.display_name + " | " +
                      std::string(to_string(a.kind)) + " | " + std::string(to_string(a.status)));
    }
    CHECK(sorted(lines) == std::vector<std::string>{
        "alice | alice |  | Alice Archer | service | active",
        "bob | bob |  |  | service | active",
        "carol@example.com | carol@example.com | carol@example.com |  | human | active",
        "dave | dave |  |  | service | disabled",  // VALID UNTIL 2020 has passed
        "eve | eve |  |  | service | active",
        "postgres | postgres |  |  | service | active",
        "rollcall_reader | rollcall_reader |  |  | service | active",
        "svc_backup | svc_backup |  |  | service | active",
        "svc_etl | svc_etl |  |  | service | active",
        "svc_legacy | svc_legacy |  |  | service | active",
    });
    CHECK(got.find_account("svc_etl")->attrs_json ==
          R"({"bypassrls":false,"can_login":true,"connection_limit":-1,"createdb":false,)"
          R"("createrole":false,"inherit":true,"replication":false,"superuser":false,)"
          R"("valid_until":"2099-01-01T00:00:00Z"})");
    CHECK(got.find_account("bob")->attrs_json.find(R"("inherit":false)") != std::string::npos);
    CHECK(got.find_account("eve")->attrs_json.find("valid_until") == std::string::npos);  // infinity
  }

  SECTION("a VALID UNTIL is the expiry of the role's password credential; infinity is none") {
    std::vector<std::string> lines;
    for (const auto& c : got.credentials) {
      lines.push_back(c.account_id + " " + c.id + " " + std::string(to_string(c.kind)) + " " +
                      format_iso8601(c.expires_at.value_or(0)) + (c.use_recorded ? "" : " use-not-recorded"));
    }
    CHECK(sorted(lines) == std::vector<std::string>{
        "dave password password 2020-01-01T00:00:00Z use-not-recorded",
        "svc_etl password password 2099-01-01T00:00:00Z use-not-recorded",
    });
  }

  SECTION("entitlements: roles, attributes, and the privileges of the configured objects") {
    std::vector<std::string> expected = {
        "attr:BYPASSRLS !", "attr:CREATEDB", "attr:CREATEROLE !", "attr:REPLICATION !",
        "attr:SUPERUSER !",
        "database:app:connect", "database:app:create", "database:app:owner !",
        "database:app:temporary",
        "database:payroll:connect", "database:payroll:create", "database:payroll:owner !",
        "database:payroll:temporary",
        "role:app_owner", "role:app_readonly", "role:app_readwrite", "role:auditors",
        "role:db_admin !", "role:ops_super !", "role:pg_checkpoint", "role:pg_database_owner",
        "role:pg_execute_server_program !", "role:pg_monitor", "role:pg_read_all_data !",
        "role:pg_read_all_settings", "role:pg_read_all_stats", "role:pg_read_server_files !",
        "role:pg_signal_backend", "role:pg_stat_scan_tables", "role:pg_write_all_data !",
        "role:pg_write_server_files !",
        "schema:app.public:CREATE", "schema:app.public:OWNER !", "schema:app.public:USAGE",
        "schema:app.sales:CREATE", "schema:app.sales:OWNER !", "schema:app.sales:USAGE",
        "schema:payroll.public:CREATE", "schema:payroll.public:OWNER !",
        "schema:payroll.public:USAGE",
    };
    for (const char* table : {"app.public.lookup", "app.public.orders", "app.sales.customers",
                              "app.sales.summary", "payroll.public.salaries"}) {
      for (const char* priv : {"DELETE", "INSERT", "REFERENCES", "SELECT", "TRIGGER", "TRUNCATE",
                               "UPDATE"}) {
        expected.push_back(std::string("table:") + table + ":" + priv);
      }
      expected.push_back(std::string("table:") + table + ":OWNER !");
    }
    CHECK(got.entitlement_lines() == sorted(expected));
    CHECK(got.find_entitlement("table:app.sales.summary:SELECT")->attrs_json ==
          R"({"object":"app.sales.summary","privilege":"SELECT","relation":"view"})");
    CHECK(got.find_entitlement("role:app_readonly")->attrs_json.find(
              R"("comment":"read access to the app database")") != std::string::npos);
    // Nothing of what was not configured: database scratch, schema internal.
    for (const auto& e : got.entitlements) {
      CHECK(e.id.find("scratch") == std::string::npos);
      CHECK(e.id.find("internal") == std::string::npos);
    }
  }

  SECTION("grants: memberships with levels and via, attributes, privileges, NOINHERIT") {
    std::vector<std::string> expected = {
        // alice > db_admin (CREATEROLE) > app_readwrite WITH ADMIN OPTION > app_readonly;
        // db_admin > app_owner, the owner of database app and of its tables.
        "alice | attr:CREATEDB | member | direct",
        "alice | role:db_admin | member | direct",
        "alice | role:app_owner | member | role:db_admin",
        "alice | role:app_readwrite | admin | role:db_admin",
        "alice | role:app_readonly | member | role:app_readwrite",
        "alice | database:app:connect | admin | role:app_owner",
        "alice | database:app:create | admin | role:app_owner",
        "alice | database:app:owner | member | role:app_owner",
        "alice | database:app:temporary | admin | role:app_owner",
        // The public schema belongs to pg_database_owner: the owner of the database.
        "alice | schema:app.public:CREATE | admin | role:pg_database_owner",
        "alice | schema:app.public:OWNER | member | role:pg_database_owner",
        "alice | schema:app.public:USAGE | admin | role:pg_database_owner",
        "alice | schema:app.sales:CREATE | admin | role:app_owner",
        "alice | schema:app.sales:OWNER | member | role:app_owner",
        "alice | schema:app.sales:USAGE | admin | role:app_owner",
        "alice | schema:app.sales:USAGE | member | role:app_readonly",
        "alice | table:app.public.orders:SELECT | member | role:app_readonly",
        "alice | table:app.public.orders:INSERT | member | role:app_readwrite",
        "alice | table:app.public.orders:UPDATE | member | role:app_readwrite",
        "alice | table:app.public.orders:DELETE | member | role:app_readwrite",
        "alice | table:app.sales.customers:SELECT | member | role:app_readonly",
        // bob is NOINHERIT: member of app_readwrite (he can SET ROLE) but uses none of its
        // privileges; only his own direct grant.
        "bob | role:app_readwrite | member | direct",
        "bob | role:app_readonly | member | role:app_readwrite",
        "bob | table:app.public.orders:SELECT | member | direct",
        // carol: app_readonly and auditors, who hold SELECT on summary WITH GRANT OPTION.
        "carol@example.com | role:app_readonly | member | direct",
        "carol@example.com | role:auditors | member | direct",
        "carol@example.com | database:payroll:connect | member | role:auditors",
        "carol@example.com | schema:app.sales:USAGE | member | role:app_readonly",
        "carol@example.com | table:app.public.orders:SELECT | member | role:app_readonly",
        "carol@example.com | table:app.sales.customers:SELECT | member | role:app_readonly",
        "carol@example.com | table:app.sales.summary:SELECT | admin | role:auditors",
        "carol@example.com | table:payroll.public.salaries:SELECT | member | role:auditors",
        // dave: expired, memberships intact.
        "dave | role:app_readwrite | member | direct",
        "dave | role:app_readonly | member | role:app_readwrite",
        "dave | schema:app.sales:USAGE | member | role:app_readonly",
        "dave | table:app.public.orders:SELECT | member | role:app_readonly",
        "dave | table:app.public.orders:INSERT | member | role:app_readwrite",
        "dave | table:app.public.orders:UPDATE | member | role:app_readwrite",
        "dave | table:app.public.orders:DELETE | member | role:app_readwrite",
        "dave | table:app.sales.customers:SELECT | member | role:app_readonly",
        // eve can SET ROLE ops_super, a superuser role.
        "eve | attr:BYPASSRLS | member | direct",
        "eve | role:ops_super | member | direct",
        // The bootstrap superuser owns payroll and lookup.
        "postgres | attr:BYPASSRLS | member | direct",
        "postgres | attr:CREATEDB | member | direct",
        "postgres | attr:CREATEROLE | member | direct",
        "postgres | attr:REPLICATION | member | direct",
        "postgres | attr:SUPERUSER | member | direct",
        "postgres | database:payroll:connect | admin | direct",
        "postgres | database:payroll:create | admin | direct",
        "postgres | database:payroll:owner | member | direct",
        "postgres | database:payroll:temporary | admin | direct",
        "postgres | schema:payroll.public:CREATE | admin | role:pg_database_owner",
        "postgres | schema:payroll.public:OWNER | member | role:pg_database_owner",
        "postgres | schema:payroll.public:USAGE | admin | role:pg_database_owner",
        "rollcall_reader | database:payroll:connect | member | direct",
        "svc_backup | attr:REPLICATION | member | direct",
        // pg_read_all_data reads every schema and table without an ACL entry.
        "svc_backup | role:pg_read_all_data | member | direct",
        "svc_backup | schema:app.public:USAGE | member | role:pg_read_all_data",
        "svc_backup | schema:app.sales:USAGE | member | role:pg_read_all_data",
        "svc_backup | schema:payroll.public:USAGE | member | role:pg_read_all_data",
        "svc_backup | table:app.public.lookup:SELECT | member | role:pg_read_all_data",
        "svc_backup | table:app.public.orders:SELECT | member | role:pg_read_all_data",
        "svc_backup | table:app.sales.customers:SELECT | member | role:pg_read_all_data",
        "svc_backup | table:app.sales.summary:SELECT | member | role:pg_read_all_data",
        "svc_backup | table:payroll.public.salaries:SELECT | member | role:pg_read_all_data",
        "svc_etl | role:app_readwrite | admin | direct",
        "svc_etl | role:app_readonly | member | role:app_readwrite",
        "svc_etl | schema:app.sales:USAGE | member | role:app_readonly",
        "svc_etl | table:app.public.orders:SELECT | member | role:app_readonly",
        "svc_etl | table:app.public.orders:INSERT | member | role:app_readwrite",
        "svc_etl | table:app.public.orders:UPDATE | member | role:app_readwrite",
        "svc_etl | table:app.public.orders:DELETE | member | role:app_readwrite",
        "svc_etl | table:app.sales.customers:SELECT | member | role:app_readonly",
        "svc_legacy | table:app.public.orders:TRUNCATE | member | direct",
    };
    const char* all_privileges[] = {"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE",
                                    "REFERENCES", "TRIGGER", "OWNER"};
    // Owners hold every privilege on their tables and may grant each onward (level admin).
    for (const char* priv : all_privileges) {
      std::string level = std::string(priv) == "OWNER" ? "member" : "admin";
      for (const char* t : {"app.public.orders", "app.sales.customers", "app.sales.summary"}) {
        expected.push_back(std::string("alice | table:") + t + ":" + priv + " | " + level +
                           " | role:app_owner");
      }
      for (const char* t : {"app.public.lookup", "payroll.public.salaries"}) {
        expected.push_back(std::string("postgres | table:") + t + ":" + priv + " | " + level +
                           " | direct");
      }
    }
    for (auto& line : public_grants()) expected.push_back(line);
    CHECK(got.grant_lines() == sorted(expected));
  }

  SECTION("no error, no password in the log") {
    CHECK(h.log.joined().find("reader-secret") == std::string::npos);
  }
}

TEST_CASE("postgres: every grant agrees with PostgreSQL's own privilege functions",
          "[integration][connector][postgres]") {
  TestServers& servers = TestServers::shared("postgres");
  Harness h(servers);
  RecordCollector got;
  REQUIRE(h.fetch(h.system(full_config(h)), got).ok());

  // For each (non-superuser) account and each entitlement: does the snapshot say the account
  // holds it, and at which level? And what does PostgreSQL say?
  std::map<std::string, pg::PgConnection> sessions;
  sessions.emplace("app", superuser(servers, "app", h.log));
  sessions.emplace("payroll", superuser(servers, "payroll", h.log));
  std::set<std::string> held, grantable;
  for (const auto& g : got.grants) {
    held.insert(g.account_id + " " + g.entitlement_id);
    if (g.level == "admin") grantable.insert(g.account_id + " " + g.entitlement_id);
  }
  int checked = 0;
  for (const auto& account : kAccounts) {
    if (account == "postgres") continue;  // a superuser passes every check
    for (const auto& e : got.entitlements) {
      const std::string key = account + " " + e.id;
      const std::string name = e.name;
      const std::string priv = name.substr(name.rfind(':') + 1);
      const std::string object = name.substr(0, name.rfind(':'));
      const std::string db = object.substr(0, object.find('.'));
      const std::string local = object.substr(object.find('.') + 1);
      INFO(key);
      if (e.id == "role:pg_database_owner") {
        continue;  // membership there depends on the database: seen as `via`, not as a grant
      } else if (e.type == "role") {
        CHECK(held.count(key) == ask(sessions.at("app"), "SELECT pg_has_role($1, $2, 'MEMBER')",
                                     {account, e.name}));
        CHECK(grantable.count(key) ==
              ask(sessions.at("app"),
                  "SELECT pg_has_role($1, $2, 'MEMBER WITH ADMIN OPTION')", {account, e.name}));
      } else if (e.type == "database" && priv != "owner") {
        CHECK(held.count(key) == ask(sessions.at("app"), "SELECT has_database_privilege($1, $2, $3)",
                                     {account, db, priv}));
      } else if (e.type == "schema" && priv != "OWNER") {
        CHECK(held.count(key) == ask(sessions.at(db), "SELECT has_schema_privilege($1, $2, $3)",
                                     {account, local, priv}));
      } else if (e.type == "table" && priv != "OWNER") {
        CHECK(held.count(key) == ask(sessions.at(db), "SELECT has_table_privilege($1, $2, $3)",
                                     {account, local, priv}));
        CHECK(grantable.count(key) == ask(sessions.at(db), "SELECT has_table_privilege($1, $2, $3)",
                                          {account, local, priv + " WITH GRANT OPTION"}));
      } else if (e.type == "table") {
        CHECK(held.count(key) ==
              ask(sessions.at(db),
                  "SELECT pg_has_role($1, c.relowner, 'USAGE') FROM pg_class c "
                  "WHERE c.oid = $2::regclass",
                  {account, local}));
      } else {
        continue;
      }
      ++checked;
    }
  }
  CHECK(checked > 400);
}

TEST_CASE("postgres: without `databases`, only the dsn's database is read",
          "[integration][connector][postgres]") {
  Harness h(TestServers::shared("postgres"));
  RecordCollector got;
  REQUIRE(h.fetch(h.system("dsn = \"" + h.dsn() + "\"\n"), got).ok());
  CHECK(got.find_entitlement("database:app:connect") != nullptr);
  CHECK(got.find_entitlement("schema:app.internal:USAGE") != nullptr);  // schemas default to all
  CHECK(got.find_entitlement("table:app.internal.secrets:SELECT") != nullptr);
  for (const auto& e : got.entitlements) CHECK(e.id.find("payroll") == std::string::npos);
  CHECK(got.grant_lines("eve") == std::vector<std::string>{
      "eve | attr:BYPASSRLS | member | direct",
      "eve | database:app:connect | member | everyone:default",
      "eve | database:app:temporary | member | everyone:default",
      "eve | role:ops_super | member | direct",
      "eve | schema:app.public:USAGE | member | everyone",
      "eve | table:app.internal.secrets:SELECT | member | direct",
      "eve | table:app.public.lookup:SELECT | member | everyone",
  });
}

TEST_CASE("postgres: a wrong password fails once with one line naming server, database and user",
          "[integration][connector][postgres]") {
  Harness h(TestServers::shared("postgres"), "not-the-password");
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  store::SnapshotStore snapshots(**db);
  auto outcome = connectors::take_snapshot(h.system(full_config(h)), h.registry, h.env, snapshots);
  if (!outcome.ok()) FAIL(outcome.error().message());
  REQUIRE(outcome->error);
  CHECK(outcome->error->message() ==
        "system \"pg\": connect to 127.0.0.1:" + h.port() +
            " database \"app\" as \"rollcall_reader\": password authentication failed for user "
            "\"rollcall_reader\"");
  CHECK(outcome->info.status == SnapshotStatus::failed);
  CHECK(outcome->error->message().find("not-the-password") == std::string::npos);
}

TEST_CASE("postgres: sslmode in the dsn is honoured", "[integration][connector][postgres]") {
  Harness h(TestServers::shared("postgres"));
  RecordCollector got;
  std::string dsn = "host=127.0.0.1 port=" + h.port() + " dbname=app user=rollcall_reader sslmode=require";
  auto r = h.fetch(h.system("dsn = \"" + dsn + "\"\n"), got);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == "connect to 127.0.0.1:" + h.port() +
                                   " database \"app\" as \"rollcall_reader\": server does not "
                                   "support SSL, but SSL was required");
}

TEST_CASE("postgres: a configured database or schema that does not exist is an error",
          "[integration][connector][postgres]") {
  Harness h(TestServers::shared("postgres"));
  RecordCollector got;
  auto r = h.fetch(h.system("dsn = \"" + h.dsn() + "\"\ndatabases = [\"app\", \"payrol\"]\n"), got);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() ==
        "database \"payrol\" (from `databases`) not found; the cluster has app, payroll, "
        "postgres, scratch");

  RecordCollector got2;
  r = h.fetch(h.system("dsn = \"" + h.dsn() + "\"\nschemas = [\"public\", \"sale\"]\n"), got2);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == "127.0.0.1:" + h.port() +
                                   " database \"app\": schema \"sale\" (from `schemas`) is in none "
                                   "of the databases read");
}

TEST_CASE("postgres: a server killed mid-read leaves a partial snapshot with the error",
          "[integration][connector][postgres]") {
  auto servers = TestServers::start("postgres");
  Harness h(*servers);
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  store::SnapshotStore snapshots(**db);

  // The first account crashes the server: the cluster-wide catalogs are read by then, the
  // databases' privileges are not.
  connectors::Registry registry;
  registry.add(testing::crash_after_accounts(pg::connector_type(), *servers, 1));

  auto outcome = connectors::take_snapshot(h.system(full_config(h)), registry, h.env, snapshots);
  if (!outcome.ok()) FAIL(outcome.error().message());
  REQUIRE(outcome->error);
  CHECK(outcome->info.status == SnapshotStatus::partial);
  // libpq words it with or without the server's own goodbye, depending on whether the killed
  // server had time to send one: both name the system, the database and the step.
  const std::string message = outcome->error->message();
  const std::string prefix = "system \"pg\": 127.0.0.1:" + h.port() + " database \"app\": read schemas: ";
  CHECK(message.rfind(prefix, 0) == 0);
  CHECK(message.size() >= prefix.size());
  const std::string rest = message.substr(std::min(message.size(), prefix.size()));
  CHECK((rest == "server closed the connection unexpectedly" ||
         rest == "terminating connection due to unexpected postmaster exit; server closed the connection unexpectedly"));
  auto latest = snapshots.latest_complete("pg");
  REQUIRE(latest.ok());
  CHECK_FALSE(latest->has_value());
}
