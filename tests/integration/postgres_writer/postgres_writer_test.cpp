// The postgres writer (connectors/postgres/postgres_writer.hpp) against a real PostgreSQL
// cluster (scripts/test-servers.sh): every write checked in the server's own catalogs, hostile
// role names, refused credentials and privileges, unsupported changes. Each test case creates
// the roles it changes, so the seeded cluster stays as the other tests expect it.
#include <catch2/catch.hpp>

#include "connectors/postgres/pg_connection.hpp"
#include "connectors/postgres/postgres_connector.hpp"
#include "scanner/core/strings.hpp"
#include "tests/fakes/system_config.hpp"
#include "tests/integration/servers/test_servers.hpp"
#include "tests/support/writer_checks.hpp"

using namespace rollcall;
using rollcall::connectors::Change;
using rollcall::connectors::ChangeType;
using rollcall::connectors::LiveState;
using rollcall::testing::TempDir;
using rollcall::testing::TestServers;
using rollcall::testing::level_of;
using rollcall::testing::make_change;
using rollcall::testing::must_read;
using rollcall::testing::must_write;
namespace pg = rollcall::connectors::postgres;

namespace {

// A superuser session on the unix socket: sets up roles and checks what the writer did.
pg::PgConnection superuser(TestServers& servers, Logger& log) {
  auto info = pg::ConnInfo::parse("host=" + servers.get("ROLLCALL_PG_SOCKET_DIR") + " port=" +
                                  servers.get("ROLLCALL_PG_PORT") + " user=postgres dbname=postgres");
  REQUIRE(info.ok());
  auto conn = pg::PgConnection::connect(*info, "", Secret(), 10, log);
  REQUIRE(conn.ok());
  return std::move(conn).value();
}

void run(pg::PgConnection& conn, const std::string& sql) {
  auto r = conn.exec("setup", sql);
  INFO(sql);
  REQUIRE(r.ok());
}

// One text value, or "none" when the query returns no row.
std::string ask(pg::PgConnection& conn, const std::string& sql, const std::vector<std::string>& params) {
  auto res = conn.query("oracle", sql, params);
  REQUIRE(res.ok());
  if (res->rows() == 0) return "none";
  return res->row(0).text(0);
}

// pg_auth_members as the server has it: "none", "member" or "admin".
std::string membership(pg::PgConnection& conn, const std::string& role, const std::string& member) {
  return ask(conn,
             "SELECT CASE WHEN m.admin_option THEN 'admin' ELSE 'member' END FROM pg_auth_members m "
             "WHERE m.roleid = (SELECT oid FROM pg_roles WHERE rolname = $1) "
             "AND m.member = (SELECT oid FROM pg_roles WHERE rolname = $2)",
             {role, member});
}

struct Harness : testing::ServerHarness {
  explicit Harness(TestServers& servers)
      : ServerHarness(servers, pg::connector_type(),
                      {{"PG_PASSWORD", "writer-secret"},
                       {"PG_BAD_PASSWORD", "not-the-password"},
                       {"PG_READER_PASSWORD", "reader-secret"}},
                      0),
        admin(superuser(servers, log)) {
    // The writer's own login: CREATEROLE lets it grant and revoke non-superuser roles and
    // disable non-superuser logins (PostgreSQL 15).
    run(admin, "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rollcall_writer') THEN "
               "CREATE ROLE rollcall_writer LOGIN CREATEROLE PASSWORD 'writer-secret'; END IF; END $$");
  }

  std::string dsn(const std::string& user = "rollcall_writer") const {
    return "host=127.0.0.1 port=" + servers.get("ROLLCALL_PG_PORT") + " dbname=postgres user=" + user +
           " sslmode=disable";
  }

  Result<std::unique_ptr<connectors::Writer>> writer(const std::string& user = "rollcall_writer",
                                                     const std::string& password_env = "PG_PASSWORD") {
    auto sys = testing::load_system(dir, registry,
                                    "[[system]]\nname = \"pg\"\ntype = \"postgres\"\npassword_env = \"" +
                                        password_env + "\"\ndsn = \"" + dsn(user) + "\"\n");
    REQUIRE(sys.ok());
    return registry.find("postgres")->create_writer(*sys, env);
  }

  std::unique_ptr<connectors::Writer> good_writer() {
    auto w = writer();
    INFO((w ? "" : w.error().message()));
    REQUIRE(w.ok());
    return std::move(w).value();
  }

  pg::PgConnection admin;
};

}  // namespace

