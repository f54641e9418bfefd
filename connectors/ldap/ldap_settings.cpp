#include "connectors/ldap/ldap_settings.hpp"

#include "connectors/api/credentials.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::ldap {
namespace {

struct Flavor {
  const char* name;
  const char* user_filter;
  const char* group_filter;
  AttributeMap attrs;
  std::vector<std::string> privileged_groups;
};

// OpenLDAP: the ppolicy overlay's lock and the lastbind overlay's login time. Active Directory:
// the ACCOUNTDISABLE bit and the replicated lastLogonTimestamp (accurate to about two weeks),
// plus the groups AD itself protects.
const std::vector<Flavor>& flavors() {
  static const std::vector<Flavor> k = {
      {"openldap",
       "(|(objectClass=inetOrgPerson)(objectClass=posixAccount))",
       "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup))",
       {"uid", "mail", "cn", "employeeNumber", "authTimestamp", "pwdAccountLockedTime",
        "createTimestamp", "cn", "pwdChangedTime"},
       {}},
      {"ad",
       "(&(objectCategory=person)(objectClass=user))",
       "(objectClass=group)",
       {"sAMAccountName", "mail", "displayName", "employeeID", "lastLogonTimestamp",
        "userAccountControl", "whenCreated", "cn", "pwdLastSet"},
       {"Administrators", "Domain Admins", "Enterprise Admins", "Schema Admins",
        "Account Operators", "Backup Operators", "Server Operators", "Print Operators",
        "DnsAdmins", "Group Policy Creator Owners"}},
  };
  return k;
}

struct AttrKey {
  const char* key;
  std::string AttributeMap::*field;
};
constexpr AttrKey kAttrKeys[] = {
    {"login", &AttributeMap::login},           {"email", &AttributeMap::email},
    {"name", &AttributeMap::name},             {"employee_id", &AttributeMap::employee_id},
    {"last_login", &AttributeMap::last_login}, {"disabled", &AttributeMap::disabled},
    {"created", &AttributeMap::created},       {"group_name", &AttributeMap::group_name},
    {"password_changed", &AttributeMap::password_changed},
};

Result<const Flavor*> read_flavor(const config::Table& k) {
  std::string name = k.string("flavor").value_or("openldap");
  for (const auto& f : flavors()) {
    if (name == f.name) return &f;
  }
  return fail(k.where("flavor") + ": flavor " + quote(name) + " is not openldap or ad");
}

Result<LdapOptions> read_connection(const config::SystemConfig& system, const ConnectorEnv& env) {
  const config::Table& k = system.keys;
  LdapOptions o;
  o.url = *k.string("url");
  const std::string scheme = to_lower(o.url.substr(0, o.url.find("://") + 3));
  if (scheme != "ldap://" && scheme != "ldaps://") {
    return fail(k.where("url") + ": url must start with ldap:// or ldaps://");
  }
  o.starttls = k.boolean("starttls").value_or(false);
  if (o.starttls && scheme == "ldaps://") {
    return fail(k.where("starttls") + ": starttls upgrades ldap:// connections; ldaps:// is "
                "already encrypted");
  }
  if (auto ca = k.string("ca_file")) {
    std::filesystem::path p = *ca;
    if (p.is_relative()) p = env.workspace_dir / p;
    o.ca_file = p.string();
  }
  o.timeout_s = system.timeout_s;
  return o;
}

Result<AttributeMap> read_attrs(const config::Table& k, const Flavor& flavor) {
  AttributeMap m = flavor.attrs;
  std::vector<std::string> known;
  for (const auto& a : kAttrKeys) known.push_back(a.key);
  for (const auto& [key, value] : k.map("attrs").value_or(config::StringMap{})) {
    const AttrKey* found = nullptr;
    for (const auto& a : kAttrKeys) {
      if (key == a.key) found = &a;
    }
    if (found == nullptr) {
      std::string msg = k.where("attrs") + ": unknown key " + quote(key) + " in attrs";
      std::string guess = closest_match(key, known);
      if (!guess.empty()) msg += " (did you mean " + quote(guess) + "?)";
      return fail(msg + "; known: " + join(known, ", "));
    }
    m.*found->field = value;
  }
  if (m.group_name.empty()) {
    return fail(k.where("attrs") + ": attrs.group_name must name an attribute (it names the "
                "group:<name> entitlements)");
  }
  return m;
}

Result<ReadSettings> read_search(const config::Table& k, const Flavor& flavor) {
  ReadSettings r;
  r.user_bases = *k.list("user_base");
  r.group_bases = k.list("group_base").value_or(r.user_bases);
  for (const auto& [key, bases] : {std::pair{"user_base", &r.user_bases}, {"group_base", &r.group_bases}}) {
    bool blank = bases->empty();
    for (const auto& b : *bases) blank = blank || trim(b).empty();
    if (blank) return fail(k.where(key) + ": " + key + " must name base DNs, none empty");
  }
  r.user_filter = k.string("user_filter").value_or(flavor.user_filter);
  r.group_filter = k.string("group_filter").value_or(flavor.group_filter);
  r.service_filter = k.string("service_filter").value_or("");
  RC_ASSIGN(r.attrs, read_attrs(k, flavor));
  const std::int64_t page_size = k.integer("page_size").value_or(500);
  if (page_size < 1 || page_size > 100000) {
    return fail(k.where("page_size") + ": page_size must be 1 to 100000");
  }
  r.page_size = static_cast<int>(page_size);
  r.privileged_groups = NamePatterns(k.list("privileged_groups").value_or(flavor.privileged_groups),
                                     NameCase::insensitive);
  return r;
}

}  // namespace

