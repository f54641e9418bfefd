// The configuration of one postgres system, shared by the connector's read side
// (postgres_connector.cpp) and its write side (postgres_writer.cpp): the keys of rollcall.toml
// checked and turned into values, the password resolved (it stays a Secret), and the one way
// both sides open a session.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "connectors/api/connector.hpp"
#include "connectors/api/name_patterns.hpp"
#include "connectors/postgres/pg_connection.hpp"

namespace rollcall::connectors::postgres {

struct PgSettings {
  std::string system;  // the system's name, for log lines
  ConnInfo conninfo;
  Secret password;
  std::vector<std::string> databases;  // patterns; empty: the dsn's database
  NamePatterns schemas;
  NamePatterns ignore_roles;
  NamePatterns human_roles;
  std::int64_t timeout_s = 60;
};

// The key specs of the postgres connector type.
std::vector<config::KeySpec> settings_keys();

// Reads the system's keys and credential. Fails naming file:line and key on an invalid dsn or
// list, or an unresolvable credential (naming the variable or file, never a value).
Result<PgSettings> read_settings(const config::SystemConfig& system, const ConnectorEnv& env);

// Opens a session on `dbname` ("" for the dsn's database) with the system's credential and
// timeout. `log` must outlive the connection.
Result<PgConnection> connect(const PgSettings& settings, const std::string& dbname, Logger& log);

}  // namespace rollcall::connectors::postgres