TEST_CASE("postgres writer: grant and revoke a role membership, as pg_auth_members shows it",
          "[integration][writer][postgres]") {
  Harness h(TestServers::shared("postgres"));
  run(h.admin, "CREATE ROLE wg_readers NOLOGIN; CREATE ROLE wg_user LOGIN");
  auto w = h.good_writer();

  const Change grant = make_change(ChangeType::grant, "wg_user", "role:wg_readers", "member");
  LiveState before = must_read(*w, grant);
  CHECK(before.account_exists);
  CHECK(before.account_active);
  CHECK(level_of(before) == "absent");

  must_write(*w, grant);
  CHECK(membership(h.admin, "wg_readers", "wg_user") == "member");
  CHECK(level_of(must_read(*w, grant)) == "member");
  CHECK(h.log.joined().find("pg: GRANT \"wg_readers\" TO \"wg_user\"") != std::string::npos);

  const Change revoke = make_change(ChangeType::revoke, "wg_user", "role:wg_readers");
  must_write(*w, revoke);
  CHECK(membership(h.admin, "wg_readers", "wg_user") == "none");
  CHECK(level_of(must_read(*w, revoke)) == "absent");
}

TEST_CASE("postgres writer: admin level is ADMIN OPTION; set_level raises and lowers it",
          "[integration][writer][postgres]") {
  Harness h(TestServers::shared("postgres"));
  run(h.admin, "CREATE ROLE wl_ops NOLOGIN; CREATE ROLE wl_user LOGIN; CREATE ROLE wl_other LOGIN");
  auto w = h.good_writer();

  must_write(*w, make_change(ChangeType::grant, "wl_other", "role:wl_ops", "admin"));
  CHECK(membership(h.admin, "wl_ops", "wl_other") == "admin");
  CHECK(level_of(must_read(*w, make_change(ChangeType::grant, "wl_other", "role:wl_ops", "admin"))) == "admin");

  run(h.admin, "GRANT wl_ops TO wl_user");
  const Change up = make_change(ChangeType::set_level, "wl_user", "role:wl_ops", "admin");
  must_write(*w, up);
  CHECK(membership(h.admin, "wl_ops", "wl_user") == "admin");
  CHECK(level_of(must_read(*w, up)) == "admin");

  const Change down = make_change(ChangeType::set_level, "wl_user", "role:wl_ops", "member");
  must_write(*w, down);
  CHECK(membership(h.admin, "wl_ops", "wl_user") == "member");
  CHECK(level_of(must_read(*w, down)) == "member");

  auto bad = w->write(make_change(ChangeType::set_level, "wl_user", "role:wl_ops", "owner"));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message() == "role memberships have the levels member and admin, not \"owner\"");
}

TEST_CASE("postgres writer: read sees only DIRECT memberships", "[integration][writer][postgres]") {
  Harness h(TestServers::shared("postgres"));
  run(h.admin, "CREATE ROLE wd_base NOLOGIN; CREATE ROLE wd_mid NOLOGIN; CREATE ROLE wd_user LOGIN; "
               "GRANT wd_base TO wd_mid; GRANT wd_mid TO wd_user");
  auto w = h.good_writer();
  CHECK(level_of(must_read(*w, make_change(ChangeType::revoke, "wd_user", "role:wd_mid"))) == "member");
  CHECK(level_of(must_read(*w, make_change(ChangeType::revoke, "wd_user", "role:wd_base"))) == "absent");
}

TEST_CASE("postgres writer: disable_account is ALTER ROLE NOLOGIN; a missing role is absent",
          "[integration][writer][postgres]") {
  Harness h(TestServers::shared("postgres"));
  run(h.admin, "CREATE ROLE wx_leaver LOGIN; CREATE ROLE wx_expired LOGIN VALID UNTIL '2020-01-01'");
  auto w = h.good_writer();

  const Change disable = make_change(ChangeType::disable_account, "wx_leaver");
  LiveState before = must_read(*w, disable);
  CHECK(before.account_exists);
  CHECK(before.account_active);
  must_write(*w, disable);
  CHECK(ask(h.admin, "SELECT rolcanlogin::text FROM pg_roles WHERE rolname = $1", {"wx_leaver"}) == "false");
  LiveState after = must_read(*w, disable);
  CHECK(after.account_exists);
  CHECK_FALSE(after.account_active);

  // A password past VALID UNTIL is disabled already, as the reader reports it.
  LiveState expired = must_read(*w, make_change(ChangeType::disable_account, "wx_expired"));
  CHECK(expired.account_exists);
  CHECK_FALSE(expired.account_active);

  LiveState missing = must_read(*w, make_change(ChangeType::disable_account, "wx_nobody"));
  CHECK_FALSE(missing.account_exists);
  CHECK_FALSE(missing.account_active);
  CHECK(level_of(must_read(*w, make_change(ChangeType::grant, "wx_nobody", "role:wx_leaver"))) == "absent");
}

