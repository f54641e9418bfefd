#include "connectors/postgres/pg_connection.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>

#include "scanner/core/strings.hpp"

namespace rollcall::connectors::postgres {
namespace {

// libpq's messages end with a newline, indent their explanations on following lines ("\tThis
// probably means the server terminated abnormally") and prefix each connection attempt with
// "connection to server at "h", port p failed: ". Keeps the reasons, one line, no severity.
std::string one_line(std::string_view msg) {
  std::vector<std::string> parts;
  for (const std::string& raw : split(msg, '\n')) {
    if (raw.empty() || raw[0] == '\t' || raw[0] == ' ') continue;
    std::string_view line = trim(raw);
    if (starts_with(line, "connection to server ")) {
      std::size_t pos = line.find(" failed: ");
      if (pos != std::string_view::npos) line.remove_prefix(pos + 9);
    }
    for (std::string_view severity : {"FATAL:", "ERROR:", "PANIC:"}) {
      if (starts_with(line, severity)) line = trim(line.substr(severity.size()));
    }
    if (!line.empty() && std::find(parts.begin(), parts.end(), line) == parts.end()) {
      parts.emplace_back(line);
    }
  }
  return parts.empty() ? "unknown libpq error" : join(parts, "; ");
}

void forward_notice(void* arg, const char* message) {
  static_cast<Logger*>(arg)->debug("postgres notice: " + one_line(message));
}

bool mentions_password(const std::string& dsn) {
  return to_lower(dsn).find("password") != std::string::npos;
}

}  // namespace

// ---------------------------------------------------------------- ConnInfo

Result<ConnInfo> ConnInfo::parse(const std::string& dsn) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(dsn.c_str(), &err);
  if (opts == nullptr) {
    std::string why = err ? one_line(err) : "out of memory";
    PQfreemem(err);
    // libpq may quote a fragment of the dsn; when the dsn might hold a password, say less.
    if (mentions_password(dsn)) {
      return fail("dsn is not a valid libpq connection string, and seems to contain a password: "
                  "put the password in password_env or password_file");
    }
    return fail("dsn is not a valid libpq connection string: " + why);
  }
  ConnInfo info;
  bool has_password = false;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    if (std::string_view(o->keyword) == "password") {
      has_password = has_password || o->val[0] != '\0';
      continue;
    }
    info.options_.emplace_back(o->keyword, o->val);
  }
  PQconninfoFree(opts);
  if (has_password) {
    return fail("dsn must not contain a password: put it in password_env or password_file");
  }
  return info;
}

std::string ConnInfo::value(std::string_view keyword) const {
  for (const auto& [k, v] : options_) {
    if (k == keyword) return v;
  }
  return "";
}

// ---------------------------------------------------------------- PgRow / PgResult

bool PgRow::is_null(int col) const { return PQgetisnull(res_, row_, col) != 0; }

std::string PgRow::text(int col) const {
  if (is_null(col)) return "";
  return std::string(PQgetvalue(res_, row_, col), PQgetlength(res_, row_, col));
}

bool PgRow::boolean(int col) {
  std::string v = text(col);
  if (v == "t") return true;
  if (v != "f") bad(col, "a boolean");
  return false;
}

std::int64_t PgRow::integer(int col) {
  std::string v = text(col);
  std::int64_t out = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size()) bad(col, "an integer");
  return out;
}

void PgRow::bad(int col, std::string_view expected) {
  if (!error_.empty()) return;
  const char* name = PQfname(res_, col);
  error_ = "row " + std::to_string(row_ + 1) + ": column " + quote(name ? name : "?") + " is " +
           quote(text(col)) + ", expected " + std::string(expected);
}

Result<void> PgRow::status() const {
  if (error_.empty()) return {};
  return fail(error_);
}

PgResult::PgResult(pg_result* res) : res_(res) {}

void PgResult::Clear::operator()(pg_result* r) const { PQclear(r); }

int PgResult::rows() const { return PQntuples(res_.get()); }

int PgResult::columns() const { return PQnfields(res_.get()); }

