// The ldap connector against a real OpenLDAP server (scripts/test-servers.sh, seeded with
// seed.ldif next to this file plus 1200 generated people): every account, entitlement, grant
// and via, OpenLDAP and Active Directory shapes, paged results past the server's size limit,
// ldaps:// and StartTLS, and failures.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>

#include "connectors/api/snapshot_runner.hpp"
#include "connectors/ldap/ldap_connector.hpp"
#include "scanner/store/sqlite.hpp"
#include "tests/fakes/record_collector.hpp"
#include "tests/fakes/system_config.hpp"
#include "tests/integration/servers/test_servers.hpp"

using namespace rollcall;
using rollcall::testing::RecordCollector;
using rollcall::testing::TempDir;
using rollcall::testing::TestServers;

namespace {

const std::string kBase = "dc=example,dc=test";
const std::string kBindDn = "cn=rollcall,ou=services,dc=example,dc=test";

struct Harness : testing::ServerHarness {
  explicit Harness(TestServers& servers, std::string password = "reader-secret")
      : ServerHarness(servers, connectors::ldap::connector_type(), {{"LDAP_PASSWORD", std::move(password)}},
                      1793491200) {}

  std::string url() const { return servers.get("ROLLCALL_LDAP_URL"); }

  // A [[system]] with the server's address and the reader's credentials, plus `keys`.
  config::SystemConfig system(const std::string& keys, const std::string& url = "") {
    auto sys = testing::load_system(
        dir, registry,
        "[[system]]\nname = \"dir\"\ntype = \"ldap\"\nurl = \"" + (url.empty() ? this->url() : url) +
            "\"\nbind_dn = \"" + kBindDn + "\"\npassword_env = \"LDAP_PASSWORD\"\n" + keys);
    REQUIRE(sys.ok());
    return *sys;
  }