TEST_CASE("postgres writer: hostile role names are quoted, never pasted into SQL",
          "[integration][writer][postgres]") {
  Harness h(TestServers::shared("postgres"));
  // The role and the login carry quotes, a semicolon and a comment: pasted into the statement,
  // they would drop wq_victim.
  const std::string role = "x\"; DROP ROLE wq_victim; --";
  const std::string login = "o'brien \"q\"; DROP ROLE wq_victim";
  run(h.admin, "CREATE ROLE wq_victim NOLOGIN");
  {
    auto q_role = h.admin.quote_identifier(role);
    auto q_login = h.admin.quote_identifier(login);
    REQUIRE(q_role.ok());
    REQUIRE(q_login.ok());
    run(h.admin, "CREATE ROLE " + *q_role + " NOLOGIN; CREATE ROLE " + *q_login + " LOGIN");
  }
  auto w = h.good_writer();
  const Change grant = make_change(ChangeType::grant, login, "role:" + role, "member");
  CHECK(level_of(must_read(*w, grant)) == "absent");
  must_write(*w, grant);
  CHECK(membership(h.admin, role, login) == "member");
  CHECK(level_of(must_read(*w, grant)) == "member");
  must_write(*w, make_change(ChangeType::revoke, login, "role:" + role));
  CHECK(membership(h.admin, role, login) == "none");
  must_write(*w, make_change(ChangeType::disable_account, login));
  CHECK(ask(h.admin, "SELECT rolcanlogin::text FROM pg_roles WHERE rolname = $1", {login}) == "false");
  CHECK(ask(h.admin, "SELECT count(*)::text FROM pg_roles WHERE rolname = 'wq_victim'", {}) == "1");
}

TEST_CASE("postgres writer: a wrong password fails create_writer with one clear line",
          "[integration][writer][postgres]") {
  Harness h(TestServers::shared("postgres"));
  auto w = h.writer("rollcall_writer", "PG_BAD_PASSWORD");
  REQUIRE_FALSE(w.ok());
  CHECK(w.error().message() == "connect to 127.0.0.1:" + h.servers.get("ROLLCALL_PG_PORT") +
                                   " database \"postgres\" as \"rollcall_writer\": password authentication "
                                   "failed for user \"rollcall_writer\"");
  CHECK(h.log.joined().find("not-the-password") == std::string::npos);
}

TEST_CASE("postgres writer: a login without the privilege gets the server's refusal",
          "[integration][writer][postgres]") {
  Harness h(TestServers::shared("postgres"));
  run(h.admin, "CREATE ROLE wp_group NOLOGIN; CREATE ROLE wp_user LOGIN");
  auto w = h.writer("rollcall_reader", "PG_READER_PASSWORD");
  REQUIRE(w.ok());
  auto r = (*w)->write(make_change(ChangeType::grant, "wp_user", "role:wp_group", "member"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == "127.0.0.1:" + h.servers.get("ROLLCALL_PG_PORT") +
                                   " database \"postgres\": GRANT \"wp_group\" TO \"wp_user\": must have "
                                   "admin option on role \"wp_group\"");
  CHECK(membership(h.admin, "wp_group", "wp_user") == "none");
}

TEST_CASE("postgres writer: privileges, attributes and new accounts are unsupported",
          "[integration][writer][postgres]") {
  Harness h(TestServers::shared("postgres"));
  auto w = h.good_writer();
  auto attr = w->read(make_change(ChangeType::grant, "alice", "attr:SUPERUSER", "member"));
  REQUIRE_FALSE(attr.ok());
  CHECK(attr.error().message() ==
        "postgres cannot grant through its API; set apply_via = \"tickets\" on the system to file such changes "
        "as tickets (only role:<name> memberships are written; \"attr:SUPERUSER\" is not one)");
  auto table = w->write(make_change(ChangeType::revoke, "bob", "table:app.public.orders:SELECT"));
  REQUIRE_FALSE(table.ok());
  CHECK(table.error().message().find("postgres cannot revoke through its API") == 0);
  auto create = w->read(make_change(ChangeType::create_account, "new@example.com"));
  REQUIRE_FALSE(create.ok());
  CHECK(create.error().message() ==
        "postgres cannot create_account through its API; set apply_via = \"tickets\" on the system to file "
        "such changes as tickets");
}

TEST_CASE("postgres writer: a lost session fails that call; the next call connects again",
          "[integration][writer][postgres]") {
  Harness h(TestServers::shared("postgres"));
  run(h.admin, "CREATE ROLE wr_group NOLOGIN; CREATE ROLE wr_user LOGIN");
  auto w = h.good_writer();
  const Change grant = make_change(ChangeType::grant, "wr_user", "role:wr_group", "member");
  CHECK(level_of(must_read(*w, grant)) == "absent");

  // The server ends the writer's session, as a restart or a cut connection would.
  REQUIRE(h.admin.query("terminate", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                     "WHERE usename = 'rollcall_writer'").ok());
  auto lost = w->write(grant);
  REQUIRE_FALSE(lost.ok());
  CHECK(lost.error().message().find("GRANT \"wr_group\" TO \"wr_user\": terminating connection due to "
                                    "administrator command") != std::string::npos);
  CHECK(membership(h.admin, "wr_group", "wr_user") == "none");

  CHECK(level_of(must_read(*w, grant)) == "absent");
  must_write(*w, grant);
  CHECK(membership(h.admin, "wr_group", "wr_user") == "member");
}
