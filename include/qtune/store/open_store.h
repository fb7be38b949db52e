// open_store: a Store from a storage URL.
//
//   sqlite:///abs/path/study.db   an absolute path (three slashes)
//   sqlite://relative/study.db    relative to the current directory
//   sqlite://:memory:             a private in-memory database (gone when the store is)
//   postgresql://user:password@host:port/database[?key=value&...]
//   postgres://...                the same (both are libpq connection URIs)
//   postgresql:host=h port=5432 dbname=d ...   libpq's keyword/value form
//
// A SQLite file is created if missing, with its parent folder required to exist.
// PostgreSQL: what the URL leaves out comes from libpq's defaults and environment (PGHOST,
// PGPORT, PGUSER, PGPASSWORD or ~/.pgpass, PGDATABASE), so "postgresql://" alone uses only
// those; the query part takes any libpq parameter (options=-csearch_path%3Dmy_schema keeps
// a store in its own schema). The database must exist; its tables are created if missing.
// An unreachable server is kUnavailable, naming host and port (never the password); no
// error message shows a password, nor any piece of one, however malformed the URL (libpq's
// messages, which may echo it, included). A URI's password holding '@', '/' or '?' must
// percent-encode them (%40, %2F, %3F); a password runs to the URL's last '@'.
#pragma once

#include <fmt/format.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "qtune/base/result.h"
#include "qtune/store/store.h"

namespace qtune::store {

// kReadOnly is for what only reads (qtune status, best, export): the store is never written.
// A SQLite file must exist (kNotFound otherwise) and is opened with SQLITE_OPEN_READONLY,
// immutable when no -wal file shows a live writer, so that not even -wal/-shm files appear
// beside it and a read-only file or folder is fine; its schema must be this qtune's. A
// PostgreSQL session is read-only and the schema is not created. Writes fail.
enum class OpenMode { kReadWrite, kReadOnly };

base::Result<std::unique_ptr<Store>> open_store(std::string_view url,
                                                OpenMode mode = OpenMode::kReadWrite);

// The checks open_store() makes before opening anything: a known scheme, a sqlite path, a
// postgresql: KEY=VALUE, no unescaped '@', '/' or '?' in a URI's user or password. A study
// file checks its storage with it, so the message can name the file and line.
base::Status check_storage_url(std::string_view url);

// `url` with any password (user:PASSWORD@ in a scheme://... URI, password=... in a
// PostgreSQL URI's query or in the keyword/value form) replaced by "***": a storage URL fit
// for messages and logs. Other URLs come back unchanged.
std::string redact_password(std::string_view url);

// A storage URL as a study holds it. fmt formats it without its password (the shown form),
// so a message that names the store cannot leak one; url() is for open_store() only.
class StorageUrl {
 public:
  StorageUrl() = default;
  explicit StorageUrl(std::string url) : url_(std::move(url)), shown_(redact_password(url_)) {}

  const std::string& url() const { return url_; }
  const std::string& shown() const { return shown_; }
  bool operator==(const StorageUrl& other) const { return url_ == other.url_; }

 private:
  std::string url_;
  std::string shown_;
};

}  // namespace qtune::store

template <>
struct fmt::formatter<qtune::store::StorageUrl> : fmt::formatter<std::string_view> {
  auto format(const qtune::store::StorageUrl& storage, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(storage.shown(), ctx);
  }
};
