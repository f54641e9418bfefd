// The postgres connector's access rules on hand-built catalogs: no server.
#include <catch2/catch.hpp>

#include "connectors/postgres/pg_access.hpp"
#include "tests/fakes/record_collector.hpp"

using namespace rollcall;
using namespace rollcall::connectors::postgres;
using rollcall::connectors::NamePatterns;
using rollcall::testing::RecordCollector;

namespace {

// Builds a PgCluster the way read_cluster() would return it for PostgreSQL `version`.
class Catalog {
 public:
  explicit Catalog(int version = 150004) { cluster.server_version = version; }

  PgRole& role(const std::string& name, bool login = false) {
    PgRole r;
    r.oid = next_++;
    r.name = name;
    r.can_login = login;
    cluster.roles.push_back(r);
    return cluster.roles.back();
  }
  Oid oid(const std::string& name) const {
    for (const auto& r : cluster.roles) {
      if (r.name == name) return r.oid;
    }
    FAIL("no role " << name);
    return 0;
  }
  // Before PostgreSQL 16 a membership inherits when the member has INHERIT.
  void grant(const std::string& role_name, const std::string& member, bool admin = false) {
    bool inherit = true;
    for (const auto& r : cluster.roles) {
      if (r.name == member) inherit = r.inherit;
    }
    cluster.memberships.push_back({oid(role_name), oid(member), admin, inherit});
  }
  PgDatabase& database(const std::string& name, const std::string& owner) {
    PgDatabase db;
    db.object.kind = PgObjectKind::database;
    db.object.name = name;
    db.object.owner = oid(owner);
    cluster.databases.push_back(db);
    return cluster.databases.back();
  }
  static void allow(PgObject& obj, Oid grantee, const std::string& privilege, bool grantable = false) {
    obj.privileges.push_back({grantee, privilege, grantable});
  }

  PgCluster cluster;

 private:
  Oid next_ = 16384;
};

PgObject object(PgObjectKind kind, const std::string& name, Oid owner) {
  PgObject o;
  o.kind = kind;
  o.name = name;
  o.owner = owner;
  if (kind == PgObjectKind::table) o.relation = "table";
  return o;
}

AccessOptions options(UnixTime now = 1793491200) {
  return AccessOptions{NamePatterns(), NamePatterns({"*@*"}), now};
}

RecordCollector emit_cluster(const PgCluster& cluster, AccessOptions opts = options()) {
  auto access = PgAccess::build(cluster, std::move(opts));
  REQUIRE(access.ok());
  RecordCollector got;
  REQUIRE(access->emit_cluster(got).ok());
  return got;
}

RecordCollector emit_database(const PgCluster& cluster, const PgDatabase& db,
                              const std::vector<PgObject>& objects) {
  auto access = PgAccess::build(cluster, options());
  REQUIRE(access.ok());
  RecordCollector got;
  REQUIRE(access->emit_database(db, objects, got).ok());
  return got;
}

}  // namespace

TEST_CASE("postgres access: login roles are accounts, with kind, status and attributes",
          "[connector][postgres]") {
  Catalog c;
  PgRole& alice = c.role("alice", true);
  alice.createdb = true;
  alice.comment = "Alice Archer";
  c.role("carol@example.com", true);
  c.role("expired", true).valid_until = 1577836800;     // 2020-01-01
  c.role("future", true).valid_until = 4070908800;      // 2099-01-01
  c.role("never", true).valid_until = kMinusInfinity;
  c.role("monitoring_agent", true);
  c.role("group_only");

  AccessOptions opts = options();
  opts.ignore_roles = NamePatterns({"monitoring_*"});
  RecordCollector got = emit_cluster(c.cluster, opts);

  std::vector<std::string> accounts;
  for (const auto& a : got.accounts) {
    accounts.push_back(a.id + " " + a.email + " " + std::string(to_string(a.kind)) + " " +
                       std::string(to_string(a.status)) + " " + a.display_name);
  }
  CHECK(accounts == std::vector<std::string>{
      "alice  service active Alice Archer",
      "carol@example.com carol@example.com human active ",
      "expired  service disabled ",
      "future  service active ",
      "never  service disabled ",
  });
  CHECK(got.find_account("future")->attrs_json ==
        R"({"bypassrls":false,"can_login":true,"connection_limit":-1,"createdb":false,)"
        R"("createrole":false,"inherit":true,"replication":false,"superuser":false,)"
        R"("valid_until":"2099-01-01T00:00:00Z"})");
  CHECK(got.find_account("never")->attrs_json.find(R"("valid_until":"-infinity")") != std::string::npos);
}

