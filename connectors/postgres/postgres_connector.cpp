#include "connectors/postgres/postgres_connector.hpp"

#include <optional>
#include <set>

#include "connectors/api/credentials.hpp"
#include "connectors/postgres/pg_access.hpp"
#include "connectors/postgres/pg_catalog.hpp"
#include "connectors/postgres/pg_connection.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::postgres {
namespace {

struct Settings {
  std::string system;  // the system's name, for log lines
  ConnInfo conninfo;
  Secret password;
  std::vector<std::string> databases;  // patterns; empty: the dsn's database
  NamePatterns schemas;
  NamePatterns ignore_roles;
  NamePatterns human_roles;
  std::int64_t timeout_s = 60;
};

// One snapshot: a REPEATABLE READ, READ ONLY transaction per database, so each database's
// catalogs are read as of one instant and nothing can be written by mistake.
Result<void> begin_read(PgConnection& conn) {
  return conn.exec("begin a read-only transaction",
                   "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

class PostgresConnector final : public Connector {
 public:
  PostgresConnector(Settings settings, const ConnectorEnv& env)
      : s_(std::move(settings)), env_(env) {}

  Result<void> fetch(RecordSink& sink) override {
    RC_ASSIGN(PgConnection conn, connect(""));
    RC_TRY(begin_read(conn));
    RC_ASSIGN(PgCluster cluster, read_cluster(conn));
    env_.log.debug(s_.system + ": " + conn.label() + ": " + std::to_string(cluster.roles.size()) +
                   " roles, " + std::to_string(cluster.memberships.size()) + " memberships");
    AccessOptions options{s_.ignore_roles, s_.human_roles, env_.clock.now()};
    auto access = PgAccess::build(cluster, options);
    if (!access) return access.context(conn.label());
    if (auto r = access->emit_cluster(sink); !r) return r.context(conn.label());

    RC_ASSIGN(std::vector<const PgDatabase*> databases, select_databases(cluster, conn.database()));
    std::set<std::string> schemas_seen;
    for (const PgDatabase* db : databases) {
      std::optional<PgConnection> own;
      PgConnection* c = &conn;
      if (db->object.name != conn.database()) {
        RC_ASSIGN(PgConnection other, connect(db->object.name));
        own.emplace(std::move(other));
        c = &*own;
        RC_TRY(begin_read(*c));
      }
      RC_ASSIGN(std::vector<PgObject> objects, read_objects(*c, s_.schemas));
      for (const auto& obj : objects) {
        if (obj.kind == PgObjectKind::schema) {
          schemas_seen.insert(obj.name.substr(db->object.name.size() + 1));
        }
      }
      if (auto r = access->emit_database(*db, objects, sink); !r) return r.context(c->label());
    }
    // A schema named outright that no database has is a configuration error, not "no access".
    for (const auto& p : s_.schemas.patterns()) {
      if (NamePatterns::is_literal(p) && schemas_seen.count(p) == 0) {
        return fail(conn.label() + ": schema " + quote(p) +
                    " (from `schemas`) is in none of the databases read");
      }
    }
    return {};
  }

 private:
  Result<PgConnection> connect(const std::string& dbname) {
    return PgConnection::connect(s_.conninfo, dbname, s_.password, s_.timeout_s, env_.log);
  }

  // The configured databases that exist: a name given outright must exist and accept
  // connections; a pattern skips databases that do not accept connections.
  Result<std::vector<const PgDatabase*>> select_databases(const PgCluster& cluster,
                                                          const std::string& current) const {
    std::vector<std::string> patterns = s_.databases;
    if (patterns.empty()) patterns.push_back(current);
    NamePatterns wanted(patterns);
    std::vector<std::string> all;
    for (const auto& db : cluster.databases) all.push_back(db.object.name);
    for (const auto& p : patterns) {
      if (!NamePatterns::is_literal(p)) continue;
      const PgDatabase* found = nullptr;
      for (const auto& db : cluster.databases) {
        if (db.object.name == p) found = &db;
      }
      if (found == nullptr) {
        return fail("database " + quote(p) + " (from `databases`) not found; the cluster has " +
                    join(all, ", "));
      }
      if (!found->allow_connections) {
        return fail("database " + quote(p) + " (from `databases`) does not allow connections");
      }
    }
    std::vector<const PgDatabase*> out;
    for (const auto& db : cluster.databases) {
      if (!wanted.matches(db.object.name)) continue;
      if (!db.allow_connections) {
        env_.log.info(s_.system + ": skipping database " + quote(db.object.name) +
                      ": it does not allow connections");
        continue;
      }
      out.push_back(&db);
    }
    return out;
  }

  Settings s_;
  const ConnectorEnv& env_;
};

std::vector<config::KeySpec> keys() {
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

Result<std::unique_ptr<Connector>> create(const config::SystemConfig& system,
                                          const ConnectorEnv& env) {
  const config::Table& k = system.keys;
  auto conninfo = ConnInfo::parse(*k.string("dsn"));
  if (!conninfo) return fail(k.where("dsn") + ": " + conninfo.error().message());
  RC_ASSIGN(auto credential, connectors::read_credential(system, "password", env));
  Settings s{system.name, std::move(conninfo).value()};
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
  return std::unique_ptr<Connector>(new PostgresConnector(std::move(s), env));
}

}  // namespace

ConnectorType connector_type() {
  ConnectorType t;
  t.name = "postgres";
  t.summary = "a PostgreSQL cluster: login roles, role memberships, database/schema/table privileges";
  t.keys = keys();
  t.create = create;
  return t;
}

}  // namespace rollcall::connectors::postgres
