#include "scanner/roster_sources/sql_source.hpp"

#include <algorithm>
#include <cstdint>

#include "connectors/api/credentials.hpp"
#include "connectors/postgres/pg_settings.hpp"
#include "scanner/core/strings.hpp"
#include "scanner/roster_sources/roster_sources.hpp"
#include "scanner/store/sqlite.hpp"

namespace rollcall::roster_sources {
namespace {

namespace pg = connectors::postgres;

// Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF).
bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t more = 0;
    std::uint32_t cp = 0;
    if ((c >> 5) == 0x6) more = 1, cp = c & 0x1F;
    else if ((c >> 4) == 0xE) more = 2, cp = c & 0x0F;
    else if ((c >> 3) == 0x1E) more = 3, cp = c & 0x07;
    else return false;
    if (i + more >= s.size()) return false;
    for (std::size_t k = 1; k <= more; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr std::uint32_t kLeast[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kLeast[more] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += more + 1;
  }
  return true;
}

// A row's value checked for UTF-8, or the error naming column and row.
Result<void> check_text(const std::string& where, const std::string& column, const roster::FieldValue& v) {
  bool ok = v.is_list ? std::all_of(v.list.begin(), v.list.end(), [](const auto& e) { return valid_utf8(e); })
                      : valid_utf8(v.text);
  if (!ok) return fail(where + ": column " + quote(column) + ": the value is not valid UTF-8");
  return {};
}

std::string row_where(const std::string& source, std::size_t row) { return source + " row " + std::to_string(row); }

Result<std::vector<roster::SourceRecord>> query_sqlite(const std::filesystem::path& file, const std::string& source,
                                                       const std::string& sql) {
  RC_ASSIGN(auto db, store::Database::open_foreign(file));
  const std::string what = "SQLite " + quote(file.filename().string()) + ": ";
  auto stmt = db->prepare(sql);
  if (!stmt) return fail(what + stmt.error().message());
  if (!stmt->read_only()) return fail(what + "the roster query would write; it must only read (a SELECT)");
  if (auto b = db->exec("BEGIN"); !b) return fail(what + b.error().message());
  std::vector<std::string> names;
  for (int c = 0; c < stmt->column_count(); ++c) names.push_back(stmt->column_name(c));
  std::vector<roster::SourceRecord> out;
  while (true) {
    auto more = stmt->step();
    if (!more) return fail(what + more.error().message());
    if (!*more) break;
    roster::SourceRecord rec;
    const std::string where = row_where(source, out.size() + 1);
    for (int c = 0; c < static_cast<int>(names.size()); ++c) {
      if (stmt->is_null(c)) continue;
      roster::FieldValue v;
      v.text = stmt->text(c);
      RC_TRY(check_text(where, names[c], v));
      rec.fields.emplace_back(names[c], std::move(v));
    }
    out.push_back(std::move(rec));
  }
  if (auto c = db->exec("COMMIT"); !c) return fail(what + c.error().message());
  return out;
}

Result<std::vector<roster::SourceRecord>> query_postgres(const config::SystemConfig& sys,
                                                         const connectors::ConnectorEnv& env, std::string& source,
                                                         const std::string& sql) {
  const config::Table& k = sys.keys;
  auto conninfo = pg::ConnInfo::parse(*k.string("dsn"));
  if (!conninfo) return fail(k.where("dsn") + ": " + conninfo.error().message());
  RC_ASSIGN(auto credential, connectors::read_credential(sys, "password", env));
  pg::PgSettings settings{sys.name, std::move(conninfo).value()};
  if (credential) settings.password = std::move(credential->secret);
  settings.timeout_s = sys.timeout_s;
  RC_ASSIGN(pg::PgConnection conn, pg::connect(settings, "", env.log));
  source = "postgres " + quote(conn.database()) + " query";
  RC_TRY(conn.exec("begin a read-only transaction", "BEGIN READ ONLY"));
  RC_ASSIGN(pg::PgResult res, conn.query("run the roster query", sql));
  std::vector<std::string> names;
  for (int c = 0; c < res.columns(); ++c) names.push_back(res.column_name(c));
  std::vector<roster::SourceRecord> out;
  for (int r = 0; r < res.rows(); ++r) {
    pg::PgRow row = res.row(r);
    roster::SourceRecord rec;
    const std::string where = row_where(source, out.size() + 1);
    for (int c = 0; c < static_cast<int>(names.size()); ++c) {
      if (row.is_null(c)) continue;
      roster::FieldValue v;
      if (res.is_array(c)) {
        auto list = parse_pg_array(row.text(c));
        if (!list) return fail(where + ": column " + quote(names[c]) + ": " + list.error().message());
        v.is_list = true;
        v.list = std::move(list).value();
      } else {
        v.text = row.text(c);
      }
      RC_TRY(check_text(where, names[c], v));
      rec.fields.emplace_back(names[c], std::move(v));
    }
    out.push_back(std::move(rec));
  }
  RC_TRY(conn.exec("end the read-only transaction", "COMMIT"));
  return out;
}

}  // namespace

Result<std::vector<std::string>> parse_pg_array(std::string_view text) {
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') {
    return fail("the array " + quote(text) + " is not in PostgreSQL's {a,b} form");
  }
  std::vector<std::string> out;
  std::string_view body = text.substr(1, text.size() - 2);
  if (body.empty()) return out;
  std::size_t i = 0;
  while (true) {
    std::string element;
    bool quoted = false;
    if (i < body.size() && body[i] == '{') return fail("a multi-dimensional array, which a roster field cannot hold");
    if (i < body.size() && body[i] == '"') {
      quoted = true;
      ++i;
      while (i < body.size() && body[i] != '"') {
        if (body[i] == '\\' && i + 1 < body.size()) ++i;
        element += body[i++];
      }
      if (i >= body.size()) return fail("the array " + quote(text) + " has an unterminated quoted element");
      ++i;
    } else {
      while (i < body.size() && body[i] != ',') element += body[i++];
    }
    if (quoted || element != "NULL") out.push_back(std::move(element));
    if (i >= body.size()) return out;
    if (body[i] != ',') return fail("the array " + quote(text) + " is malformed");
    ++i;
  }
}

Result<roster::Roster> read_sql(const config::RosterConfig& config, const connectors::ConnectorEnv& env) {
  RC_ASSIGN(config::SystemConfig sys, as_system(config));
  const std::string sql = *config.keys.string("query");
  std::string source;
  std::vector<roster::SourceRecord> records;
  if (auto file = config.keys.string("sqlite")) {
    std::filesystem::path path = *file;
    if (path.is_relative()) path = env.workspace_dir / path;
    source = path.filename().string() + " query";
    RC_ASSIGN(records, query_sqlite(path, source, sql));
  } else {
    RC_ASSIGN(records, query_postgres(sys, env, source, sql));
  }
  env.log.debug("roster: " + std::to_string(records.size()) + " rows from " + source);
  return roster::roster_from_records(roster::SourceKind::sql, source, records, config.columns);
}

}  // namespace rollcall::roster_sources
