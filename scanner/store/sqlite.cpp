#include "scanner/store/sqlite.hpp"

#include <sqlite3.h>

#include <cerrno>
#include <cstdio>

#include "scanner/core/strings.hpp"

namespace rollcall::store {

namespace {

// A Database is used by one thread at a time (see the header), so SQLite's per-call connection
// mutex is pure overhead: it showed in the scan profile at millions of column reads.
constexpr int kNoMutex = SQLITE_OPEN_NOMUTEX;
std::string sql_head(std::string_view sql) {
  std::string s(trim(sql.substr(0, 60)));
  for (auto& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}
// SQLite's message, prefixed with "disk full: " when the cause was a full disk: SQLite says
// SQLITE_FULL for some writes but a plain "disk I/O error" for others (the WAL index, a
// journal), where only the OS error tells.
std::string sqlite_error(sqlite3* db, const char* message) {
  const int code = sqlite3_extended_errcode(db);
  const int os = sqlite3_system_errno(db);
  std::string out = "SQLite: ";
  if ((code & 0xff) == SQLITE_FULL || ((code & 0xff) == SQLITE_IOERR && (os == ENOSPC || os == EDQUOT))) {
    out = "disk full (no space left on the device of the database); SQLite: ";
  }
  return out + message;
}

}  // namespace

// Migrations, in order; index i brings the schema from version i to i+1. Never edit a
// released migration: add a new one.
extern const std::vector<std::string_view> kMigrations;

int latest_schema_version() { return static_cast<int>(kMigrations.size()); }

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), sql_(std::move(other.sql_)) {
  other.stmt_ = nullptr;
}

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_view(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind(int index, std::optional<std::int64_t> value) {
  if (value) return bind(index, *value);
  return bind_null(index);
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string msg = sqlite_error(db_, sqlite3_errmsg(db_)) + " (in " + sql_head(sql_) + ")";
  sqlite3_reset(stmt_);
  return fail(msg);
}

Result<void> Statement::run() {
  while (true) {
    RC_ASSIGN(bool row, step());
    if (!row) break;
  }
  reset();
  return {};
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, col));
}

