// The configuration of one ldap system, shared by the connector's read side (ldap_connector.cpp)
// and its write side (ldap_writer.cpp): the keys of rollcall.toml checked and turned into
// connection options and read settings (with the flavor's defaults), the bind password resolved
// (it stays a Secret), and the one way both sides open a bound session.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "connectors/api/connector.hpp"
#include "connectors/ldap/directory_reader.hpp"
#include "connectors/ldap/ldap_connection.hpp"

namespace rollcall::connectors::ldap {

struct LdapSettings {
  LdapOptions connection;
  std::string bind_dn;
  Secret password;
  ReadSettings read;
};

// The key specs of the ldap connector type.
std::vector<config::KeySpec> settings_keys();

// Reads the system's keys (flavor defaults applied) and bind credential. Fails naming file:line
// and key on an invalid value, or on an unresolvable credential (never quoting a value).
Result<LdapSettings> read_settings(const config::SystemConfig& system, const ConnectorEnv& env);

// Opens a session and binds with the system's credential; fails as LdapConnection::open() and
// bind() do.
Result<std::unique_ptr<LdapConnection>> connect(const LdapSettings& settings);

}  // namespace rollcall::connectors::ldap
