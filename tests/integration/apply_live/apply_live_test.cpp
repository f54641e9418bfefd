// End to end against real servers: a workspace whose PostgreSQL cluster and OpenLDAP directory
// (scripts/test-servers.sh) hold planted drift is snapshotted, scanned, planned and applied
// with the rollcall binary; the servers' own catalogs and entries show each change; the next
// snapshot and scan find the drift resolved and plan nothing; applying the plan again writes
// nothing, whether the journal or the live state says it is done.
//
// The drift lives in roles, entries and groups of its own (e2e_*, ou=e2e, ou=e2egroups); the
// seeded roles are ignored through ignore_roles, so the other tests' fixtures stay as they are.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <set>

#include <nlohmann/json.hpp>

#include "connectors/ldap/ldap_connection.hpp"
#include "connectors/ldap/ldap_values.hpp"
#include "connectors/postgres/pg_connection.hpp"
#include "scanner/store/sqlite.hpp"
#include "tests/integration/servers/test_servers.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/temp_dir.hpp"

using namespace rollcall;
using rollcall::testing::read_file;
using rollcall::testing::TempDir;
using rollcall::testing::TestServers;
namespace pg = rollcall::connectors::postgres;
namespace ld = rollcall::connectors::ldap;

namespace {

const std::string kBase = "dc=example,dc=test";
const std::string kAdminDn = "cn=admin,dc=example,dc=test";

using Run = rollcall::testing::CliRun;

Run run_cli(const TempDir& dir, const std::string& args) {
  return rollcall::testing::run_rollcall(dir, "--workspace " + (dir / "ws").string() + " " + args);
}

pg::PgConnection superuser(TestServers& servers, Logger& log) {
  auto info = pg::ConnInfo::parse("host=" + servers.get("ROLLCALL_PG_SOCKET_DIR") + " port=" +
                                  servers.get("ROLLCALL_PG_PORT") + " user=postgres dbname=postgres");
  REQUIRE(info.ok());
  auto conn = pg::PgConnection::connect(*info, "", Secret(), 10, log);
  REQUIRE(conn.ok());
  return std::move(conn).value();
}

// The drift: pat lacks e2e_readers and holds e2e_ops WITH ADMIN OPTION where member is
// desired; sam holds e2e_admins, which nobody should; lee left the company and can log in.
constexpr const char* kPgDrift = R"(
CREATE ROLE rollcall_writer LOGIN CREATEROLE PASSWORD 'writer-secret';
CREATE ROLE e2e_readers NOLOGIN;
CREATE ROLE e2e_ops NOLOGIN;
CREATE ROLE e2e_admins NOLOGIN;
CREATE ROLE "pat@example.test" LOGIN;
CREATE ROLE "sam@example.test" LOGIN;
CREATE ROLE "lee@example.test" LOGIN;
GRANT e2e_ops TO "pat@example.test" WITH ADMIN OPTION;
GRANT e2e_readers, e2e_ops TO "sam@example.test";
GRANT e2e_admins TO "sam@example.test";
)";

// The drift: pat is not in e2e-staff (a groupOfNames); sam is in e2e-ops (a posixGroup), which
// nobody should be.
std::string ldap_drift() {
  const std::string e2e = "ou=e2e," + kBase;
  const std::string groups = "ou=e2egroups," + kBase;
  return "dn: " + e2e + "\nobjectClass: organizationalUnit\nou: e2e\n\n"
         "dn: " + groups + "\nobjectClass: organizationalUnit\nou: e2egroups\n\n"
         "dn: uid=pat," + e2e + "\nobjectClass: inetOrgPerson\nuid: pat\ncn: Pat Park\nsn: Park\n"
         "mail: pat@example.test\n\n"
         "dn: uid=sam," + e2e + "\nobjectClass: inetOrgPerson\nuid: sam\ncn: Sam Stone\nsn: Stone\n"
         "mail: sam@example.test\n\n"
         "dn: cn=e2e-staff," + groups + "\nobjectClass: groupOfNames\ncn: e2e-staff\n"
         "member: uid=sam," + e2e + "\n\n"
         "dn: cn=e2e-ops," + groups + "\nobjectClass: posixGroup\ncn: e2e-ops\ngidNumber: 3000\n"
         "memberUid: sam\n";
}