TEST_CASE("postgres access: NOLOGIN roles and login roles with members are role entitlements",
          "[connector][postgres]") {
  Catalog c;
  c.role("alice", true);
  c.role("bob", true);
  c.role("ops_super").superuser = true;
  c.role("readers");
  c.role("pg_write_server_files");
  c.role("pg_monitor");
  c.grant("alice", "bob");  // a login role used as a group
  RecordCollector got = emit_cluster(c.cluster);
  CHECK(got.entitlement_lines() == std::vector<std::string>{
      "attr:BYPASSRLS !", "attr:CREATEDB", "attr:CREATEROLE !", "attr:REPLICATION !",
      "attr:SUPERUSER !", "role:alice", "role:ops_super !", "role:pg_monitor",
      "role:pg_write_server_files !", "role:readers"});
}

TEST_CASE("postgres access: memberships through chains carry the last link as via and admin "
          "option as level",
          "[connector][postgres]") {
  Catalog c;
  c.role("alice", true).superuser = true;
  c.role("bob", true).inherit = false;
  c.role("db_admin");
  c.role("app_rw");
  c.role("app_ro");
  c.grant("db_admin", "alice");
  c.grant("app_rw", "db_admin", /*admin=*/true);
  c.grant("app_ro", "app_rw");
  c.grant("app_rw", "bob");
  RecordCollector got = emit_cluster(c.cluster);
  CHECK(got.grant_lines() == std::vector<std::string>{
      "alice | attr:SUPERUSER | member | direct",
      "alice | role:app_ro | member | role:app_rw",
      "alice | role:app_rw | admin | role:db_admin",
      "alice | role:db_admin | member | direct",
      // NOINHERIT does not stop membership: bob can SET ROLE app_rw, then app_ro.
      "bob | role:app_ro | member | role:app_rw",
      "bob | role:app_rw | member | direct",
  });
}

TEST_CASE("postgres access: object privileges go to holders, inheritors and PUBLIC",
          "[connector][postgres]") {
  Catalog c;
  c.role("owner_role");
  c.role("readers");
  c.role("alice", true);
  c.role("bob", true).inherit = false;
  c.role("carol", true);
  c.grant("owner_role", "alice");
  c.grant("readers", "bob");
  c.grant("readers", "carol");
  PgDatabase& db = c.database("app", "owner_role");
  Catalog::allow(db.object, kPublic, "CONNECT");
  Catalog::allow(db.object, c.oid("owner_role"), "CONNECT");
  PgObject t = object(PgObjectKind::table, "app.public.orders", c.oid("owner_role"));
  Catalog::allow(t, c.oid("owner_role"), "SELECT");
  Catalog::allow(t, c.oid("readers"), "SELECT");
  Catalog::allow(t, c.oid("readers"), "SELECT", true);  // the same privilege from a second grantor
  Catalog::allow(t, c.oid("bob"), "UPDATE");

  RecordCollector got = emit_database(c.cluster, c.cluster.databases[0], {t});
  CHECK(got.grant_lines() == std::vector<std::string>{
      "alice | database:app:connect | admin | role:owner_role",
      "alice | database:app:connect | member | everyone:default",
      "alice | database:app:owner | member | role:owner_role",
      "alice | table:app.public.orders:OWNER | member | role:owner_role",
      "alice | table:app.public.orders:SELECT | admin | role:owner_role",
      "bob | database:app:connect | member | everyone:default",
      // bob is NOINHERIT: readers' SELECT is not his, only his own UPDATE.
      "bob | table:app.public.orders:UPDATE | member | direct",
      "carol | database:app:connect | member | everyone:default",
      "carol | table:app.public.orders:SELECT | admin | role:readers",
  });
  CHECK(got.entitlement_lines() == std::vector<std::string>{
      "database:app:connect", "database:app:owner !", "table:app.public.orders:OWNER !",
      "table:app.public.orders:SELECT", "table:app.public.orders:UPDATE"});
  CHECK(got.find_entitlement("database:app:connect")->attrs_json ==
        R"({"object":"app","privilege":"CONNECT"})");
}

