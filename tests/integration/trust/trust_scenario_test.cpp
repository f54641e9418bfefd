// A small company scanned as a new user would: PostgreSQL and OpenLDAP are real servers, Slack
// is a fake of its Web API, and an app exports a file. Each class of false finding that real
// estates hit is planted beside a look-alike control, and the scan's findings are asserted
// exactly (kind, system, subject, entitlement): every planted case found, every control silent.
//
//   class                 planted                                   control
//   grant to everyone     SELECT on trust.salaries to PUBLIC        CONNECT/TEMPORARY defaults; trust.menu in the baseline
//   builtin accounts      a forgotten bot integration (orphan)      Slackbot
//   status-aware rules    dan, active, idle 200 days (dormant)      cat, on leave, idle 200 days
//   allowed level sets    eve-1 as admin of team:engineering        dan as maintainer (member or maintainer allowed)
//   accounts by id        eve's two accounts (duplicate)            one account each for the others
//   exception by email    expired exception for eve@trust.test      (resolves to eve-1, with snapshot)
//   nesting               trust_finance inside trust_sales_leads    trust_app_ro inside trust_app_rw, accepted
//   baseline (LDAP)       dan in trust-vpn                          everyone in trust-all
#include <catch2/catch.hpp>

#include <cstdlib>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "connectors/postgres/pg_connection.hpp"
#include "tests/integration/http/fake_apis.hpp"
#include "tests/integration/http/fake_server.hpp"
#include "tests/integration/servers/test_servers.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/temp_dir.hpp"

using namespace rollcall;
using rollcall::testing::TempDir;
using rollcall::testing::TestServers;
namespace pg = rollcall::connectors::postgres;

namespace {

const std::string kBase = "dc=example,dc=test";
constexpr const char* kNow = "2026-12-10T06:00:00Z";

constexpr const char* kPgEstate = R"(
CREATE ROLE rollcall_trust LOGIN PASSWORD 'trust-secret';
CREATE ROLE trust_sales_leads NOLOGIN;
CREATE ROLE trust_finance NOLOGIN;
GRANT trust_finance TO trust_sales_leads;
CREATE ROLE trust_app_rw NOLOGIN;
CREATE ROLE trust_app_ro NOLOGIN;
GRANT trust_app_ro TO trust_app_rw;
CREATE ROLE "ann@trust.test" LOGIN;
CREATE ROLE "ben@trust.test" LOGIN;
CREATE ROLE "dan@trust.test" LOGIN;
CREATE ROLE "eve@trust.test" LOGIN;
GRANT trust_sales_leads TO "ann@trust.test", "ben@trust.test";
GRANT trust_app_rw TO "dan@trust.test", "eve@trust.test";
CREATE SCHEMA trust;
CREATE TABLE trust.salaries (x int);
CREATE TABLE trust.menu (x int);
GRANT SELECT ON trust.salaries TO PUBLIC;
GRANT SELECT ON trust.menu TO PUBLIC;
)";

std::string ldap_estate() {
  const std::string people = "ou=trust," + kBase;
  const std::string groups = "ou=trustgroups," + kBase;
  std::string out = "dn: " + people + "\nobjectClass: organizationalUnit\nou: trust\n\n" + "dn: " + groups +
                    "\nobjectClass: organizationalUnit\nou: trustgroups\n\n";
  for (const char* who : {"ann", "ben", "cat", "dan", "eve"}) {
    out += "dn: uid=" + std::string(who) + "," + people + "\nobjectClass: inetOrgPerson\nuid: " + who + "\ncn: " + who +
           "\nsn: " + who + "\nmail: " + who + "@trust.test\n\n";
  }
  out += "dn: cn=trust-all," + groups + "\nobjectClass: groupOfNames\ncn: trust-all\n";
  for (const char* who : {"ann", "ben", "cat", "dan", "eve"}) out += "member: uid=" + std::string(who) + "," + people + "\n";
  out += "\ndn: cn=trust-sales," + groups + "\nobjectClass: groupOfNames\ncn: trust-sales\nmember: uid=ann," + people +
         "\nmember: uid=ben," + people + "\n\n";
  out += "dn: cn=trust-vpn," + groups + "\nobjectClass: groupOfNames\ncn: trust-vpn\nmember: uid=dan," + people + "\n";
  return out;
}

