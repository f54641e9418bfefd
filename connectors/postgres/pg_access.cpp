#include "connectors/postgres/pg_access.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "scanner/core/strings.hpp"

namespace rollcall::connectors::postgres {
namespace {

using Json = nlohmann::json;

// Predefined roles that reach the server's files and programs or every table in every database.
bool powerful_predefined(const std::string& name) {
  static const std::set<std::string> k = {"pg_read_server_files", "pg_write_server_files",
                                          "pg_execute_server_program", "pg_read_all_data",
                                          "pg_write_all_data"};
  return k.count(name) != 0;
}

struct ImplicitPrivilege {
  const char* role;
  PgObjectKind kind;
  const char* privilege;
};
constexpr ImplicitPrivilege kImplicitPrivileges[] = {
    {"pg_read_all_data", PgObjectKind::schema, "USAGE"},
    {"pg_read_all_data", PgObjectKind::table, "SELECT"},
    {"pg_write_all_data", PgObjectKind::schema, "USAGE"},
    {"pg_write_all_data", PgObjectKind::table, "INSERT"},
    {"pg_write_all_data", PgObjectKind::table, "UPDATE"},
    {"pg_write_all_data", PgObjectKind::table, "DELETE"},
};

struct Attribute {
  const char* name;
  bool privileged;
  bool PgRole::*flag;
};
constexpr Attribute kAttributes[] = {
    {"SUPERUSER", true, &PgRole::superuser},   {"CREATEROLE", true, &PgRole::createrole},
    {"CREATEDB", false, &PgRole::createdb},    {"REPLICATION", true, &PgRole::replication},
    {"BYPASSRLS", true, &PgRole::bypassrls},
};

bool privileged_role(const PgRole& r) {
  for (const auto& a : kAttributes) {
    if (a.privileged && r.*a.flag) return true;
  }
  return powerful_predefined(r.name);
}

Json role_attrs(const PgRole& r) {
  Json j = {{"superuser", r.superuser},     {"createrole", r.createrole},
            {"createdb", r.createdb},       {"replication", r.replication},
            {"bypassrls", r.bypassrls},     {"inherit", r.inherit},
            {"can_login", r.can_login},     {"connection_limit", r.connection_limit}};
  if (r.valid_until) {
    j["valid_until"] = *r.valid_until == kMinusInfinity ? "-infinity" : format_iso8601(*r.valid_until);
  }
  return j;
}

std::string kind_name(PgObjectKind kind) {
  switch (kind) {
    case PgObjectKind::database: return "database";
    case PgObjectKind::schema: return "schema";
    case PgObjectKind::table: return "table";
  }
  return "object";
}

// database:app:connect (lower case, as database privileges are usually written), and
// schema:app.sales:USAGE, table:app.sales.customers:SELECT.
Entitlement object_entitlement(const PgObject& obj, const std::string& privilege) {
  Entitlement e;
  e.type = kind_name(obj.kind);
  e.name = obj.name + ":" + (obj.kind == PgObjectKind::database ? to_lower(privilege) : privilege);
  e.id = e.type + ":" + e.name;
  e.privileged = privilege == "OWNER";
  Json attrs = {{"object", obj.name}, {"privilege", privilege}};
  if (!obj.relation.empty()) attrs["relation"] = obj.relation;
  e.attrs_json = attrs.dump(-1, ' ', false, Json::error_handler_t::replace);
  return e;
}

std::string role_id(const std::string& name) { return "role:" + name; }

// What PostgreSQL grants PUBLIC out of the box (acldefault): CONNECT and TEMPORARY on databases,
// (rollcall reads databases, schemas and tables; PUBLIC has nothing on those by default since
// PostgreSQL 15, where CREATE on schema public was withdrawn).
bool public_default(PgObjectKind kind, const std::string& privilege) {
  if (kind == PgObjectKind::database) return privilege == "CONNECT" || privilege == "TEMPORARY";
  return false;
}

}  // namespace

Result<PgAccess> PgAccess::build(const PgCluster& cluster, AccessOptions options) {
  PgAccess a(cluster, std::move(options));
  for (const auto& r : cluster.roles) {
    a.roles_[r.oid] = &r;
    for (const auto& p : kImplicitPrivileges) {
      if (r.name == p.role) a.implicit_holders_[r.name] = r.oid;
    }
  }
  for (const auto& r : cluster.roles) {
    if (r.can_login && !a.options_.ignore_roles.matches(r.name)) a.accounts_.push_back(&r);
  }
  std::sort(a.accounts_.begin(), a.accounts_.end(),
            [](const PgRole* x, const PgRole* y) { return x->name < y->name; });
  for (const auto& m : cluster.memberships) {
    RC_ASSIGN(const PgRole* role, a.role(m.role, "role membership"));
    RC_ASSIGN(const PgRole* member, a.role(m.member, "role membership"));
    a.graph_.add(member->name, role->name, m.admin, m.inherit);
  }
  return a;
}

Result<const PgRole*> PgAccess::role(Oid oid, const std::string& where) const {
  auto it = roles_.find(oid);
  if (it == roles_.end()) {
    return fail(where + " names role oid " + std::to_string(oid) +
                ", which pg_roles does not list (roles changed during the read; run the snapshot "
                "again)");
  }
  return it->second;
}

Result<void> PgAccess::emit_cluster(RecordSink& sink) const {
  for (const PgRole* r : accounts_) {
    Account a;
    a.id = r->name;
    a.login = r->name;
    if (r->name.find('@') != std::string::npos) a.email = r->name;
    a.display_name = r->comment;
    a.kind = options_.human_roles.matches(r->name) ? AccountKind::human : AccountKind::service;
    bool expired = r->valid_until && *r->valid_until <= options_.now;
    a.status = expired ? AccountStatus::disabled : AccountStatus::active;
    a.attrs_json = role_attrs(*r).dump(-1, ' ', false, Json::error_handler_t::replace);
    RC_TRY(sink.account(a));
    // A password's expiry (VALID UNTIL) is the one credential fact pg_roles shows: whether a
    // password is set at all needs pg_authid (superuser), and PostgreSQL records no last use.
    if (r->valid_until && *r->valid_until != kMinusInfinity) {
      Credential c;
      c.account_id = r->name;
      c.id = "password";
      c.kind = CredentialKind::password;
      c.expires_at = *r->valid_until;
      c.use_recorded = false;
      RC_TRY(sink.credential(c));
    }
  }

  std::set<Oid> groups;
  for (const auto& m : cluster_->memberships) groups.insert(m.role);
  for (const auto& r : cluster_->roles) {
    if (r.can_login && groups.count(r.oid) == 0) continue;
    Entitlement e;
    e.id = role_id(r.name);
    e.type = "role";
    e.name = r.name;
    e.privileged = privileged_role(r);
    Json attrs = role_attrs(r);
    if (!r.comment.empty()) attrs["comment"] = r.comment;
    e.attrs_json = attrs.dump(-1, ' ', false, Json::error_handler_t::replace);
    RC_TRY(sink.entitlement(e));
  }
  for (const auto& attr : kAttributes) {
    Entitlement e;
    e.type = "attr";
    e.name = attr.name;
    e.id = "attr:" + e.name;
    e.privileged = attr.privileged;
    RC_TRY(sink.entitlement(e));
  }

  for (const PgRole* r : accounts_) {
    for (const auto& attr : kAttributes) {
      if (r->*attr.flag) RC_TRY(sink.grant(Grant{r->name, std::string("attr:") + attr.name}));
    }
    for (const MembershipGraph::Edge* e : graph_.memberships(r->name)) {
      Grant g;
      g.account_id = r->name;
      g.entitlement_id = role_id(e->group);
      g.level = e->admin ? "admin" : "member";
      g.via = e->member == r->name ? "direct" : role_id(e->member);
      RC_TRY(sink.grant(g));
    }
  }
  return {};
}

Result<void> PgAccess::emit_database(const PgDatabase& database,
                                     const std::vector<PgObject>& objects,
                                     RecordSink& sink) const {
  // The owner of the database is implicitly a member of pg_database_owner there (PostgreSQL
  // 14+), which owns the public schema by default. Until 16 that link inherits when the owner
  // does; from 16 on it always inherits.
  MembershipGraph graph = graph_;
  RC_ASSIGN(const PgRole* owner, role(database.object.owner, "database " + quote(database.object.name)));
  for (const auto& r : cluster_->roles) {
    if (r.name == "pg_database_owner") {
      graph.add(owner->name, r.name, false, cluster_->server_version >= 160000 || owner->inherit);
    }
  }
  // Role name -> the accounts that use its privileges without SET ROLE.
  std::map<std::string, std::vector<const PgRole*>> holders;
  for (const PgRole* a : accounts_) {
    for (const std::string& name : graph.inherited(a->name)) holders[name].push_back(a);
  }
  RC_TRY(emit_object(database.object, holders, sink));
  for (const auto& obj : objects) RC_TRY(emit_object(obj, holders, sink));
  return {};
}

Result<void> PgAccess::emit_object(const PgObject& obj,
                                   const std::map<std::string, std::vector<const PgRole*>>& holders,
                                   RecordSink& sink) const {
  const std::string where = kind_name(obj.kind) + " " + quote(obj.name);
  auto grant_to_holders = [&](const Entitlement& e, const std::string& holder,
                              const std::string& level) -> Result<void> {
    auto it = holders.find(holder);
    if (it == holders.end()) return {};
    for (const PgRole* a : it->second) {
      RC_TRY(sink.grant(Grant{a->name, e.id, level, a->name == holder ? "direct" : role_id(holder)}));
    }
    return {};
  };

  // An ACL may list one privilege several times (one entry per grantor): merge them. The owner
  // may always grant its privileges onward, whatever the ACL's grant-option marks say.
  std::map<std::pair<std::string, Oid>, bool> privileges;
  for (const auto& p : obj.privileges) {
    privileges[{p.privilege, p.grantee}] |= p.grantable || p.grantee == obj.owner;
  }
  // pg_read_all_data and pg_write_all_data hold their rights on every schema and table without
  // any ACL entry (PostgreSQL 14+).
  for (const auto& [role_name, kind, privilege] : kImplicitPrivileges) {
    auto it = implicit_holders_.find(role_name);
    if (it != implicit_holders_.end() && kind == obj.kind) {
      privileges.try_emplace({privilege, it->second}, false);
    }
  }

  std::string emitted;
  for (const auto& [key, grantable] : privileges) {
    const auto& [privilege, grantee] = key;
    Entitlement e = object_entitlement(obj, privilege);
    if (e.id != emitted) {
      RC_TRY(sink.entitlement(e));
      emitted = e.id;
    }
    const std::string level = grantable ? "admin" : "member";
    if (grantee == kPublic) {
      // A grant to PUBLIC reaches every role because it reaches everyone: the drift engine judges
      // it once per entitlement, never per account. PostgreSQL's own defaults are marked so.
      const std::string via(public_default(obj.kind, privilege) ? kViaEveryoneDefault : kViaEveryone);
      for (const PgRole* a : accounts_) RC_TRY(sink.grant(Grant{a->name, e.id, level, via}));
      continue;
    }
    RC_ASSIGN(const PgRole* r, role(grantee, "the privileges of " + where));
    RC_TRY(grant_to_holders(e, r->name, level));
  }

  RC_ASSIGN(const PgRole* owner, role(obj.owner, "the owner of " + where));
  Entitlement e = object_entitlement(obj, "OWNER");
  RC_TRY(sink.entitlement(e));
  return grant_to_holders(e, owner->name, "member");
}

}  // namespace rollcall::connectors::postgres
