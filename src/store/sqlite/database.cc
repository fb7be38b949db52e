#include "store/sqlite/database.h"

#include <fmt/format.h>

#include <filesystem>

namespace qtune::store::sqlite {

namespace {
// A bound string must outlive the statement's step; SQLITE_TRANSIENT makes SQLite copy it.
const auto kCopy = SQLITE_TRANSIENT;

int size_of(std::string_view s) { return static_cast<int>(s.size()); }
}  // namespace

void Statement::check_bind(int rc) {
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
}

Statement& Statement::bind(int i, std::int64_t v) {
  check_bind(sqlite3_bind_int64(stmt_.get(), i, v));
  return *this;
}
Statement& Statement::bind(int i, double v) {
  check_bind(sqlite3_bind_double(stmt_.get(), i, v));
  return *this;
}
Statement& Statement::bind(int i, std::optional<double> v) {
  check_bind(v ? sqlite3_bind_double(stmt_.get(), i, *v) : sqlite3_bind_null(stmt_.get(), i));
  return *this;
}
Statement& Statement::bind(int i, std::string_view text) {
  check_bind(sqlite3_bind_text(stmt_.get(), i, text.data(), size_of(text), kCopy));
  return *this;
}
Statement& Statement::bind_blob(int i, std::string_view bytes) {
  check_bind(sqlite3_bind_blob(stmt_.get(), i, bytes.data(), size_of(bytes), kCopy));
  return *this;
}

base::Result<bool> Statement::step() {
  if (bind_error_ != SQLITE_OK) return db_->error(bind_error_, sql_);
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->error(rc, sql_);
}

base::Status Statement::run() {
  QTUNE_ASSIGN_OR_RETURN(const bool row, step());
  if (row)
    return base::Status::internal(
        fmt::format("sqlite: \"{}\" returned a row; expected none", sql_));
  return base::Status::ok();
}

std::int64_t Statement::column_int(int i) const { return sqlite3_column_int64(stmt_.get(), i); }
double Statement::column_double(int i) const { return sqlite3_column_double(stmt_.get(), i); }
std::optional<double> Statement::column_optional_double(int i) const {
  if (sqlite3_column_type(stmt_.get(), i) == SQLITE_NULL) return std::nullopt;
  return column_double(i);
}
std::string Statement::column_text(int i) const {
  const auto* p = sqlite3_column_text(stmt_.get(), i);
  const int n = sqlite3_column_bytes(stmt_.get(), i);
  return p == nullptr ? std::string()
                      : std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
}
std::string Statement::column_blob(int i) const {
  const void* p = sqlite3_column_blob(stmt_.get(), i);
  const int n = sqlite3_column_bytes(stmt_.get(), i);
  return p == nullptr ? std::string()
                      : std::string(static_cast<const char*>(p), static_cast<std::size_t>(n));
}

base::Result<Database> Database::open(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<sqlite3, CloseDatabase> db(raw);  // sqlite3_open_v2 may allocate on failure
  if (rc != SQLITE_OK) {
    return base::Status::io_error(fmt::format(
        "{}: cannot open the database: {}; check that its folder exists and is writable", path,
        raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(db.get(), 1);
  return Database(std::move(db), path);
}

base::Result<Database> Database::open_read_only(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    return base::Status::not_found(fmt::format(
        "{}: no such database; run the study first with qtune run, or check --storage", path));
  }
  const bool writer_live = std::filesystem::exists(path + "-wal", error);
  // A URI filename, so that immutable=1 can be given; '?' and '#' in the path are escaped.
  std::string uri = "file:";
  for (const char c : std::filesystem::absolute(path).string()) {
    if (c == '?' || c == '#' || c == '%') {
      uri += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    } else {
      uri += c;
    }
  }
  uri += writer_live ? "?mode=ro" : "?mode=ro&immutable=1";
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(
      uri.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<sqlite3, CloseDatabase> db(raw);
  if (rc != SQLITE_OK) {
    return base::Status::io_error(
        fmt::format("{}: cannot open the database for reading: {}; check that it is readable", path,
                    raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(db.get(), 1);
  return Database(std::move(db), path);
}

base::Result<Statement> Database::prepare(std::string_view sql) const {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_.get(), sql.data(), size_of(sql), &stmt, nullptr);
  if (rc != SQLITE_OK) return error(rc, sql);
  return Statement(this, stmt, sql);
}

base::Status Database::exec(std::string_view sql) const {
  const std::string text(sql);  // sqlite3_exec needs a terminated string
  const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? base::Status::ok() : error(rc, sql);
}

base::Status Database::error(int rc, std::string_view what) const {
  std::string message = fmt::format("{}: sqlite error \"{}\" in: {}", path_,
                                    sqlite3_errmsg(db_.get()), what.substr(0, what.find('\n', 1)));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return base::Status::unavailable(message +
                                       "; another process holds the database lock, retry later");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return base::Status::corrupt(message + "; the file is not a valid qtune store");
    case SQLITE_CONSTRAINT:
      return base::Status::conflict(std::move(message));
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
      // Nothing committed is lost: the write that failed was rolled back, and a trial that
      // ended meanwhile is recorded from its folder when the study runs again.
      return base::Status::io_error(
          message +
          fmt::format("; the {} holding the store refused a write: free space (or make it "
                      "writable) and run the same command again: finished trials are kept",
                      (rc & 0xff) == SQLITE_READONLY ? "file system" : "disk"));
    default:
      return base::Status::io_error(std::move(message));
  }
}

base::Result<Transaction> Transaction::begin(const Database& db) {
  QTUNE_RETURN_IF_ERROR(db.exec("BEGIN IMMEDIATE"));
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)db_->exec("ROLLBACK");
}

base::Status Transaction::commit() {
  QTUNE_CHECK(db_ != nullptr);
  const base::Status status = db_->exec("COMMIT");
  if (status.is_ok()) db_ = nullptr;
  return status;
}

}  // namespace qtune::store::sqlite