constexpr const char* kApp = R"({
  "accounts": [
    {"id": "ann", "email": "ann@trust.test", "last_login": "2026-12-01T09:00:00Z"},
    {"id": "cat", "email": "cat@trust.test", "last_login": "2026-05-20T09:00:00Z"},
    {"id": "dan", "email": "dan@trust.test", "last_login": "2026-05-20T09:00:00Z"},
    {"id": "eve-1", "login": "eve", "email": "eve@trust.test", "last_login": "2026-12-01T09:00:00Z"},
    {"id": "eve-2", "login": "eve.test", "email": "eve@trust.test", "last_login": "2026-12-01T09:00:00Z"}
  ],
  "grants": [
    {"account": "dan", "entitlement": "team:engineering", "level": "maintainer"},
    {"account": "eve-1", "entitlement": "team:engineering", "level": "admin"},
    {"account": "eve-1", "entitlement": "role:export"}
  ]
})";

constexpr const char* kRoster =
    "employee_id,email,name,department,title,role,status,manager_email,start_date,end_date\n"
    "T1,ann@trust.test,Ann Ames,Sales,Lead,sales,active,,2024-01-01,\n"
    "T2,ben@trust.test,Ben Bell,Sales,Lead,sales,active,,2024-01-01,\n"
    "T3,cat@trust.test,Cat Cole,Engineering,Engineer,dev,leave,,2024-01-01,\n"
    "T4,dan@trust.test,Dan Dorn,Engineering,Engineer,dev,active,,2024-01-01,\n"
    "T5,eve@trust.test,Eve Eng,Engineering,Engineer,dev,active,,2024-01-01,\n";

constexpr const char* kPolicy = R"(owner "team-trust"
role "sales" { pg = { "role:trust_sales_leads" }, dir = { "group:trust-sales" } }
role "dev" {
  pg  = { "role:trust_app_rw" },
  app = { { "team:engineering", level = { "member", "maintainer" } } },
}
baseline { system = "pg", entitlements = { "table:postgres.trust.menu:SELECT" } }
baseline { system = "dir", entitlements = { "group:trust-all" } }
baseline { system = "slack", entitlements = { "workspace:*" } }
nesting { system = "pg", entitlement = "role:trust_app_rw", includes = { "role:trust_app_ro" } }
exception {
  system = "app", account = "eve@trust.test", entitlement = "role:export",
  expires = "2026-11-01", ticket = "SEC-9", reason = "quarter-end export",
}
)";

std::string workspace_toml(TestServers& pgs, TestServers& lds, const std::string& slack_url) {
  return R"([roster]
type = "csv"
path = "roster.csv"

[[system]]
name = "pg"
type = "postgres"
owner = "team-dba"
dsn = "host=127.0.0.1 port=)" + pgs.get("ROLLCALL_PG_PORT") + R"( dbname=postgres user=rollcall_trust sslmode=disable"
password_env = "TRUST_PG_PASSWORD"
schemas = ["trust"]
ignore_roles = ["alice", "bob", "carol@example.com", "dave", "eve", "postgres", "rollcall_*", "svc_*", "monitoring_*", "e2e*", "pg_*"]

[[system]]
name = "dir"
type = "ldap"
url = ")" + lds.get("ROLLCALL_LDAP_URL") + R"("
bind_dn = "cn=admin,dc=example,dc=test"
password_env = "TRUST_LDAP_PASSWORD"
user_base = "ou=trust,dc=example,dc=test"
group_base = "ou=trustgroups,dc=example,dc=test"

[[system]]
name = "slack"
type = "slack"
base_url = ")" + slack_url + R"("
token_env = "TRUST_SLACK_TOKEN"

[[system]]
name = "app"
type = "file"
path = "app.json"
)";
}

using Key = std::tuple<std::string, std::string, std::string, std::string>;  // kind, system, subject, entitlement

}  // namespace

