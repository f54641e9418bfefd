#include "connectors/postgres/pg_settings.hpp"

#include "connectors/api/credentials.hpp"

namespace rollcall::connectors::postgres {

std::vector<config::KeySpec> settings_keys() {
  using config::ValueType;
  std::vector<config::KeySpec> k = {
      {"dsn", ValueType::string, true,
       "libpq connection string or URI, without the password "
       "(\"host=db.internal dbname=app user=rollcall sslmode=verify-full\")",
       ""},
      {"databases", ValueType::string_list, false,
       "databases whose database, schema and table privileges are read (names or patterns "
       "such as \"*\")",
       "the dsn's database"},
      {"schemas", ValueType::string_list, false,
       "schemas whose schema and table privileges are read (names or patterns; system schemas "
       "are never read)",
       "[\"*\"]"},
      {"ignore_roles", ValueType::string_list, false,
       "login roles not reported as accounts (names or patterns)", "[]"},
      {"human_roles", ValueType::string_list, false,
       "login roles that belong to people (kind human); other login roles are services",
       "[\"*@*\"]"},
  };
  for (auto& c : connectors::credential_keys("password", "database password")) k.push_back(std::move(c));
  return k;
}

Result<PgSettings> read_settings(const config::SystemConfig& system, const ConnectorEnv& env) {
  const config::Table& k = system.keys;
  auto conninfo = ConnInfo::parse(*k.string("dsn"));
  if (!conninfo) return fail(k.where("dsn") + ": " + conninfo.error().message());
  RC_ASSIGN(auto credential, connectors::read_credential(system, "password", env));
  PgSettings s{system.name, std::move(conninfo).value()};
  if (credential) s.password = std::move(credential->secret);
  s.databases = k.list("databases").value_or(std::vector<std::string>{});
  s.schemas = NamePatterns(k.list("schemas").value_or(std::vector<std::string>{"*"}));
  s.ignore_roles = NamePatterns(k.list("ignore_roles").value_or(std::vector<std::string>{}));
  s.human_roles = NamePatterns(k.list("human_roles").value_or(std::vector<std::string>{"*@*"}));
  s.timeout_s = system.timeout_s;
  for (const char* key : {"databases", "schemas"}) {
    if (k.has(key) && k.list(key)->empty()) {
      return fail(k.where(key) + ": " + key + " must name at least one " +
                  (std::string(key) == "databases" ? "database" : "schema"));
    }
  }
  return s;
}

Result<PgConnection> connect(const PgSettings& s, const std::string& dbname, Logger& log) {
  return PgConnection::connect(s.conninfo, dbname, s.password, s.timeout_s, log);
}

}  // namespace rollcall::connectors::postgres
