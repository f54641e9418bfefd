// The ldap writer (connectors/ldap/ldap_writer.hpp) against a real OpenLDAP server
// (scripts/test-servers.sh, seeded with tests/integration/ldap/seed.ldif): each write checked by
// reading the entry back as the directory's administrator, the member attribute per group class,
// direct membership only, AD's userAccountControl, filter-hostile group names, refused
// credentials and access, unsupported changes. Each test case changes its own entries.
#include <catch2/catch.hpp>

#include <algorithm>

#include "connectors/ldap/ldap_connection.hpp"
#include "connectors/ldap/ldap_connector.hpp"
#include "connectors/ldap/ldap_values.hpp"
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
using rollcall::testing::must_read;
using rollcall::testing::must_write;
namespace ld = rollcall::connectors::ldap;

namespace {

const std::string kBase = "dc=example,dc=test";
const std::string kAdminDn = "cn=admin,dc=example,dc=test";
const std::string kReaderDn = "cn=rollcall,ou=services,dc=example,dc=test";
const std::string kPeople = "ou=people,dc=example,dc=test";
const std::string kGroups = "ou=groups,dc=example,dc=test";

std::string person(const std::string& uid) { return "uid=" + uid + "," + kPeople; }
std::string group(const std::string& cn) { return "cn=" + cn + "," + kGroups; }

struct Harness : testing::ServerHarness {
  explicit Harness(TestServers& servers)
      : ServerHarness(servers, ld::connector_type(),
                      {{"LDAP_PASSWORD", "admin-secret"},
                       {"LDAP_BAD_PASSWORD", "not-the-password"},
                       {"LDAP_READER_PASSWORD", "reader-secret"}},
                      0) {}

  std::string url() const { return servers.get("ROLLCALL_LDAP_URL"); }

  Result<std::unique_ptr<connectors::Writer>> writer(const std::string& keys, const std::string& bind_dn = kAdminDn,
                                                     const std::string& password_env = "LDAP_PASSWORD") {
    auto sys = testing::load_system(dir, registry,
                                    "[[system]]\nname = \"dir\"\ntype = \"ldap\"\nurl = \"" + url() +
                                        "\"\nbind_dn = \"" + bind_dn + "\"\npassword_env = \"" + password_env +
                                        "\"\n" + keys);
    REQUIRE(sys.ok());
    return registry.find("ldap")->create_writer(*sys, env);
  }

  std::unique_ptr<connectors::Writer> good_writer(const std::string& keys = "user_base = \"" + kPeople +
                                                                            "\"\ngroup_base = \"" + kGroups + "\"\n") {
    auto w = writer(keys);
    INFO((w ? "" : w.error().message()));
    REQUIRE(w.ok());
    return std::move(w).value();
  }