TEST_CASE("postgres access: pg_database_owner stands for the owner of each database",
          "[connector][postgres]") {
  for (int version : {150004, 160002}) {
    Catalog c(version);
    c.role("pg_database_owner");
    c.role("app_owner");
    c.role("pay_owner").inherit = false;
    c.role("alice", true);
    c.role("bob", true);
    c.grant("app_owner", "alice");
    c.grant("pay_owner", "bob");
    c.database("app", "app_owner");
    c.database("payroll", "pay_owner");
    PgObject app_public = object(PgObjectKind::schema, "app.public", c.oid("pg_database_owner"));
    PgObject pay_public = object(PgObjectKind::schema, "payroll.public", c.oid("pg_database_owner"));
    INFO("server version " << version);

    RecordCollector app = emit_database(c.cluster, c.cluster.databases[0], {app_public});
    CHECK(app.grant_lines("alice") == std::vector<std::string>{
        "alice | database:app:owner | member | role:app_owner",
        "alice | schema:app.public:OWNER | member | role:pg_database_owner"});
    CHECK(app.grant_lines("bob").empty());

    // pay_owner is NOINHERIT: until PostgreSQL 16 it does not use pg_database_owner's rights
    // without SET ROLE; from 16 on the implicit membership always inherits.
    RecordCollector pay = emit_database(c.cluster, c.cluster.databases[1], {pay_public});
    std::vector<std::string> bob = {"bob | database:payroll:owner | member | role:pay_owner"};
    if (version >= 160000) bob.push_back("bob | schema:payroll.public:OWNER | member | role:pg_database_owner");
    CHECK(pay.grant_lines("bob") == bob);
  }
}

TEST_CASE("postgres access: pg_read_all_data and pg_write_all_data reach every schema and table",
          "[connector][postgres]") {
  Catalog c;
  c.role("pg_read_all_data");
  c.role("pg_write_all_data");
  c.role("owner_role");
  c.role("backup", true);
  c.role("loader", true);
  c.grant("pg_read_all_data", "backup");
  c.grant("pg_write_all_data", "loader");
  c.database("app", "owner_role");
  PgObject s = object(PgObjectKind::schema, "app.sales", c.oid("owner_role"));
  PgObject t = object(PgObjectKind::table, "app.sales.customers", c.oid("owner_role"));
  RecordCollector got = emit_database(c.cluster, c.cluster.databases[0], {s, t});
  CHECK(got.grant_lines() == std::vector<std::string>{
      "backup | schema:app.sales:USAGE | member | role:pg_read_all_data",
      "backup | table:app.sales.customers:SELECT | member | role:pg_read_all_data",
      "loader | schema:app.sales:USAGE | member | role:pg_write_all_data",
      "loader | table:app.sales.customers:DELETE | member | role:pg_write_all_data",
      "loader | table:app.sales.customers:INSERT | member | role:pg_write_all_data",
      "loader | table:app.sales.customers:UPDATE | member | role:pg_write_all_data",
  });
}

TEST_CASE("postgres access: a role the catalog does not list is an error, not a silent gap",
          "[connector][postgres]") {
  Catalog c;
  c.role("owner_role");
  c.role("alice", true);
  c.database("app", "owner_role");
  PgObject t = object(PgObjectKind::table, "app.public.orders", c.oid("owner_role"));
  Catalog::allow(t, 99999, "SELECT");
  auto access = PgAccess::build(c.cluster, options());
  REQUIRE(access.ok());
  RecordCollector got;
  auto r = access->emit_database(c.cluster.databases[0], {t}, got);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() ==
        "the privileges of table \"app.public.orders\" names role oid 99999, which pg_roles does "
        "not list (roles changed during the read; run the snapshot again)");

  c.cluster.memberships.push_back({c.oid("owner_role"), 424242, false, true});
  auto broken = PgAccess::build(c.cluster, options());
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().message() ==
        "role membership names role oid 424242, which pg_roles does not list (roles changed "
        "during the read; run the snapshot again)");
}
