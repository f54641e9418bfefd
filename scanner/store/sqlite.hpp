// A thin RAII layer over SQLite for the store module: Database owns the connection and applies
// the schema migrations on open; Statement is a prepared statement with typed binds. Errors are
// returned as Result with SQLite's message and the SQL's first words. Not thread-safe: one
// Database per thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "scanner/core/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace rollcall::store {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::string sql) : db_(db), stmt_(stmt), sql_(std::move(sql)) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;

  // Binds are 1-based, as in SQLite. Text is copied (SQLITE_TRANSIENT).
  Statement& bind(int index, std::string_view text);
  // Binds text without copying: it must stay valid and unchanged until the next step/reset.
  Statement& bind_view(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::optional<std::int64_t> value);  // nullopt binds NULL
  Statement& bind_null(int index);

  // Steps once: true when a row is available, false when done.
  Result<bool> step();
  // Steps to completion, for statements that return no rows.
  Result<void> run();
  void reset();

  std::string text(int col) const;
  // The column's text without a copy: valid until the next step, reset or column read.
  std::string_view text_view(int col) const;
  std::int64_t integer(int col) const;
  std::optional<std::int64_t> optional_integer(int col) const;
  bool is_null(int col) const;
  // The result's columns (valid after prepare), and whether the statement cannot write.
  int column_count() const;
  std::string column_name(int col) const;
  bool read_only() const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::string sql_;
};

class Database {
 public:
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Opens (creating if needed) the database file in WAL mode and migrates it to the latest
  // schema. Fails when the file is not a database, is unreadable, or has a newer schema than
  // this binary knows ("upgrade rollcall"), naming the path.
  static Result<std::unique_ptr<Database>> open(const std::filesystem::path& path);
  // Opens an existing database for reading only: no migration, no file created, nothing
  // written, so read-only commands (history, diff) work in a workspace folder they cannot write.
  // When SQLite cannot set up its WAL index there (the folder is read-only and no other process
  // has the database open, so no -wal file exists), the file is read as immutable. Fails when
  // the file is missing or its schema is not this binary's ("run a command that writes").
  static Result<std::unique_ptr<Database>> open_read_only(const std::filesystem::path& path);
  // Opens an existing SQLite file that is not a rollcall store read-only (SQLITE_OPEN_READONLY
  // and query_only): no schema check, no migration, no write. For reading someone else's
  // database (a roster query). Fails naming the path when the file is missing or is not SQLite.
  static Result<std::unique_ptr<Database>> open_foreign(const std::filesystem::path& path);
  // An in-memory database with the latest schema, for tests.
  static Result<std::unique_ptr<Database>> open_memory();

  Result<void> exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);
  std::int64_t last_insert_id() const;
  int changes() const;
  int schema_version() const { return schema_version_; }
  const std::string& path() const { return path_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Result<void> migrate();

  sqlite3* db_;
  std::string path_;
  int schema_version_ = 0;
};

// Latest schema version this binary writes.
int latest_schema_version();

// RAII transaction: rolls back on destruction unless commit() succeeded.
class Transaction {
 public:
  // BEGIN IMMEDIATE: takes the write lock now, so a concurrent writer fails fast.
  static Result<Transaction> begin(Database& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction(const Transaction&) = delete;
  ~Transaction();
  Result<void> commit();

 private:
  explicit Transaction(Database& db) : db_(&db) {}
  Database* db_;
};

}  // namespace rollcall::store