  // The values of `attr` in `dn`, as the administrator reads them (DNs normalized).
  std::vector<std::string> values(const std::string& dn, const std::string& attr) {
    auto conn = ld::LdapConnection::open(ld::LdapOptions{url(), false, "", 10});
    REQUIRE(conn.ok());
    REQUIRE((*conn)->bind(kAdminDn, Secret("admin-secret")).ok());
    auto entry = (*conn)->read_entry(dn, {attr});
    REQUIRE(entry.ok());
    REQUIRE(entry->has_value());
    std::vector<std::string> out;
    for (const auto& v : (*entry)->values(attr)) {
      auto n = ld::normalize_dn(ld::strip_unique_id(v));
      out.push_back(attr == "memberUid" || !n ? v : *n);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  // Sets `attr` of `dn` as the administrator, to plant a state.
  void set_values(const std::string& dn, const std::string& attr, const std::vector<std::string>& values) {
    auto conn = ld::LdapConnection::open(ld::LdapOptions{url(), false, "", 10});
    REQUIRE(conn.ok());
    REQUIRE((*conn)->bind(kAdminDn, Secret("admin-secret")).ok());
    std::vector<ld::LdapConnection::Modification> mods;
    for (const auto& v : values) mods.push_back({ld::LdapConnection::Modification::Op::replace, attr, v});
    REQUIRE((*conn)->modify(dn, mods).ok());
  }
  bool holds(const std::string& dn, const std::string& attr, const std::string& value) {
    auto v = values(dn, attr);
    auto n = ld::normalize_dn(value);
    const std::string want = attr == "memberUid" || !n ? value : *n;
    return std::find(v.begin(), v.end(), want) != v.end();
  }
};

// A grant is at level member (the only level of a group); no login (the writer finds it in the entry).
Change change(ChangeType type, const std::string& account, const std::string& entitlement = "") {
  Change c = testing::make_change(type, account, entitlement, type == ChangeType::grant ? "member" : "");
  c.account_login.clear();
  return c;
}

}  // namespace

TEST_CASE("ldap writer: grant and revoke in a groupOfNames are member values; repeats succeed",
          "[integration][writer][ldap]") {
  Harness h(TestServers::shared("ldap"));
  auto w = h.good_writer();
  const Change grant = change(ChangeType::grant, person("carol"), "group:platform");
  LiveState before = must_read(*w, grant);
  CHECK(before.account_exists);
  CHECK(before.account_active);
  CHECK(level_of(before) == "absent");

  must_write(*w, grant);
  CHECK(h.holds(group("platform"), "member", person("carol")));
  CHECK(level_of(must_read(*w, grant)) == "member");
  // Already a member (typeOrValueExists): the change holds, the write succeeds.
  must_write(*w, grant);

  const Change revoke = change(ChangeType::revoke, person("carol"), "group:platform");
  must_write(*w, revoke);
  CHECK_FALSE(h.holds(group("platform"), "member", person("carol")));
  CHECK(h.holds(group("platform"), "member", person("bob")));
  CHECK(level_of(must_read(*w, revoke)) == "absent");
  // Already not a member (noSuchAttribute): success as well.
  must_write(*w, revoke);
}

TEST_CASE("ldap writer: groupOfUniqueNames uses uniqueMember, posixGroup memberUid with the login",
          "[integration][writer][ldap]") {
  Harness h(TestServers::shared("ldap"));
  auto w = h.good_writer();
  const Change unique = change(ChangeType::grant, person("bob"), "group:sre");
  CHECK(level_of(must_read(*w, unique)) == "absent");
  must_write(*w, unique);
  CHECK(h.holds(group("sre"), "uniqueMember", person("bob")));
  CHECK(level_of(must_read(*w, unique)) == "member");

  const Change posix = change(ChangeType::grant, person("carol"), "group:unix-ops");
  CHECK(level_of(must_read(*w, posix)) == "absent");
  must_write(*w, posix);
  CHECK(h.holds(group("unix-ops"), "memberUid", "carol"));
  CHECK(level_of(must_read(*w, posix)) == "member");
  must_write(*w, change(ChangeType::revoke, person("carol"), "group:unix-ops"));
  CHECK_FALSE(h.holds(group("unix-ops"), "memberUid", "carol"));
  CHECK(h.holds(group("unix-ops"), "memberUid", "bob"));
}

TEST_CASE("ldap writer: read sees direct memberships only, whatever the DN's case and spacing",
          "[integration][writer][ldap]") {
  Harness h(TestServers::shared("ldap"));
  auto w = h.good_writer();
  // bob is in platform, which is a member of engineering.
  CHECK(level_of(must_read(*w, change(ChangeType::revoke, person("bob"), "group:engineering"))) == "absent");
  CHECK(level_of(must_read(*w, change(ChangeType::revoke, person("alice"), "group:engineering"))) == "member");
  CHECK(level_of(must_read(*w, change(ChangeType::revoke, "UID=Alice, OU=People, DC=Example, DC=Test",
                                      "group:engineering"))) == "member");
  // uniqueMember "uid=carol,...#'0101'B": the reader counts it, so does the writer, and a revoke
  // removes the value as stored.
  const Change carol = change(ChangeType::revoke, person("carol"), "group:sre");
  CHECK(level_of(must_read(*w, carol)) == "member");
  must_write(*w, carol);
  CHECK_FALSE(h.holds(group("sre"), "uniqueMember", person("carol")));
  CHECK(level_of(must_read(*w, carol)) == "absent");
}

TEST_CASE("ldap writer: AD's userAccountControl gets the ACCOUNTDISABLE bit, other bits kept",
          "[integration][writer][ldap]") {
  Harness h(TestServers::shared("ldap"));
  auto w = h.good_writer("flavor = \"ad\"\nuser_base = \"ou=ad," + kBase + "\"\n");
  const std::string ann = "cn=Ann Admin,ou=ad," + kBase;
  const std::string sql = "cn=svc-sql,ou=ad," + kBase;
  const std::string ben = "cn=Ben Gone,ou=ad," + kBase;

  const Change disable = change(ChangeType::disable_account, ann);
  LiveState before = must_read(*w, disable);
  CHECK(before.account_exists);
  CHECK(before.account_active);
  must_write(*w, disable);
  CHECK(h.values(ann, "userAccountControl") == std::vector<std::string>{"514"});
  LiveState after = must_read(*w, disable);
  CHECK(after.account_exists);
  CHECK_FALSE(after.account_active);

  must_write(*w, change(ChangeType::disable_account, sql));
  CHECK(h.values(sql, "userAccountControl") == std::vector<std::string>{"66050"});

  // Disabled already: nothing to write, and nothing written.
  CHECK_FALSE(must_read(*w, change(ChangeType::disable_account, ben)).account_active);
  must_write(*w, change(ChangeType::disable_account, ben));
  CHECK(h.values(ben, "userAccountControl") == std::vector<std::string>{"514"});

  LiveState missing = must_read(*w, change(ChangeType::disable_account, "cn=Nobody,ou=ad," + kBase));
  CHECK_FALSE(missing.account_exists);
}

TEST_CASE("ldap writer: group names are escaped in the search filter", "[integration][writer][ldap]") {
  Harness h(TestServers::shared("ldap"));
  auto w = h.good_writer();
  for (const std::string name : {"*", "platform)(cn=*", "plat*"}) {
    auto r = w->read(change(ChangeType::grant, person("carol"), "group:" + name));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() ==
          "group \"" + name + "\" not found under " + kGroups +
              " (filter (&(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup))(cn=" +
              ld::escape_filter_value(name) + ")))");
  }
  CHECK(h.values(group("platform"), "member").size() == 2);
}

TEST_CASE("ldap writer: a grant to an account that does not exist is refused", "[integration][writer][ldap]") {
  Harness h(TestServers::shared("ldap"));
  auto w = h.good_writer();
  const Change grant = change(ChangeType::grant, person("nobody"), "group:deployers");
  LiveState s = must_read(*w, grant);
  CHECK_FALSE(s.account_exists);
  CHECK(level_of(s) == "absent");
  auto r = w->write(grant);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == "cannot add \"" + person("nobody") +
                                   "\" to \"group:deployers\": the account's entry does not exist");
  CHECK(h.values(group("deployers"), "member").size() == 2);
}

