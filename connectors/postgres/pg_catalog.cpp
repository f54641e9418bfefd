#include "connectors/postgres/pg_catalog.hpp"

#include "scanner/core/strings.hpp"

namespace rollcall::connectors::postgres {
namespace {

constexpr const char* kRolesSql = R"(
SELECT r.oid, r.rolname, r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb,
       r.rolcanlogin, r.rolreplication, r.rolbypassrls, r.rolconnlimit,
       CASE WHEN r.rolvaliduntil IS NULL OR r.rolvaliduntil = 'infinity' THEN NULL
            WHEN r.rolvaliduntil = '-infinity' THEN '-infinity'
            ELSE floor(extract(epoch FROM r.rolvaliduntil))::bigint::text END,
       coalesce(pg_catalog.shobj_description(r.oid, 'pg_authid'), '')
FROM pg_catalog.pg_roles r
ORDER BY r.rolname)";

// Until PostgreSQL 16 whether a member inherits is the member's INHERIT attribute; from 16 on
// it is an option of each grant.
constexpr const char* kMembershipsSql15 = R"(
SELECT m.roleid, m.member, m.admin_option, r.rolinherit
FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles r ON r.oid = m.member)";
constexpr const char* kMembershipsSql16 = R"(
SELECT m.roleid, m.member, m.admin_option, m.inherit_option
FROM pg_catalog.pg_auth_members m)";

// acldefault() spells out the owner's implicit rights (and PUBLIC's) when the ACL is NULL.
constexpr const char* kDatabasesSql = R"(
SELECT d.datname, d.datdba, d.datallowconn, a.grantee, a.privilege_type, a.is_grantable
FROM pg_catalog.pg_database d
LEFT JOIN LATERAL pg_catalog.aclexplode(coalesce(d.datacl, pg_catalog.acldefault('d', d.datdba))) a
  ON true
WHERE NOT d.datistemplate
ORDER BY d.datname)";

constexpr const char* kSchemasSql = R"(
SELECT n.nspname, n.nspowner, a.grantee, a.privilege_type, a.is_grantable
FROM pg_catalog.pg_namespace n
LEFT JOIN LATERAL pg_catalog.aclexplode(coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) a
  ON true
WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
ORDER BY n.nspname)";

constexpr const char* kTablesSql = R"(
SELECT n.nspname, c.relname, c.relkind, c.relowner, a.grantee, a.privilege_type, a.is_grantable
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN LATERAL pg_catalog.aclexplode(coalesce(c.relacl, pg_catalog.acldefault('r', c.relowner))) a
  ON true
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname = ANY ($1::text[])
ORDER BY n.nspname, c.relname)";

std::string relation_name(const std::string& relkind) {
  if (relkind == "r") return "table";
  if (relkind == "p") return "partitioned table";
  if (relkind == "v") return "view";
  if (relkind == "m") return "materialized view";
  if (relkind == "f") return "foreign table";
  return relkind;
}

// A text[] literal for a query parameter: {"a","b \"quoted\""}.
std::string text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

// Reads the ACL columns (grantee, privilege_type, is_grantable) starting at `col` into `obj`;
// all three are NULL when the ACL is empty.
void read_privilege(PgRow& row, int col, PgObject& obj) {
  if (row.is_null(col)) return;
  PgPrivilege p;
  p.grantee = static_cast<Oid>(row.integer(col));
  p.privilege = row.text(col + 1);
  p.grantable = row.boolean(col + 2);
  obj.privileges.push_back(std::move(p));
}

std::optional<UnixTime> valid_until(PgRow& row, int col) {
  if (row.is_null(col)) return std::nullopt;
  if (row.text(col) == "-infinity") return kMinusInfinity;
  return row.integer(col);
}

}  // namespace

