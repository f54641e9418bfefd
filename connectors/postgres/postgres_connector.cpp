#include "connectors/postgres/postgres_connector.hpp"

#include <optional>
#include <set>

#include "connectors/postgres/pg_access.hpp"
#include "connectors/postgres/pg_catalog.hpp"
#include "connectors/postgres/pg_settings.hpp"
#include "connectors/postgres/postgres_writer.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::postgres {
namespace {

// One snapshot: a REPEATABLE READ, READ ONLY transaction per database, so each database's
// catalogs are read as of one instant and nothing can be written by mistake.
Result<void> begin_read(PgConnection& conn) {
  return conn.exec("begin a read-only transaction",
                   "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

class PostgresConnector final : public Connector {
 public:
  PostgresConnector(PgSettings settings, const ConnectorEnv& env)
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
    return postgres::connect(s_, dbname, env_.log);
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

  PgSettings s_;
  const ConnectorEnv& env_;
};

Result<std::unique_ptr<Connector>> create(const config::SystemConfig& system,
                                          const ConnectorEnv& env) {
  RC_ASSIGN(PgSettings s, read_settings(system, env));
  return std::unique_ptr<Connector>(new PostgresConnector(std::move(s), env));
}

}  // namespace

ConnectorType connector_type() {
  ConnectorType t;
  t.name = "postgres";
  t.summary = "a PostgreSQL cluster: login roles, role memberships, database/schema/table privileges";
  t.keys = settings_keys();
  t.create_writer = create_writer;
  t.create = create;
  return t;
}

}  // namespace rollcall::connectors::postgres
