// A PostgreSQL session through libpq, used by the postgres connector's read side and its write
// side (postgres_writer.hpp): ConnInfo is a validated dsn, PgConnection owns one PGconn (closed on
// destruction), PgResult owns one PGresult. Only pg_connection.cpp includes libpq-fe.h.
//
// The password travels to libpq as its own parameter, never inside a conninfo string, so it
// cannot reach a log line or an error. Errors are one line naming the server, the database and
// what was being done: `127.0.0.1:5432 database "app": read role memberships: server closed
// the connection unexpectedly`. libpq's notices go to the Logger at debug level; nothing is
// printed. Not thread-safe: one PgConnection per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scanner/core/log.hpp"
#include "scanner/core/result.hpp"
#include "scanner/core/secret.hpp"

struct pg_conn;
struct pg_result;

namespace rollcall::connectors::postgres {

// A libpq connection string, parsed and checked: keywords and values, never a password.
class ConnInfo {
 public:
  // Accepts both libpq forms: "host=db.internal port=5432 dbname=app user=rollcall
  // sslmode=verify-full" and "postgresql://rollcall@db.internal/app?sslmode=verify-full".
  // Fails on a syntax error or an unknown keyword (libpq's message), and on a password in the
  // dsn: a password belongs in password_env or password_file. No error repeats the dsn.
  static Result<ConnInfo> parse(const std::string& dsn);

  // The value given for a libpq keyword, "" when the dsn does not set it.
  std::string value(std::string_view keyword) const;
  const std::vector<std::pair<std::string, std::string>>& options() const { return options_; }

 private:
  std::vector<std::pair<std::string, std::string>> options_;
};

// One row of a PgResult, read column by column. A value that does not parse as the type asked
// for yields a zero value and records the first such error; check status() after the row.
class PgRow {
 public:
  PgRow(const pg_result* res, int row) : res_(res), row_(row) {}

  bool is_null(int col) const;
  std::string text(int col) const;  // "" for NULL
  bool boolean(int col);            // "t" / "f"
  std::int64_t integer(int col);
  Result<void> status() const;

 private:
  void bad(int col, std::string_view expected);
  const pg_result* res_;
  int row_;
  std::string error_;
};

class PgResult {
 public:
  explicit PgResult(pg_result* res);
  int rows() const;
  int columns() const;
  std::string column_name(int col) const;
  // The column's type is an array (text[], varchar[], ...): its values read as lists.
  bool is_array(int col) const;
  PgRow row(int r) const { return PgRow(res_.get(), r); }

 private:
  friend class PgConnection;
  struct Clear {
    void operator()(pg_result* r) const;
  };
  std::unique_ptr<pg_result, Clear> res_;
};

class PgConnection {
 public:
  // Connects to `dbname` (or the dsn's own database when empty) with `password` (may be empty
  // for trust, peer or certificate authentication). timeout_s bounds the connection attempt
  // and, as statement_timeout, each query. Fails with one line naming server, database and
  // user: `connect to 127.0.0.1:5432 database "app" as "rollcall": password authentication
  // failed for user "rollcall"`. `log` must outlive the connection.
  static Result<PgConnection> connect(const ConnInfo& info, const std::string& dbname,
                                      const Secret& password, std::int64_t timeout_s, Logger& log);

  // Runs one statement; `what` names it in errors ("read role memberships"). Parameters are
  // sent separately from the SQL text ($1, $2 ...), as text.
  Result<PgResult> query(std::string_view what, const std::string& sql,
                         const std::vector<std::string>& params = {});
  // Runs statements that return no rows (BEGIN, SET ...).
  Result<void> exec(std::string_view what, const std::string& sql);

  // `name` as an SQL identifier, quoted and escaped by libpq (PQescapeIdentifier) for the
  // session's encoding: for statements such as GRANT that take no parameters. Fails on a name
  // libpq cannot escape (invalid in the encoding).
  Result<std::string> quote_identifier(std::string_view name) const;
  // True once the session is lost (server gone, connection reset): open a new one.
  bool broken() const;

  // The server's version as a number: 150004 for 15.4.
  int server_version() const;
  // The database this session is connected to.
  std::string database() const;
  // `127.0.0.1:5432 database "app"`: how errors name this session.
  const std::string& label() const { return label_; }

 private:
  struct Finish {
    void operator()(pg_conn* c) const;
  };
  PgConnection(pg_conn* conn, std::string label) : conn_(conn), label_(std::move(label)) {}
  Failure error(std::string_view what, const pg_result* res) const;

  std::unique_ptr<pg_conn, Finish> conn_;
  std::string label_;
};

}  // namespace rollcall::connectors::postgres