Result<PgCluster> read_cluster(PgConnection& conn) {
  PgCluster out;
  out.server_version = conn.server_version();

  RC_ASSIGN(PgResult roles, conn.query("read roles", kRolesSql));
  for (int r = 0; r < roles.rows(); ++r) {
    PgRow row = roles.row(r);
    PgRole role;
    role.oid = static_cast<Oid>(row.integer(0));
    role.name = row.text(1);
    role.superuser = row.boolean(2);
    role.inherit = row.boolean(3);
    role.createrole = row.boolean(4);
    role.createdb = row.boolean(5);
    role.can_login = row.boolean(6);
    role.replication = row.boolean(7);
    role.bypassrls = row.boolean(8);
    role.connection_limit = row.integer(9);
    role.valid_until = valid_until(row, 10);
    role.comment = row.text(11);
    if (auto st = row.status(); !st) return st.context(conn.label() + ": read roles");
    out.roles.push_back(std::move(role));
  }

  const char* sql = out.server_version >= 160000 ? kMembershipsSql16 : kMembershipsSql15;
  RC_ASSIGN(PgResult members, conn.query("read role memberships", sql));
  for (int r = 0; r < members.rows(); ++r) {
    PgRow row = members.row(r);
    PgMembership m;
    m.role = static_cast<Oid>(row.integer(0));
    m.member = static_cast<Oid>(row.integer(1));
    m.admin = row.boolean(2);
    m.inherit = row.boolean(3);
    if (auto st = row.status(); !st) return st.context(conn.label() + ": read role memberships");
    out.memberships.push_back(m);
  }

  RC_ASSIGN(PgResult dbs, conn.query("read databases", kDatabasesSql));
  for (int r = 0; r < dbs.rows(); ++r) {
    PgRow row = dbs.row(r);
    std::string name = row.text(0);
    if (out.databases.empty() || out.databases.back().object.name != name) {
      PgDatabase db;
      db.object.kind = PgObjectKind::database;
      db.object.name = name;
      db.object.owner = static_cast<Oid>(row.integer(1));
      db.allow_connections = row.boolean(2);
      out.databases.push_back(std::move(db));
    }
    read_privilege(row, 3, out.databases.back().object);
    if (auto st = row.status(); !st) return st.context(conn.label() + ": read databases");
  }
  return out;
}

Result<std::vector<PgObject>> read_objects(PgConnection& conn, const NamePatterns& schemas) {
  const std::string db = conn.database();
  std::vector<PgObject> out;
  std::vector<std::string> selected;

  RC_ASSIGN(PgResult ns, conn.query("read schemas", kSchemasSql));
  for (int r = 0; r < ns.rows(); ++r) {
    PgRow row = ns.row(r);
    std::string schema = row.text(0);
    if (!schemas.matches(schema)) continue;
    if (selected.empty() || selected.back() != schema) {
      selected.push_back(schema);
      PgObject obj;
      obj.kind = PgObjectKind::schema;
      obj.name = db + "." + schema;
      obj.owner = static_cast<Oid>(row.integer(1));
      out.push_back(std::move(obj));
    }
    read_privilege(row, 2, out.back());
    if (auto st = row.status(); !st) return st.context(conn.label() + ": read schemas");
  }
  if (selected.empty()) return out;

  RC_ASSIGN(PgResult tables, conn.query("read table privileges", kTablesSql, {text_array(selected)}));
  std::string last;
  for (int r = 0; r < tables.rows(); ++r) {
    PgRow row = tables.row(r);
    std::string name = db + "." + row.text(0) + "." + row.text(1);
    if (name != last) {
      last = name;
      PgObject obj;
      obj.kind = PgObjectKind::table;
      obj.name = name;
      obj.relation = relation_name(row.text(2));
      obj.owner = static_cast<Oid>(row.integer(3));
      out.push_back(std::move(obj));
    }
    read_privilege(row, 4, out.back());
    if (auto st = row.status(); !st) return st.context(conn.label() + ": read table privileges");
  }
  return out;
}

}  // namespace rollcall::connectors::postgres