  Result<void> fetch(const config::SystemConfig& sys, RecordSink& sink) {
    RC_ASSIGN(auto connector, registry.find("ldap")->create(sys, env));
    return connector->fetch(sink);
  }

};

const std::string kOpenLdapKeys =
    "user_base = [\"ou=people," + kBase + "\", \"ou=services," + kBase + "\"]\n"
    "group_base = \"ou=groups," + kBase + "\"\n"
    "service_filter = \"(employeeType=service)\"\n"
    "privileged_groups = [\"admins\"]\n";

const std::string kBulkKeys = "user_base = \"ou=bulk," + kBase + "\"\n"
                              "group_base = \"ou=bulkgroups," + kBase + "\"\n"
                              "page_size = 100\n";

std::string when(const std::optional<UnixTime>& t) { return t ? format_iso8601(*t) : "-"; }

std::vector<std::string> account_lines(const RecordCollector& got) {
  std::vector<std::string> out;
  for (const auto& a : got.accounts) {
    out.push_back(a.id + " | " + a.login + " | " + a.email + " | " + a.display_name + " | " +
                  a.external_id + " | " + std::string(to_string(a.kind)) + " | " +
                  std::string(to_string(a.status)) + " | " + when(a.last_login) + " | " +
                  when(a.created_at));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("ldap: reads people, services and nested groups of an OpenLDAP directory",
          "[integration][connector][ldap]") {
  Harness h(TestServers::shared("ldap"));
  RecordCollector got;
  auto r = h.fetch(h.system(kOpenLdapKeys), got);
  REQUIRE(r.ok());

  CHECK(account_lines(got) == std::vector<std::string>{
      "uid=alice,ou=people,dc=example,dc=test | alice | alice@example.test | Alice Archer | E1001 "
      "| human | active | 2026-10-01T12:00:00Z | 2024-01-01T12:00:00Z",
      "uid=bob,ou=people,dc=example,dc=test | bob | Bob.Baker@Example.test | Bob Baker | E1002 "
      "| human | active | - | 2024-02-15T09:00:00Z",
      "uid=carol,ou=people,dc=example,dc=test | carol | carol@example.test | Carol Chen | E1003 "
      "| human | active | - | 2024-03-01T09:00:00Z",
      "uid=dave,ou=people,dc=example,dc=test | dave | dave@example.test | Dave Doe | E1004 "
      "| human | active | - | 2023-06-01T09:00:00Z",
      "uid=eve,ou=people,dc=example,dc=test | eve | eve@example.test | Eve Evans | E1005 "
      "| human | disabled | - | 2025-01-10T09:00:00Z",
      "uid=svc-backup,ou=services,dc=example,dc=test | svc-backup |  | Backup service |  "
      "| service | active | - | 2022-01-01T00:00:00Z",
      "uid=svc-ci,ou=services,dc=example,dc=test | svc-ci |  | CI deployer |  "
      "| service | active | - | 2023-01-01T00:00:00Z",
      "uid=svc-legacy,ou=services,dc=example,dc=test | svc-legacy |  | Legacy service |  "
      "| service | active | - | 2019-01-01T00:00:00Z",
  });
  CHECK(got.find_account("uid=eve,ou=people,dc=example,dc=test")->attrs_json ==
        R"({"object_classes":["inetOrgPerson"],"pwdAccountLockedTime":"000001010000Z"})");

  CHECK(got.entitlement_lines() == std::vector<std::string>{
      "group:admins !", "group:deployers", "group:empty", "group:engineering", "group:loop-a",
      "group:loop-b", "group:platform", "group:sre", "group:unix-ops"});
  CHECK(got.find_entitlement("group:sre")->attrs_json ==
        R"({"dn":"cn=sre,ou=groups,dc=example,dc=test","object_classes":["groupOfUniqueNames"]})");

  const std::string alice = "uid=alice,ou=people,dc=example,dc=test";
  const std::string bob = "uid=bob,ou=people,dc=example,dc=test";
  const std::string carol = "uid=carol,ou=people,dc=example,dc=test";
  const std::string dave = "uid=dave,ou=people,dc=example,dc=test";
  const std::string eve = "uid=eve,ou=people,dc=example,dc=test";
  const std::string svc = ",ou=services,dc=example,dc=test";
  CHECK(got.grant_lines() == std::vector<std::string>{
      // groupOfNames, plus sre nested in engineering (its member DN written in another case
      // and spacing) and in admins.
      alice + " | group:admins | member | group:sre",
      alice + " | group:engineering | member | direct",
      alice + " | group:engineering | member | group:sre",
      alice + " | group:sre | member | direct",
      // platform is nested in engineering; unix-ops is a posixGroup (memberUid).
      bob + " | group:engineering | member | group:platform",
      bob + " | group:platform | member | direct",
      bob + " | group:unix-ops | member | direct",
      // uniqueMember with its optional #'0101'B suffix.
      carol + " | group:admins | member | group:sre",
      carol + " | group:engineering | member | group:sre",
      carol + " | group:sre | member | direct",
      dave + " | group:admins | member | direct",
      // loop-a and loop-b contain each other.
      eve + " | group:loop-a | member | group:loop-b",
      eve + " | group:loop-b | member | direct",
      eve + " | group:loop-b | member | group:loop-a",
      "uid=svc-backup" + svc + " | group:unix-ops | member | direct",
      "uid=svc-ci" + svc + " | group:deployers | member | direct",
      "uid=svc-legacy" + svc + " | group:deployers | member | direct",
  });
  // uid=outsider (outside user_base) and memberUid ghost (no such account).
  CHECK(h.log.joined().find("skipped 2 group members") != std::string::npos);
  CHECK(h.log.joined().find("reader-secret") == std::string::npos);
}

TEST_CASE("ldap: reads Active Directory shapes with the ad flavor",
          "[integration][connector][ldap]") {
  Harness h(TestServers::shared("ldap"));
  RecordCollector got;
  // slapd has no objectCategory shorthand (AD maps "person" to its class DN): filter on the
  // class instead of the ad default.
  auto r = h.fetch(h.system("flavor = \"ad\"\nuser_base = \"ou=ad," + kBase + "\"\n"
                            "user_filter = \"(objectClass=user)\"\n"),
                   got);
  REQUIRE(r.ok());
  CHECK(account_lines(got) == std::vector<std::string>{
      "cn=Ann Admin,ou=ad,dc=example,dc=test | ann | ann@example.test | Ann Admin | E2001 "
      "| human | active | 2026-10-01T12:00:00Z | 2024-01-01T12:00:00Z",
      "cn=Ben Gone,ou=ad,dc=example,dc=test | ben | ben@example.test | Ben Gone | E2002 "
      "| human | disabled | - | -",
      "cn=svc-sql,ou=ad,dc=example,dc=test | svc-sql |  |  |  "
      "| human | active | 2026-09-15T08:30:00Z | -",
  });
  // Domain Admins: a protected name and adminCount=1; Backup Readers: adminCount=1 only.
  CHECK(got.entitlement_lines() == std::vector<std::string>{
      "group:Backup Readers !", "group:Domain Admins !", "group:IT Ops"});
  CHECK(got.grant_lines() == std::vector<std::string>{
      "cn=Ann Admin,ou=ad,dc=example,dc=test | group:Domain Admins | member | group:IT Ops",
      "cn=Ann Admin,ou=ad,dc=example,dc=test | group:IT Ops | member | direct",
      "cn=Ben Gone,ou=ad,dc=example,dc=test | group:Backup Readers | member | direct",
      "cn=svc-sql,ou=ad,dc=example,dc=test | group:Domain Admins | member | group:IT Ops",
      "cn=svc-sql,ou=ad,dc=example,dc=test | group:IT Ops | member | direct",
  });
}

TEST_CASE("ldap: a paged search reads more entries than the server's size limit",
          "[integration][connector][ldap]") {
  Harness h(TestServers::shared("ldap"));
  // Without paging the server stops at 500 entries (sizeLimitExceeded, exit code 4).
  std::string plain = "ldapsearch -x -H '" + h.url() + "' -D '" + kBindDn +
                      "' -w reader-secret -b 'ou=bulk," + kBase + "' '(uid=*)' dn >/dev/null 2>&1";
  int status = std::system(plain.c_str());
  CHECK(WEXITSTATUS(status) == 4);

  RecordCollector got;
  REQUIRE(h.fetch(h.system(kBulkKeys), got).ok());
  REQUIRE(got.accounts.size() == 1200);
  CHECK(got.find_account("uid=user0001,ou=bulk,dc=example,dc=test") != nullptr);
  CHECK(got.find_account("uid=user1200,ou=bulk,dc=example,dc=test")->email == "user1200@example.test");
  CHECK(got.entitlement_lines() == std::vector<std::string>{"group:bulk-all"});
  CHECK(got.grants.size() == 1200);
  for (const auto& g : got.grants) {
    CHECK(g.entitlement_id == "group:bulk-all");
    CHECK(g.via == "direct");
  }
}

TEST_CASE("ldap: ldaps:// and StartTLS verify the server with ca_file",
          "[integration][connector][ldap]") {
  TestServers& servers = TestServers::shared("ldap");
  Harness h(servers);
  const std::string ca = "ca_file = \"" + servers.get("ROLLCALL_LDAP_CA_FILE") + "\"\n";
  const std::string ldaps = servers.get("ROLLCALL_LDAPS_URL");

  RecordCollector over_ldaps;
  REQUIRE(h.fetch(h.system(kOpenLdapKeys + ca, ldaps), over_ldaps).ok());
  CHECK(over_ldaps.accounts.size() == 8);
  CHECK(over_ldaps.grants.size() == 17);

  RecordCollector over_starttls;
  REQUIRE(h.fetch(h.system(kOpenLdapKeys + ca + "starttls = true\n"), over_starttls).ok());
  CHECK(over_starttls.grant_lines() == over_ldaps.grant_lines());

  // Without the test CA the certificate is not trusted: no data, a clear error.
  RecordCollector untrusted;
  auto r = h.fetch(h.system(kOpenLdapKeys, ldaps), untrusted);
  REQUIRE_FALSE(r.ok());
  const std::string tls_hint =
      " (or the TLS handshake failed: does ca_file hold the CA that signed the server's "
      "certificate, and is the certificate issued for the URL's host?)";
  CHECK(r.error().message() ==
        "bind to " + ldaps + " as \"" + kBindDn + "\": Can't contact LDAP server" + tls_hint);
  CHECK(untrusted.accounts.empty());

  r = h.fetch(h.system(kOpenLdapKeys + "starttls = true\n"), untrusted);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == h.url() + ": StartTLS: Connect error" + tls_hint);
}

TEST_CASE("ldap: a wrong password fails once with one line naming server and bind DN",
          "[integration][connector][ldap]") {
  Harness h(TestServers::shared("ldap"), "not-the-password");
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  store::SnapshotStore snapshots(**db);
  auto outcome = connectors::take_snapshot(h.system(kOpenLdapKeys), h.registry, h.env, snapshots);
  if (!outcome.ok()) FAIL(outcome.error().message());
  REQUIRE(outcome->error);
  CHECK(outcome->error->message() == "system \"dir\": bind to " + h.url() + " as \"" + kBindDn +
                                         "\": Invalid credentials");
  CHECK(outcome->info.status == SnapshotStatus::failed);
}

TEST_CASE("ldap: a server killed mid-read leaves a partial snapshot with the error",
          "[integration][connector][ldap]") {
  auto servers = TestServers::start("ldap");
  Harness h(*servers);
  auto db = store::Database::open_memory();
  REQUIRE(db.ok());
  store::SnapshotStore snapshots(**db);
  // The 150th account (on page 2 of 100) crashes the server; page 3 cannot be fetched.
  connectors::Registry registry;
  registry.add(testing::crash_after_accounts(connectors::ldap::connector_type(), *servers, 150));

  auto outcome = connectors::take_snapshot(h.system(kBulkKeys), registry, h.env, snapshots);
  if (!outcome.ok()) FAIL(outcome.error().message());
  REQUIRE(outcome->error);
  CHECK(outcome->info.status == SnapshotStatus::partial);
  CHECK(outcome->error->message() == "system \"dir\": " + h.url() + ": search \"ou=bulk," + kBase +
                                         "\" page 3: Can't contact LDAP server");
  auto latest = snapshots.latest_complete("dir");
  REQUIRE(latest.ok());
  CHECK_FALSE(latest->has_value());
}