TEST_CASE("ldap writer: a wrong password fails create_writer with one clear line", "[integration][writer][ldap]") {
  Harness h(TestServers::shared("ldap"));
  auto w = h.writer("user_base = \"" + kPeople + "\"\n", kAdminDn, "LDAP_BAD_PASSWORD");
  REQUIRE_FALSE(w.ok());
  CHECK(w.error().message() == "bind to " + h.url() + " as \"" + kAdminDn + "\": Invalid credentials");
}

TEST_CASE("ldap writer: a bind DN without write access gets the server's refusal", "[integration][writer][ldap]") {
  Harness h(TestServers::shared("ldap"));
  auto w = h.writer("user_base = \"" + kPeople + "\"\ngroup_base = \"" + kGroups + "\"\n", kReaderDn,
                    "LDAP_READER_PASSWORD");
  REQUIRE(w.ok());
  auto r = (*w)->write(change(ChangeType::grant, person("dave"), "group:platform"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == h.url() + ": modify \"" + group("platform") + "\" (add member \"" + person("dave") +
                                   "\"): Insufficient access");
  CHECK_FALSE(h.holds(group("platform"), "member", person("dave")));
}

TEST_CASE("ldap writer: OpenLDAP accounts, levels and new accounts are unsupported", "[integration][writer][ldap]") {
  Harness h(TestServers::shared("ldap"));
  auto w = h.good_writer();
  auto disable = w->read(change(ChangeType::disable_account, person("dave")));
  REQUIRE_FALSE(disable.ok());
  CHECK(disable.error().message() ==
        "ldap cannot disable_account through its API; set apply_via = \"tickets\" on the system to file such "
        "changes as tickets (only Active Directory's userAccountControl is written; this system's disabled "
        "attribute is \"pwdAccountLockedTime\")");
  auto level = w->write(change(ChangeType::set_level, person("dave"), "group:platform"));
  REQUIRE_FALSE(level.ok());
  CHECK(level.error().message().find("ldap cannot set_level through its API") == 0);
  auto create = w->read(change(ChangeType::create_account, "new@example.test"));
  REQUIRE_FALSE(create.ok());
  CHECK(create.error().message().find("ldap cannot create_account through its API") == 0);
}

TEST_CASE("ldap writer: a server gone mid-apply fails each call with the reason, and nothing is assumed",
          "[integration][writer][ldap]") {
  auto own = TestServers::start("ldap");
  Harness h(*own);
  auto w = h.good_writer();
  const Change grant = change(ChangeType::grant, person("carol"), "group:platform");
  CHECK(level_of(must_read(*w, grant)) == "absent");
  own->kill();
  auto write = w->write(grant);
  REQUIRE_FALSE(write.ok());
  CHECK(write.error().message() == h.url() + ": read \"" + person("carol") + "\": Can't contact LDAP server");
  // The next call binds again on a new connection, and says why it cannot.
  auto read = w->read(grant);
  REQUIRE_FALSE(read.ok());
  CHECK(read.error().message() == "bind to " + h.url() + " as \"" + kAdminDn + "\": Can't contact LDAP server");
}

TEST_CASE("ldap writer: a rehire clears AD's ACCOUNTDISABLE bit on the same entry, other bits kept",
          "[integration][writer][ldap][rehire]") {
  Harness h(TestServers::shared("ldap"));
  auto w = h.good_writer("flavor = \"ad\"\nuser_base = \"ou=ad," + kBase + "\"\n");
  const std::string ben = "cn=Ben Gone,ou=ad," + kBase;
  const Change enable = change(ChangeType::enable_account, ben);
  h.set_values(ben, "userAccountControl", {"66050"});  // disabled, password never expires
  CHECK_FALSE(must_read(*w, enable).account_active);
  must_write(*w, enable);
  CHECK(h.values(ben, "userAccountControl") == std::vector<std::string>{"66048"});
  CHECK(must_read(*w, enable).account_active);
  // Enabled already: nothing to write.
  must_write(*w, enable);
  CHECK(h.values(ben, "userAccountControl") == std::vector<std::string>{"66048"});
}
