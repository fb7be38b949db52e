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
// An unreachable server is kUnavailable, naming host and port (never the password).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "qtune/base/result.h"
#include "qtune/store/store.h"

namespace qtune::store {

base::Result<std::unique_ptr<Store>> open_store(std::string_view url);

// `url` with any PostgreSQL password (user:PASSWORD@ in a URI, password=... in its query
// or in the keyword/value form) replaced by "***": a storage URL fit for messages and logs.
// Other URLs come back unchanged.
std::string redact_password(std::string_view url);

}  // namespace qtune::store
