// The ldap connector's configuration. create() touches no network.
#include <catch2/catch.hpp>

#include "connectors/ldap/ldap_connector.hpp"
#include "tests/fakes/system_config.hpp"

using namespace rollcall;
using rollcall::testing::TempDir;

namespace {

struct Fixture {
  Fixture() : secrets(SecretSource::from_map({{"LDAP_PASSWORD", "s3cret"}})), env{secrets, log, clock, dir.path()} {
    registry.add(connectors::ldap::connector_type());
  }
  // The error of loading and creating a system with these keys (after url and user_base), ""
  // on success.
  std::string error(const std::string& keys, const std::string& url = "ldap://dc1.example.test") {
    auto sys = testing::load_system(dir, registry,
                                    "[[system]]\nname = \"dir\"\ntype = \"ldap\"\nurl = \"" + url +
                                        "\"\nuser_base = \"ou=people,dc=x\"\n" + keys);
    if (!sys) return sys.error().message();
    auto c = registry.find("ldap")->create(*sys, env);
    return c ? "" : c.error().message();
  }
  std::string at(int line) const { return (dir.path() / "rollcall.toml").string() + ":" + std::to_string(line) + ": "; }

  TempDir dir;
  SecretSource secrets;
  CapturingLogger log;
  FixedClock clock{0};
  connectors::ConnectorEnv env;
  connectors::Registry registry;
};

const std::string kBind = "bind_dn = \"cn=rollcall,dc=x\"\npassword_env = \"LDAP_PASSWORD\"\n";

}  // namespace

TEST_CASE("ldap config: valid systems of both flavors are accepted", "[connector][ldap]") {
  Fixture f;
  CHECK(f.error(kBind) == "");
  CHECK(f.error("") == "");  // anonymous
  CHECK(f.error(kBind + "flavor = \"ad\"\nattrs = { last_login = \"lastLogon\", group_name = "
                "\"sAMAccountName\" }\nprivileged_groups = [\"Tier0 *\"]\npage_size = 1000\n",
                "ldaps://dc1.example.test:636") == "");
  CHECK(f.error(kBind + "starttls = true\nca_file = \"ca.pem\"\ngroup_base = [\"ou=a,dc=x\", "
                "\"ou=b,dc=x\"]\nservice_filter = \"(employeeType=service)\"\n") == "");
}

TEST_CASE("ldap config: errors name the file, line and key", "[connector][ldap]") {
  Fixture f;
  CHECK(f.error(kBind, "https://dc1") == f.at(6) + "url must start with ldap:// or ldaps://");
  CHECK(f.error(kBind + "starttls = true\n", "ldaps://dc1") ==
        f.at(10) + "starttls upgrades ldap:// connections; ldaps:// is already encrypted");
  CHECK(f.error("bind_dn = \"cn=rollcall,dc=x\"\n") == f.at(8) + "bind_dn needs password_env or password_file");
  CHECK(f.error("password_env = \"LDAP_PASSWORD\"\n") == f.at(8) + "a password needs bind_dn");
  CHECK(f.error(kBind + "flavor = \"389ds\"\n") == f.at(10) + "flavor \"389ds\" is not openldap or ad");
  CHECK(f.error(kBind + "attrs = { last_logon = \"lastLogon\" }\n") ==
        f.at(10) + "unknown key \"last_logon\" in attrs (did you mean \"last_login\"?); known: login, email, "
                   "name, employee_id, last_login, disabled, created, group_name, password_changed");
  CHECK(f.error(kBind + "attrs = { group_name = \"\" }\n") ==
        f.at(10) + "attrs.group_name must name an attribute (it names the group:<name> entitlements)");
  CHECK(f.error(kBind + "page_size = 0\n") == f.at(10) + "page_size must be 1 to 100000");
  CHECK(f.error(kBind + "group_base = [\"ou=groups,dc=x\", \"\"]\n") ==
        f.at(10) + "group_base must name base DNs, none empty");
  CHECK(f.error(kBind + "user_filer = \"(uid=*)\"\n") ==
        f.at(10) + "unknown key \"user_filer\" in system \"dir\" (did you mean \"user_filter\"?)");
}