std::vector<config::KeySpec> settings_keys() {
  using config::ValueType;
  std::vector<config::KeySpec> k = {
      {"url", ValueType::string, true, "ldap://host[:port] or ldaps://host[:port]", ""},
      {"starttls", ValueType::boolean, false, "upgrade an ldap:// connection with StartTLS", "false"},
      {"ca_file", ValueType::string, false,
       "PEM bundle of certificate authorities to verify the server with, instead of the system's", ""},
      {"bind_dn", ValueType::string, false,
       "DN to bind as (simple bind, with password_env or password_file); anonymous when absent", ""},
      {"flavor", ValueType::string, false,
       "defaults for filters and attributes: openldap (also 389 DS) or ad (Active Directory)",
       "\"openldap\""},
      {"user_base", ValueType::string_list, true, "base DN(s) searched for accounts", ""},
      {"user_filter", ValueType::string, false, "LDAP filter selecting accounts",
       "openldap: (|(objectClass=inetOrgPerson)(objectClass=posixAccount)); "
       "ad: (&(objectCategory=person)(objectClass=user))"},
      {"service_filter", ValueType::string, false,
       "LDAP filter: accounts that also match it are services (kind service), e.g. "
       "\"(employeeType=service)\"",
       ""},
      {"group_base", ValueType::string_list, false, "base DN(s) searched for groups", "user_base"},
      {"group_filter", ValueType::string, false, "LDAP filter selecting groups",
       "openldap: groupOfNames, groupOfUniqueNames or posixGroup; ad: (objectClass=group)"},
      {"attrs", ValueType::string_map, false,
       "attribute names for login, email, name, employee_id, last_login, disabled, created, password_changed, "
       "group_name (\"\" turns one off)",
       "by flavor"},
      {"page_size", ValueType::integer, false, "entries per page of a paged search", "500"},
      {"privileged_groups", ValueType::string_list, false,
       "groups (names or patterns, any case) whose entitlement is privileged",
       "ad: Domain Admins, Enterprise Admins, ... ; openldap: none"},
  };
  for (auto& c : connectors::credential_keys("password", "bind password")) k.push_back(std::move(c));
  return k;
}

Result<LdapSettings> read_settings(const config::SystemConfig& system, const ConnectorEnv& env) {
  const config::Table& k = system.keys;
  LdapSettings s;
  RC_ASSIGN(const Flavor* flavor, read_flavor(k));
  RC_ASSIGN(s.connection, read_connection(system, env));
  RC_ASSIGN(auto credential, connectors::read_credential(system, "password", env));
  s.bind_dn = k.string("bind_dn").value_or("");
  if (!s.bind_dn.empty() && !credential) {
    return fail(k.where("bind_dn") + ": bind_dn needs password_env or password_file");
  }
  if (s.bind_dn.empty() && credential) {
    return fail(k.where(k.has("password_env") ? "password_env" : "password_file") +
                ": a password needs bind_dn");
  }
  if (credential) s.password = std::move(credential->secret);
  RC_ASSIGN(s.read, read_search(k, *flavor));
  s.read.system = system.name;
  return s;
}

Result<std::unique_ptr<LdapConnection>> connect(const LdapSettings& settings) {
  RC_ASSIGN(auto conn, LdapConnection::open(settings.connection));
  RC_TRY(conn->bind(settings.bind_dn, settings.password));
  return conn;
}

}  // namespace rollcall::connectors::ldap