bool PgResult::is_array(int col) const {
  // pg_type OIDs of the built-in arrays a roster column may hold: bool, name, int2, int4, text,
  // bpchar, varchar, int8 (fixed since PostgreSQL 7; see pg_type.dat).
  switch (PQftype(res_.get(), col)) {
    case 1000: case 1003: case 1005: case 1007: case 1009: case 1014: case 1015: case 1016:
      return true;
    default:
      return false;
  }
}

std::string PgResult::column_name(int col) const {
  const char* name = PQfname(res_.get(), col);
  return name ? name : "";
}

// ---------------------------------------------------------------- PgConnection

void PgConnection::Finish::operator()(pg_conn* c) const { PQfinish(c); }

Result<PgConnection> PgConnection::connect(const ConnInfo& info, const std::string& dbname,
                                           const Secret& password, std::int64_t timeout_s,
                                           Logger& log) {
  std::vector<std::pair<std::string, std::string>> params;
  for (const auto& [k, v] : info.options()) {
    if (k == "dbname" && !dbname.empty()) continue;
    params.emplace_back(k, v);
  }
  if (!dbname.empty()) params.emplace_back("dbname", dbname);
  if (info.value("connect_timeout").empty()) {
    params.emplace_back("connect_timeout", std::to_string(std::max<std::int64_t>(timeout_s, 2)));
  }
  if (info.value("application_name").empty()) params.emplace_back("application_name", "rollcall");
  if (!password.empty()) params.emplace_back("password", password.reveal());

  std::vector<const char*> keys, values;
  for (const auto& [k, v] : params) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);

  std::unique_ptr<pg_conn, Finish> conn(PQconnectdbParams(keys.data(), values.data(), 0));
  if (!conn) return fail("connect to PostgreSQL: out of memory");
  auto or_empty = [](const char* s) { return std::string(s ? s : ""); };
  std::string host = or_empty(PQhost(conn.get()));
  std::string port = or_empty(PQport(conn.get()));
  std::string label = host + ":" + port + " database " + quote(or_empty(PQdb(conn.get())));
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return fail("connect to " + label + " as " + quote(or_empty(PQuser(conn.get()))) + ": " +
                one_line(PQerrorMessage(conn.get())));
  }
  PQsetNoticeProcessor(conn.get(), forward_notice, &log);
  PgConnection out(conn.release(), std::move(label));
  if (timeout_s > 0) {
    RC_TRY(out.exec("set statement_timeout",
                    "SET statement_timeout = " + std::to_string(timeout_s * 1000)));
  }
  return out;
}

Failure PgConnection::error(std::string_view what, const pg_result* res) const {
  std::string msg;
  if (res != nullptr) {
    const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    if (primary != nullptr && primary[0] != '\0') msg = one_line(primary);
  }
  if (msg.empty()) msg = one_line(PQerrorMessage(conn_.get()));
  return fail(label_ + ": " + std::string(what) + ": " + msg);
}

Result<PgResult> PgConnection::query(std::string_view what, const std::string& sql,
                                     const std::vector<std::string>& params) {
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p.c_str());
  PgResult res(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                            values.empty() ? nullptr : values.data(), nullptr, nullptr, 0));
  const pg_result* raw = res.res_.get();
  if (raw == nullptr || PQresultStatus(raw) != PGRES_TUPLES_OK) return error(what, raw);
  return res;
}

Result<void> PgConnection::exec(std::string_view what, const std::string& sql) {
  PgResult res(PQexec(conn_.get(), sql.c_str()));
  const pg_result* raw = res.res_.get();
  if (raw == nullptr || PQresultStatus(raw) != PGRES_COMMAND_OK) return error(what, raw);
  return {};
}

Result<std::string> PgConnection::quote_identifier(std::string_view name) const {
  char* quoted = PQescapeIdentifier(conn_.get(), name.data(), name.size());
  if (quoted == nullptr) {
    return fail(label_ + ": cannot quote the name " + quote(name) + ": " +
                one_line(PQerrorMessage(conn_.get())));
  }
  std::string out(quoted);
  PQfreemem(quoted);
  return out;
}

bool PgConnection::broken() const { return PQstatus(conn_.get()) != CONNECTION_OK; }

int PgConnection::server_version() const { return PQserverVersion(conn_.get()); }

std::string PgConnection::database() const {
  const char* db = PQdb(conn_.get());
  return db ? db : "";
}

}  // namespace rollcall::connectors::postgres
