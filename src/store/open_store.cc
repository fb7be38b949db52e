#include "qtune/store/open_store.h"

#include <fmt/format.h>

#include "store/sqlite/sqlite_store.h"

namespace qtune::store {

namespace {
constexpr std::string_view kSqlite = "sqlite://";
constexpr std::string_view kPostgres = "postgresql://";
}  // namespace

base::Result<std::unique_ptr<Store>> open_store(std::string_view url) {
  if (url.starts_with(kSqlite)) {
    // "sqlite:///abs" keeps the third slash as the root of the absolute path.
    const std::string_view path = url.substr(kSqlite.size());
    if (path.empty()) {
      return base::Status::invalid_argument(fmt::format("storage \"{}\": no database path; use "
                                                        "sqlite:///abs/path.db, sqlite://relative.db or sqlite://:memory:", url));
    }
    QTUNE_ASSIGN_OR_RETURN(auto store, sqlite::SqliteStore::open(std::string(path)));
    return std::unique_ptr<Store>(std::move(store));
  }
  if (url.starts_with(kPostgres)) {
    return base::Status::invalid_argument(fmt::format("storage \"{}\": PostgreSQL storage is not built yet; "
                                                      "use a sqlite:// URL", url));
  }
  return base::Status::invalid_argument(fmt::format("storage \"{}\": unknown scheme; use sqlite:///abs/path.db, "
                                                    "sqlite://relative.db or sqlite://:memory:", url));
}

}  // namespace qtune::store
