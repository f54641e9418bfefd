// What the postgres connector reads from a cluster's system catalogs, as plain values: roles and
// role memberships (cluster-wide), databases, and per database the owners and privileges of its
// schemas and tables. Reading (here) is kept apart from interpreting (pg_access.hpp), so the
// access rules are tested without a server.
//
// Everything is read from catalogs any role may read (pg_roles, pg_auth_members, pg_database,
// pg_namespace, pg_class) with aclexplode(); no superuser, no pg_authid, no monitoring role.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "connectors/api/name_patterns.hpp"
#include "connectors/postgres/pg_connection.hpp"
#include "scanner/core/time.hpp"

namespace rollcall::connectors::postgres {

using Oid = std::uint32_t;
// The grantee PUBLIC (every role) in an ACL.
constexpr Oid kPublic = 0;
// VALID UNTIL '-infinity': never valid.
constexpr UnixTime kMinusInfinity = std::numeric_limits<UnixTime>::min();

struct PgRole {
  Oid oid = 0;
  std::string name;
  bool superuser = false;
  bool inherit = true;
  bool createrole = false;
  bool createdb = false;
  bool can_login = false;
  bool replication = false;
  bool bypassrls = false;
  std::int64_t connection_limit = -1;
  std::optional<UnixTime> valid_until;  // nullopt: no limit (NULL or 'infinity')
  std::string comment;                  // COMMENT ON ROLE
};

// `member` belongs to `role`. inherit: the member uses the role's privileges without SET ROLE
// (PostgreSQL 15 and older: the member's INHERIT attribute; 16 and later: the grant's INHERIT
// option).
struct PgMembership {
  Oid role = 0;
  Oid member = 0;
  bool admin = false;
  bool inherit = true;
};

// One entry of an object's ACL as aclexplode() lists it (with the owner's implicit rights made
// explicit by acldefault() when the ACL is NULL).
struct PgPrivilege {
  Oid grantee = kPublic;
  std::string privilege;  // CONNECT, TEMPORARY, CREATE, USAGE, SELECT, INSERT, ...
  bool grantable = false;
};

enum class PgObjectKind { database, schema, table };

struct PgObject {
  PgObjectKind kind = PgObjectKind::table;
  std::string name;      // "app", "app.sales", "app.sales.customers"
  std::string relation;  // tables only: table, view, materialized view, foreign table, ...
  Oid owner = 0;
  std::vector<PgPrivilege> privileges;
};

struct PgDatabase {
  PgObject object;  // kind database
  bool allow_connections = true;
};

struct PgCluster {
  int server_version = 0;  // 150004 for 15.4
  std::vector<PgRole> roles;
  std::vector<PgMembership> memberships;
  std::vector<PgDatabase> databases;  // templates excluded
};

// Reads roles, memberships and databases through `conn` (any database of the cluster).
Result<PgCluster> read_cluster(PgConnection& conn);

// Reads the schemas of the connected database whose names match `schemas` (system schemas
// pg_* and information_schema excluded), and their tables, views, materialized views and
// foreign tables. Names are prefixed with the database name.
Result<std::vector<PgObject>> read_objects(PgConnection& conn, const NamePatterns& schemas);

}  // namespace rollcall::connectors::postgres