TEST_CASE("trust scenario: every planted class is found and every look-alike control stays silent",
          "[integration][trust][postgres][ldap]") {
  TestServers& pgs = TestServers::shared("postgres");
  TestServers& lds = TestServers::shared("ldap");
  CapturingLogger log;
  auto info = pg::ConnInfo::parse("host=" + pgs.get("ROLLCALL_PG_SOCKET_DIR") + " port=" + pgs.get("ROLLCALL_PG_PORT") +
                                  " user=postgres dbname=postgres");
  REQUIRE(info.ok());
  auto admin = pg::PgConnection::connect(*info, "", Secret(), 10, log);
  REQUIRE(admin.ok());
  REQUIRE(admin->exec("plant the estate", kPgEstate).ok());
  TempDir dir;
  dir.write("estate.ldif", ldap_estate());
  const std::string ldapadd = "ldapadd -x -H '" + lds.get("ROLLCALL_LDAP_URL") + "' -D 'cn=admin," + kBase +
                              "' -w admin-secret -f '" + (dir / "estate.ldif").string() + "' >/dev/null";
  REQUIRE(std::system(ldapadd.c_str()) == 0);

  rollcall::testing::FakeServer server;
  rollcall::testing::FakeSlackApi slack(server, "xoxb-trust");
  slack.users = {{"USLACKBOT", "slackbot", "", false, false, false, false},
                 {"B0OLD", "old-integration", "", false, false, false, true},
                 {"U1", "ann", "ann@trust.test"},
                 {"U2", "ben", "ben@trust.test"}};
  slack.install();

  dir.write("ws/rollcall.toml", workspace_toml(pgs, lds, server.url() + "/api"));
  dir.write("ws/roster.csv", kRoster);
  dir.write("ws/app.json", kApp);
  dir.write("ws/policies/trust.lua", kPolicy);
  const std::string env = std::string("ROLLCALL_NOW=") + kNow +
                          " TRUST_PG_PASSWORD=trust-secret TRUST_LDAP_PASSWORD=admin-secret TRUST_SLACK_TOKEN=xoxb-trust";
  auto run = [&](const std::string& args) {
    return rollcall::testing::run_rollcall(dir, "--workspace " + (dir / "ws").string() + " " + args, env);
  };
  auto snap = run("-q snapshot");
  INFO(snap.out << snap.err);
  REQUIRE(snap.exit_code == 0);
  auto scan = run("-q scan --fail-on none --format json");
  INFO(scan.out << scan.err);
  REQUIRE(scan.exit_code == 0);
  const auto report = nlohmann::json::parse(rollcall::testing::read_file(dir / "ws" / "reports" / "report.json"));

  std::set<Key> got;
  for (const auto& f : report["findings"]) {
    std::string subject = f["account_id"].get<std::string>();
    if (subject.empty()) subject = f["person_email"].get<std::string>();
    got.insert({f["kind"], f["system"], subject, f["entitlement_id"]});
  }
  const std::string dan_dn = "uid=dan,ou=trust," + kBase;
  const std::set<Key> want = {
      {"everyone_access", "pg", "", "table:postgres.trust.salaries:SELECT"},
      {"nested_access", "pg", "", "role:trust_finance"},
      {"orphan_account", "slack", "B0OLD", ""},
      {"dormant_account", "app", "dan", ""},
      {"privilege_mismatch", "app", "eve-1", "team:engineering"},
      {"duplicate_account", "app", "eve@trust.test", ""},
      {"exception_expired", "app", "eve-1", "role:export"},
      {"unauthorized_access", "app", "eve-1", "role:export"},
      {"unauthorized_access", "dir", dan_dn, "group:trust-vpn"},
  };
  CHECK(got == want);

  for (const auto& f : report["findings"]) {
    if (f["kind"] == "nested_access") {
      CHECK(f["via"] == "role:trust_sales_leads");
      CHECK(f["accounts"] == nlohmann::json::array({"ann@trust.test", "ben@trust.test"}));
      CHECK(f["owner"] == "team-dba");
    } else if (f["kind"] == "everyone_access") {
      CHECK(f["reach"] == 4);  // the four login roles the connector reads
      CHECK(f["held"][0]["via"] == "everyone");
    } else if (f["kind"] == "duplicate_account") {
      CHECK(f["accounts"] == nlohmann::json::array({"eve-1", "eve-2"}));
    } else if (f["kind"] == "exception_expired") {
      CHECK(f["account_login"] == "eve");
      CHECK(f["evidence"]["snapshot"].is_object());
    } else if (f["kind"] == "privilege_mismatch") {
      CHECK(f["allowed_levels"] == nlohmann::json::array({"member", "maintainer"}));
      CHECK(f["owner"] == "team-trust");
    }
  }
}
