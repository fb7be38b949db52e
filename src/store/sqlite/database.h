// Database / Statement / Transaction: thin RAII over the sqlite3 C API that turns SQLite
// result codes into Status values naming the database file and the operation.
// Not thread-safe; SqliteStore serialises access.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "qtune/base/result.h"

namespace qtune::store::sqlite {

struct CloseDatabase {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct FinalizeStatement {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};

class Statement {
 public:
  // Parameters are numbered from 1, as in SQL (?1, ?2, ...).
  Statement& bind(int i, std::int64_t v);
  Statement& bind(int i, double v);
  Statement& bind(int i, std::optional<double> v);
  Statement& bind(int i, std::string_view text);
  Statement& bind_blob(int i, std::string_view bytes);

  // true: a row is available; false: done. Reports a failed bind here.
  base::Result<bool> step();
  // Runs to completion, expecting no rows.
  base::Status run();

  // Columns are numbered from 0.
  std::int64_t column_int(int i) const;
  double column_double(int i) const;
  std::optional<double> column_optional_double(int i) const;
  std::string column_text(int i) const;
  std::string column_blob(int i) const;

 private:
  friend class Database;
  Statement(const class Database* db, sqlite3_stmt* stmt, std::string_view sql)
      : db_(db), stmt_(stmt), sql_(sql) {}
  void check_bind(int rc);
  const class Database* db_;
  std::unique_ptr<sqlite3_stmt, FinalizeStatement> stmt_;
  std::string sql_;  // owned: prepare() may be given a temporary (a formatted statement)
  int bind_error_ = SQLITE_OK;
};

class Database {
 public:
  // Opens (creating if missing) `path` (":memory:" for a private in-memory database).
  static base::Result<Database> open(const std::string& path);
  // Opens an existing file for reading only (SQLITE_OPEN_READONLY): nothing is written to it
  // or beside it. With no `path`-wal file beside it (no writer is live) it is opened
  // immutable, since a read-only connection on a WAL database would create -wal and -shm
  // files; with one, normally, reading the live writer's commits. kNotFound if it is missing.
  static base::Result<Database> open_read_only(const std::string& path);

  base::Result<Statement> prepare(std::string_view sql) const;
  // Runs one or more statements without parameters.
  base::Status exec(std::string_view sql) const;
  // The Status for SQLite result code `rc` during `what`.
  base::Status error(int rc, std::string_view what) const;
  std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_.get()); }
  int changes() const { return sqlite3_changes(db_.get()); }

 private:
  Database(std::unique_ptr<sqlite3, CloseDatabase> db, std::string path)
      : db_(std::move(db)), path_(std::move(path)) {}
  std::unique_ptr<sqlite3, CloseDatabase> db_;
  std::string path_;
};

// BEGIN IMMEDIATE (takes the write lock at once, so a busy database waits in BEGIN rather
// than failing at the first write); rolled back on scope exit unless committed.
class Transaction {
 public:
  static base::Result<Transaction> begin(const Database& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  base::Status commit();

 private:
  explicit Transaction(const Database* db) : db_(db) {}
  const Database* db_;  // nullptr once committed or moved from
};

}  // namespace qtune::store::sqlite
