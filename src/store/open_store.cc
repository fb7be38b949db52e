#include "qtune/store/open_store.h"

#include <fmt/format.h>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace qtune::store {

namespace {
constexpr std::string_view kSqlite = "sqlite://";
constexpr std::string_view kPostgresUri = "postgresql://";
constexpr std::string_view kPostgresShortUri = "postgres://";
constexpr std::string_view kPostgresKeywords = "postgresql:";
constexpr std::string_view kForms =
    "use sqlite:///abs/path.db, sqlite://relative.db, sqlite://:memory:, "
    "postgresql://user:password@host:port/database or postgresql:KEY=VALUE ...";
}  // namespace

base::Result<std::unique_ptr<Store>> open_store(std::string_view url) {
  if (url.starts_with(kSqlite)) {
    // "sqlite:///abs" keeps the third slash as the root of the absolute path.
    const std::string_view path = url.substr(kSqlite.size());
    if (path.empty()) {
      return base::Status::invalid_argument(fmt::format("storage \"{}\": no database path; {}", url, kForms));
    }
    QTUNE_ASSIGN_OR_RETURN(auto store, sqlite::SqliteStore::open(std::string(path)));
    return std::unique_ptr<Store>(std::move(store));
  }
  // libpq reads both URI schemes itself; the keyword/value form follows "postgresql:".
  std::string conninfo;
  if (url.starts_with(kPostgresUri) || url.starts_with(kPostgresShortUri)) {
    conninfo = url;
  } else if (url.starts_with(kPostgresKeywords)) {
    conninfo = url.substr(kPostgresKeywords.size());
    // An empty keyword/value string would mean "all defaults" to libpq, but so does
    // "postgresql://", which says so; here it is more likely a typo.
    if (conninfo.find('=') == std::string::npos) {
      return base::Status::invalid_argument(fmt::format("storage \"{}\": no KEY=VALUE after \"postgresql:\"; {}",
                                                        url, kForms));
    }
  } else {
    return base::Status::invalid_argument(fmt::format("storage \"{}\": unknown scheme; {}", url, kForms));
  }
  QTUNE_ASSIGN_OR_RETURN(auto store, postgres::PostgresStore::open(conninfo));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace qtune::store