std::string workspace_toml(TestServers& pgs, TestServers& lds) {
  return R"([roster]
type = "csv"
path = "roster.csv"

[apply]
max_destructive_share = "100%"

[[system]]
name = "pg"
type = "postgres"
dsn = "host=127.0.0.1 port=)" + pgs.get("ROLLCALL_PG_PORT") + R"( dbname=postgres user=rollcall_writer sslmode=disable"
password_env = "E2E_PG_PASSWORD"
schemas = ["public"]
ignore_roles = ["alice", "bob", "carol@example.com", "dave", "eve", "postgres", "rollcall_*", "svc_*", "monitoring_*"]

[[system]]
name = "dir"
type = "ldap"
url = ")" + lds.get("ROLLCALL_LDAP_URL") + R"("
bind_dn = "cn=admin,dc=example,dc=test"
password_env = "E2E_LDAP_PASSWORD"
user_base = "ou=e2e,dc=example,dc=test"
group_base = "ou=e2egroups,dc=example,dc=test"
)";
}

constexpr const char* kRoster =
    "employee_id,email,name,department,title,role,status,manager_email,start_date,end_date\n"
    "E1,pat@example.test,Pat Park,Engineering,Engineer,staff,active,,2024-01-01,\n"
    "E2,sam@example.test,Sam Stone,Engineering,Engineer,staff,active,,2024-01-01,\n"
    "E3,lee@example.test,Lee Long,Engineering,Engineer,staff,terminated,,2024-01-01,2026-01-01\n";

constexpr const char* kPolicy = R"(owner "team-e2e"
role "staff" {
  pg  = { "role:e2e_readers", { "role:e2e_ops", level = "member" } },
  dir = { "group:e2e-staff" },
}
)";

// pg_auth_members as the server has it: "none", "member" or "admin".
std::string membership(pg::PgConnection& conn, const std::string& role, const std::string& member) {
  auto res = conn.query("oracle",
                        "SELECT CASE WHEN m.admin_option THEN 'admin' ELSE 'member' END FROM pg_auth_members m "
                        "WHERE m.roleid = (SELECT oid FROM pg_roles WHERE rolname = $1) "
                        "AND m.member = (SELECT oid FROM pg_roles WHERE rolname = $2)",
                        {role, member});
  REQUIRE(res.ok());
  return res->rows() == 0 ? "none" : res->row(0).text(0);
}

std::string can_login(pg::PgConnection& conn, const std::string& role) {
  auto res = conn.query("oracle", "SELECT rolcanlogin::text FROM pg_roles WHERE rolname = $1", {role});
  REQUIRE(res.ok());
  REQUIRE(res->rows() == 1);
  return res->row(0).text(0);
}

// The values of `attr` in the entry `dn`, as the directory's administrator reads them.
std::vector<std::string> ldap_values(TestServers& lds, const std::string& dn, const std::string& attr) {
  auto conn = ld::LdapConnection::open(ld::LdapOptions{lds.get("ROLLCALL_LDAP_URL"), false, "", 10});
  REQUIRE(conn.ok());
  REQUIRE((*conn)->bind(kAdminDn, Secret("admin-secret")).ok());
  auto entry = (*conn)->read_entry(dn, {attr});
  REQUIRE(entry.ok());
  REQUIRE(entry->has_value());
  std::vector<std::string> out;
  for (const auto& v : (*entry)->values(attr)) out.push_back(ld::normalize_dn(v).value_or(v));
  std::sort(out.begin(), out.end());
  return out;
}