std::string_view Statement::text_view(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  if (p == nullptr) return {};
  return std::string_view(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::int64_t Statement::integer(int col) const { return sqlite3_column_int64(stmt_, col); }

std::optional<std::int64_t> Statement::optional_integer(int col) const {
  if (is_null(col)) return std::nullopt;
  return integer(col);
}

bool Statement::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

int Statement::column_count() const { return sqlite3_column_count(stmt_); }

std::string Statement::column_name(int col) const {
  const char* name = sqlite3_column_name(stmt_, col);
  return name ? name : "";
}

bool Statement::read_only() const { return sqlite3_stmt_readonly(stmt_) != 0; }

Database::~Database() { sqlite3_close_v2(db_); }

Result<std::unique_ptr<Database>> Database::open(const std::filesystem::path& path) {
  sqlite3* raw = nullptr;
  std::string p = path.string();
  int rc = sqlite3_open_v2(p.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | kNoMutex, nullptr);
  std::unique_ptr<Database> db(new Database(raw, p));
  if (rc != SQLITE_OK) {
    return fail("cannot open database " + quote(p) + ": " + (raw ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(raw, 5000);
  auto setup = [&]() -> Result<void> {
    RC_TRY(db->exec("PRAGMA journal_mode=WAL"));
    RC_TRY(db->exec("PRAGMA synchronous=NORMAL"));
    RC_TRY(db->exec("PRAGMA foreign_keys=ON"));
    return db->migrate();
  };
  if (auto r = setup(); !r) return r.context("database " + quote(p));
  return db;
}

Result<std::unique_ptr<Database>> Database::open_foreign(const std::filesystem::path& path) {
  sqlite3* raw = nullptr;
  std::string p = path.string();
  int rc = sqlite3_open_v2(p.c_str(), &raw, SQLITE_OPEN_READONLY | kNoMutex, nullptr);
  std::unique_ptr<Database> db(new Database(raw, p));
  if (rc != SQLITE_OK) {
    return fail("cannot open database " + quote(p) + ": " + (raw ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(raw, 5000);
  // SQLite opens lazily: reading the schema is what finds a file that is not a database.
  auto check = [&]() -> Result<void> {
    RC_TRY(db->exec("PRAGMA query_only=ON"));
    RC_ASSIGN(Statement v, db->prepare("PRAGMA schema_version"));
    RC_TRY(v.step());
    return {};
  };
  if (auto r = check(); !r) return r.context("database " + quote(p));
  return db;
}

Result<std::unique_ptr<Database>> Database::open_read_only(const std::filesystem::path& path) {
  const std::string p = path.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return fail("database " + quote(p) + " does not exist yet (run `rollcall snapshot` first)");
  }
  auto attempt = [&](const std::string& name, int flags) -> Result<std::unique_ptr<Database>> {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(name.c_str(), &raw, flags | kNoMutex, nullptr);
    std::unique_ptr<Database> db(new Database(raw, p));
    if (rc != SQLITE_OK) return fail(std::string("SQLite: ") + (raw ? sqlite3_errmsg(raw) : "out of memory"));
    sqlite3_busy_timeout(raw, 5000);
    RC_ASSIGN(Statement v, db->prepare("PRAGMA user_version"));
    RC_ASSIGN(bool row, v.step());
    const int version = row ? static_cast<int>(v.integer(0)) : 0;
    if (version != latest_schema_version()) {
      return fail("schema version " + std::to_string(version) + " is not this rollcall's (" +
                  std::to_string(latest_schema_version()) + "); run a command that writes (`rollcall snapshot`) " +
                  "with this rollcall first");
    }
    db->schema_version_ = version;
    return db;
  };
  auto db = attempt(p, SQLITE_OPEN_READONLY);
  if (!db && !std::filesystem::exists(p + "-wal", ec)) {
    // No writer has it open (a writer keeps a -wal file), so reading it as immutable is exact.
    std::string uri = "file:";
    for (char c : std::filesystem::absolute(path).string()) {
      if (c == '?' || c == '#' || c == '%') {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned>(static_cast<unsigned char>(c)));
        uri += buf;
      } else {
        uri += c;
      }
    }
    auto immutable = attempt(uri + "?immutable=1", SQLITE_OPEN_READONLY | SQLITE_OPEN_URI);
    if (immutable) return immutable;
  }
  if (!db) return db.context("database " + quote(p));
  return db;
}

Result<std::unique_ptr<Database>> Database::open_memory() {
  sqlite3* raw = nullptr;
  sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | kNoMutex, nullptr);
  std::unique_ptr<Database> db(new Database(raw, ":memory:"));
  RC_TRY(db->migrate());
  return db;
}

Result<void> Database::exec(std::string_view sql) {
  char* err = nullptr;
  std::string s(sql);
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = sqlite_error(db_, err ? err : sqlite3_errmsg(db_)) + " (in " + sql_head(sql) + ")";
    sqlite3_free(err);
    return fail(msg);
  }
  return {};
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
    return fail(std::string("SQLite: ") + sqlite3_errmsg(db_) + " (in " + sql_head(sql) + ")");
  }
  return Statement(db_, stmt, std::string(sql));
}

std::int64_t Database::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }

int Database::changes() const { return sqlite3_changes(db_); }

Result<void> Database::migrate() {
  RC_ASSIGN(Statement v, prepare("PRAGMA user_version"));
  RC_ASSIGN(bool row, v.step());
  int version = row ? static_cast<int>(v.integer(0)) : 0;
  const int latest = latest_schema_version();
  if (version > latest) {
    return fail("schema version " + std::to_string(version) +
                " is newer than this rollcall supports (" + std::to_string(latest) +
                "); upgrade rollcall to read it");
  }
  for (int i = version; i < latest; ++i) {
    RC_TRY(exec("BEGIN IMMEDIATE"));
    auto r = exec(kMigrations[i]);
    if (r) r = exec("PRAGMA user_version = " + std::to_string(i + 1));
    if (!r) {
      (void)exec("ROLLBACK");
      return r.context("migration to schema version " + std::to_string(i + 1));
    }
    RC_TRY(exec("COMMIT"));
  }
  schema_version_ = latest;
  return {};
}

Result<Transaction> Transaction::begin(Database& db) {
  RC_TRY(db.exec("BEGIN IMMEDIATE"));
  return Transaction(db);
}

Transaction::~Transaction() {
  if (db_) (void)db_->exec("ROLLBACK");
}

Result<void> Transaction::commit() {
  Database* db = db_;
  db_ = nullptr;
  auto r = db->exec("COMMIT");
  if (!r) (void)db->exec("ROLLBACK");
  return r;
}

}  // namespace rollcall::store
