#include "connectors/postgres/postgres_writer.hpp"

#include <optional>

#include "connectors/postgres/pg_settings.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::postgres {
namespace {

constexpr std::string_view kType = "postgres";
constexpr std::string_view kRolePrefix = "role:";

// The login's state and its direct membership of one role ($2; "" for none): one row, or none
// when the login does not exist. PostgreSQL 16 keeps one row per grantor: any of them counts,
// and ADMIN OPTION from any of them.
constexpr const char* kReadSql = R"(
SELECT r.rolcanlogin AND (r.rolvaliduntil IS NULL OR r.rolvaliduntil > now()),
       count(m.roleid) > 0,
       coalesce(bool_or(m.admin_option), false)
FROM pg_catalog.pg_roles r
LEFT JOIN pg_catalog.pg_auth_members m
  ON m.member = r.oid
 AND m.roleid = (SELECT g.oid FROM pg_catalog.pg_roles g WHERE g.rolname = $2)
WHERE r.rolname = $1
GROUP BY r.rolcanlogin, r.rolvaliduntil)";

// The role a membership change is about; fails with unsupported() for every other entitlement.
Result<std::string> target_role(const Change& c) {
  if (c.type == ChangeType::create_account) return fail(unsupported(c, kType));
  if (c.type == ChangeType::disable_account) return std::string();
  if (!starts_with(c.entitlement_id, kRolePrefix) || c.entitlement_id.size() == kRolePrefix.size()) {
    return fail(unsupported(c, kType).message() + " (only role:<name> memberships are written; " +
                quote(c.entitlement_id) + " is not one)");
  }
  return c.entitlement_id.substr(kRolePrefix.size());
}

class PostgresWriter final : public Writer {
 public:
  PostgresWriter(PgSettings settings, const ConnectorEnv& env, PgConnection conn)
      : s_(std::move(settings)), env_(env), conn_(std::move(conn)) {}

  Result<LiveState> read(const Change& c) override {
    RC_ASSIGN(std::string role, target_role(c));
    RC_ASSIGN(PgConnection * conn, session());
    const std::string what = role.empty() ? "read role " + quote(c.account_id)
                                           : "read the membership of " + quote(c.account_id) +
                                                 " in role " + quote(role);
    auto res = conn->query(what, kReadSql, {c.account_id, role});
    if (!res) return drop_if_lost(res.error());
    LiveState state;
    if (res->rows() == 0) return state;
    PgRow row = res->row(0);
    state.account_exists = true;
    state.account_active = row.boolean(0);
    const bool member = row.boolean(1);
    const bool admin = row.boolean(2);
    if (auto st = row.status(); !st) return fail(conn->label() + ": " + what + ": " + st.error().message());
    if (member) state.level = admin ? "admin" : "member";
    return state;
  }

  Result<void> write(const Change& c) override {
    RC_ASSIGN(std::string role, target_role(c));
    RC_ASSIGN(PgConnection * conn, session());
    RC_ASSIGN(std::string login, conn->quote_identifier(c.account_id));
    std::string group;
    if (!role.empty()) {
      RC_ASSIGN(group, conn->quote_identifier(role));
    }
    RC_ASSIGN(std::string sql, statement(c, group, login));
    auto r = conn->exec(sql, sql);
    if (!r) return drop_if_lost(r.error());
    env_.log.info(s_.system + ": " + sql);
    return {};
  }

 private:
  static Result<std::string> statement(const Change& c, const std::string& group,
                                       const std::string& login) {
    const std::string level = c.level.empty() ? "member" : c.level;
    if (c.type != ChangeType::revoke && c.type != ChangeType::disable_account && level != "member" &&
        level != "admin") {
      return fail("role memberships have the levels member and admin, not " + quote(level));
    }
    switch (c.type) {
      case ChangeType::deactivate_credential: return fail(unsupported(c, "postgres"));
      case ChangeType::grant:
        return "GRANT " + group + " TO " + login + (level == "admin" ? " WITH ADMIN OPTION" : "");
      case ChangeType::revoke: return "REVOKE " + group + " FROM " + login;
      case ChangeType::set_level:
        if (level == "admin") return "GRANT " + group + " TO " + login + " WITH ADMIN OPTION";
        return "REVOKE ADMIN OPTION FOR " + group + " FROM " + login;
      case ChangeType::disable_account: return "ALTER ROLE " + login + " NOLOGIN";
      case ChangeType::create_account: break;
    }
    return fail(unsupported(c, kType));
  }

  // The session, opened again when the last one was lost.
  Result<PgConnection*> session() {
    if (!conn_) {
      RC_ASSIGN(PgConnection conn, connect(s_, "", env_.log));
      conn_.emplace(std::move(conn));
    }
    return &*conn_;
  }

  // A failed statement on a lost session: the next call opens a new one.
  Failure drop_if_lost(const Error& error) {
    if (conn_ && conn_->broken()) conn_.reset();
    return fail(error);
  }

  PgSettings s_;
  const ConnectorEnv& env_;
  std::optional<PgConnection> conn_;
};

}  // namespace

Result<std::unique_ptr<Writer>> create_writer(const config::SystemConfig& system,
                                              const ConnectorEnv& env) {
  RC_ASSIGN(PgSettings s, read_settings(system, env));
  RC_ASSIGN(PgConnection conn, connect(s, "", env.log));
  return std::unique_ptr<Writer>(new PostgresWriter(std::move(s), env, std::move(conn)));
}

}  // namespace rollcall::connectors::postgres