// The fingerprints of a report's findings (`findings`) or of the ones it says are resolved.
std::set<std::string> fingerprints(const nlohmann::json& report, const char* list) {
  std::set<std::string> out;
  for (const auto& f : report.at(list)) out.insert(f.at("fingerprint").get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("apply live: snapshot, scan, plan and apply fix planted drift in PostgreSQL and LDAP; "
          "a second apply writes nothing",
          "[integration][apply][postgres][ldap]") {
  TestServers& pgs = TestServers::shared("postgres");
  TestServers& lds = TestServers::shared("ldap");
  CapturingLogger log;
  pg::PgConnection admin = superuser(pgs, log);
  REQUIRE(admin.exec("plant drift", kPgDrift).ok());
  TempDir dir;
  dir.write("drift.ldif", ldap_drift());
  const std::string ldapadd = "ldapadd -x -H '" + lds.get("ROLLCALL_LDAP_URL") + "' -D '" + kAdminDn +
                              "' -w admin-secret -f '" + (dir / "drift.ldif").string() + "' >/dev/null";
  REQUIRE(std::system(ldapadd.c_str()) == 0);

  dir.write("ws/rollcall.toml", workspace_toml(pgs, lds));
  dir.write("ws/roster.csv", kRoster);
  dir.write("ws/policies/staff.lua", kPolicy);
  ::setenv("E2E_PG_PASSWORD", "writer-secret", 1);
  ::setenv("E2E_LDAP_PASSWORD", "admin-secret", 1);

  Run snap = run_cli(dir, "-q snapshot");
  INFO(snap.out << snap.err);
  REQUIRE(snap.exit_code == 0);
  Run scan = run_cli(dir, "-q scan --fail-on none --format json");
  INFO(scan.out << scan.err);
  REQUIRE(scan.exit_code != 1);
  Run plan = run_cli(dir, "plan --detailed-exitcode --out " + (dir / "p.json").string());
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 2);
  const auto planned = nlohmann::json::parse(read_file(dir / "p.json"));
  std::set<std::string> actions, fixed;
  for (const auto& a : planned.at("actions")) {
    actions.insert(a.at("type").get<std::string>() + " " + a.at("system").get<std::string>() + " " +
                   a.at("account").get<std::string>() + " " + a.at("entitlement").get<std::string>() + " " +
                   a.at("before").get<std::string>() + "->" + a.at("after").get<std::string>());
    fixed.insert(a.at("finding").get<std::string>());
  }
  const std::string pat = "uid=pat,ou=e2e," + kBase;
  const std::string sam = "uid=sam,ou=e2e," + kBase;
  CHECK(actions == std::set<std::string>{
      "disable_account pg lee@example.test  active->disabled",
      "grant pg pat@example.test role:e2e_readers absent->member",
      "set_level pg pat@example.test role:e2e_ops admin->member",
      "revoke pg sam@example.test role:e2e_admins member->absent",
      "grant dir " + pat + " group:e2e-staff absent->member",
      "revoke dir " + sam + " group:e2e-ops member->absent",
  });

  Run apply = run_cli(dir, "apply " + (dir / "p.json").string() + " --yes");
  INFO(apply.out << apply.err);
  REQUIRE(apply.exit_code == 0);
  CHECK(apply.out.find("6 changed, 0 no-op, 0 conflict, 0 failed") != std::string::npos);

  // What the servers say now.
  CHECK(membership(admin, "e2e_readers", "pat@example.test") == "member");
  CHECK(membership(admin, "e2e_ops", "pat@example.test") == "member");
  CHECK(membership(admin, "e2e_admins", "sam@example.test") == "none");
  CHECK(membership(admin, "e2e_readers", "sam@example.test") == "member");
  CHECK(can_login(admin, "lee@example.test") == "false");
  CHECK(can_login(admin, "sam@example.test") == "true");
  CHECK(ldap_values(lds, "cn=e2e-staff,ou=e2egroups," + kBase, "member") ==
        std::vector<std::string>{*ld::normalize_dn(pat), *ld::normalize_dn(sam)});
  CHECK(ldap_values(lds, "cn=e2e-ops,ou=e2egroups," + kBase, "memberUid").empty());

  // The same plan again: done per the journal, not even read.
  Run again = run_cli(dir, "apply " + (dir / "p.json").string() + " --yes");
  INFO(again.out << again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(again.out.find("0 changed, 6 no-op, 0 conflict, 0 failed") != std::string::npos);

  // Without the journal, each writer reads its target, finds the desired state, writes nothing.
  {
    auto db = store::Database::open(dir / "ws" / "rollcall.db");
    REQUIRE(db.ok());
    REQUIRE((*db)->exec("DELETE FROM apply_journal").ok());
  }
  Run reread = run_cli(dir, "apply " + (dir / "p.json").string() + " --yes");
  INFO(reread.out << reread.err);
  REQUIRE(reread.exit_code == 0);
  CHECK(reread.out.find("0 changed, 6 no-op, 0 conflict, 0 failed") != std::string::npos);
  CHECK(reread.out.find("applied by an earlier run") == std::string::npos);

  // A new observation: the findings the plan fixed are resolved, and nothing is left to do.
  REQUIRE(run_cli(dir, "-q snapshot").exit_code == 0);
  Run rescan = run_cli(dir, "-q scan --fail-on none --format json");
  INFO(rescan.out << rescan.err);
  REQUIRE(rescan.exit_code != 1);
  const auto report = nlohmann::json::parse(read_file(dir / "ws" / "reports" / "report.json"));
  const std::set<std::string> open = fingerprints(report, "findings");
  const std::set<std::string> resolved = fingerprints(report, "resolved");
  for (const auto& f : fixed) {
    CHECK(open.count(f) == 0);
    CHECK(resolved.count(f) == 1);
  }
  Run replan = run_cli(dir, "plan --out " + (dir / "p2.json").string());
  INFO(replan.out << replan.err);
  CHECK(replan.exit_code == 0);
  CHECK(nlohmann::json::parse(read_file(dir / "p2.json")).at("actions").empty());
}
