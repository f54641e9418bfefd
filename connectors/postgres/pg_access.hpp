// How the postgres connector turns catalog contents (pg_catalog.hpp) into accounts,
// entitlements and grants. Pure: no server, no clock, so every rule is unit-tested.
//
// Accounts are the login roles (id = login = role name); NOLOGIN roles are groups, seen only as
// entitlements. An account's grants:
//  - role:<name>: every role it is a member of, directly (via "direct") or through another role
//    (via "role:<that role>", the member in the last link of the chain); level admin when that
//    link has ADMIN OPTION. Membership counts whether or not privileges are inherited: a member
//    can always SET ROLE.
//  - attr:SUPERUSER, attr:CREATEROLE, attr:CREATEDB, attr:REPLICATION, attr:BYPASSRLS: the role's
//    own attributes (PostgreSQL never inherits them).
//  - database:<db>:connect|create|temporary|owner, schema:<db>.<schema>:USAGE|CREATE|OWNER,
//    table:<db>.<schema>.<table>:SELECT|INSERT|...|OWNER: privileges held by the account itself
//    (via "direct"), by a role whose privileges it inherits (via "role:<grantee>"), or by PUBLIC
//    (via "public"). NOINHERIT is respected: privileges of roles reached only through a
//    non-inheriting link are not the account's until it runs SET ROLE, so they appear only as
//    the role:<name> grant. Level admin when the privilege may be granted onward (WITH GRANT
//    OPTION, or held by the owner). The owner's rights come with :owner/:OWNER; members of the
//    owning role (and, for objects owned by pg_database_owner, of the database owner) inherit
//    them like any privilege. Members of pg_read_all_data hold USAGE on every schema and SELECT
//    on every table read, members of pg_write_all_data USAGE and INSERT/UPDATE/DELETE, via
//    role:pg_read_all_data / role:pg_write_all_data, as PostgreSQL's privilege checks say.
// Superusers bypass every privilege check; that shows as attr:SUPERUSER, not as a grant per
// object. Privileged: attr:SUPERUSER/CREATEROLE/REPLICATION/BYPASSRLS, every owner entitlement,
// role:<name> for roles carrying those attributes and for the predefined roles that reach the
// server's files or every table (pg_read_server_files, pg_write_server_files,
// pg_execute_server_program, pg_read_all_data, pg_write_all_data).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "connectors/api/membership_graph.hpp"
#include "connectors/api/name_patterns.hpp"
#include "connectors/postgres/pg_catalog.hpp"
#include "scanner/core/record_sink.hpp"

namespace rollcall::connectors::postgres {

struct AccessOptions {
  NamePatterns ignore_roles;  // login roles that are not reported as accounts
  NamePatterns human_roles;   // login roles that are people (kind human); others are services
  UnixTime now = 0;           // a role whose VALID UNTIL has passed is disabled
};

class PgAccess {
 public:
  // Fails when a membership names a role the catalog does not list. `cluster` must outlive the
  // PgAccess.
  static Result<PgAccess> build(const PgCluster& cluster, AccessOptions options);

  // Accounts, role and attribute entitlements, role memberships and attribute grants.
  Result<void> emit_cluster(RecordSink& sink) const;
  // The privileges on one database and on the objects read from it (read_objects()), as
  // entitlements and grants. Fails when an ACL names a role the catalog does not list (a role
  // created during the read: run the snapshot again).
  Result<void> emit_database(const PgDatabase& database, const std::vector<PgObject>& objects,
                             RecordSink& sink) const;

 private:
  PgAccess(const PgCluster& cluster, AccessOptions options)
      : cluster_(&cluster), options_(std::move(options)) {}
  Result<const PgRole*> role(Oid oid, const std::string& where) const;
  Result<void> emit_object(const PgObject& object,
                           const std::map<std::string, std::vector<const PgRole*>>& holders,
                           RecordSink& sink) const;

  const PgCluster* cluster_;
  AccessOptions options_;
  std::map<Oid, const PgRole*> roles_;
  std::vector<const PgRole*> accounts_;
  MembershipGraph graph_;  // nodes are role names
  std::map<std::string, Oid> implicit_holders_;  // pg_read_all_data, pg_write_all_data
};

}  // namespace rollcall::connectors::postgres
