#include "qtune/store/open_store.h"

#include <fmt/format.h>

#include <algorithm>

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

// Replaces the value of every "password=" parameter in [from, to) of `text`, ending at
// `separator` (' ' for keyword/value, '&' for a URI query); quoted values are not split.
void redact_parameters(std::string& text, std::size_t from, char separator) {
  constexpr std::string_view kKey = "password=";
  for (std::size_t at = text.find(kKey, from); at != std::string::npos;
       at = text.find(kKey, at + 1)) {
    const std::size_t start = at + kKey.size();
    std::size_t end = start;
    if (end < text.size() && text[end] == '\'') {
      end = text.find('\'', end + 1);
      end = end == std::string::npos ? text.size() : end + 1;
    } else {
      end = std::min(text.find(separator, start), text.size());
    }
    text.replace(start, end - start, "***");
  }
}

}  // namespace

std::string redact_password(std::string_view url) {
  std::string out(url);
  // user:PASSWORD@ in the authority of any scheme://... URI (a mistyped scheme included).
  if (const std::size_t scheme_end = out.find("://"); scheme_end != std::string::npos) {
    const std::size_t authority = scheme_end + 3;
    const std::size_t authority_end = std::min(out.find_first_of("/?", authority), out.size());
    const std::size_t at = out.rfind('@', authority_end);
    if (at != std::string::npos && at >= authority) {
      const std::size_t colon = out.find(':', authority);
      if (colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  if (url.starts_with(kPostgresUri) || url.starts_with(kPostgresShortUri)) {
    const std::size_t query = out.find('?');
    if (query != std::string::npos) redact_parameters(out, query, '&');
  } else if (url.starts_with(kPostgresKeywords)) {
    redact_parameters(out, kPostgresKeywords.size(), ' ');
  }
  return out;
}

base::Result<std::unique_ptr<Store>> open_store(std::string_view url, OpenMode mode) {
  if (url.starts_with(kSqlite)) {
    // "sqlite:///abs" keeps the third slash as the root of the absolute path.
    const std::string_view path = url.substr(kSqlite.size());
    if (path.empty()) {
      return base::Status::invalid_argument(
          fmt::format("storage \"{}\": no database path; {}", redact_password(url), kForms));
    }
    const bool memory = path == ":memory:";  // nothing to read: an empty store
    QTUNE_ASSIGN_OR_RETURN(auto store, mode == OpenMode::kReadOnly && !memory
                                           ? sqlite::SqliteStore::open_read_only(std::string(path))
                                           : sqlite::SqliteStore::open(std::string(path)));
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
      return base::Status::invalid_argument(fmt::format(
          "storage \"{}\": no KEY=VALUE after \"postgresql:\"; {}", redact_password(url), kForms));
    }
  } else {
    return base::Status::invalid_argument(
        fmt::format("storage \"{}\": unknown scheme; {}", redact_password(url), kForms));
  }
  QTUNE_ASSIGN_OR_RETURN(auto store, mode == OpenMode::kReadOnly
                                         ? postgres::PostgresStore::open_read_only(conninfo)
                                         : postgres::PostgresStore::open(conninfo));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace qtune::store
