#include "qtune/store/open_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>
#include <vector>

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

// The user:password part of a URI-like `url` (any scheme, a mistyped one included, with
// or without its slashes): from after "scheme:" and its slashes to the LAST '@' of the
// URL, so that a password holding an unescaped '@', '/' or '?' is all of it; npos-npos
// when there is no '@' (or a keyword/value string, whose passwords are password=...).
std::pair<std::size_t, std::size_t> userinfo(std::string_view url) {
  constexpr std::pair<std::size_t, std::size_t> kNone{std::string_view::npos,
                                                      std::string_view::npos};
  const std::size_t colon = url.find(':');
  const std::size_t at = url.rfind('@');
  if (colon == std::string_view::npos || at == std::string_view::npos || at < colon) return kNone;
  const std::size_t start = std::min(url.find_first_not_of('/', colon + 1), at);
  const std::string_view info = url.substr(start, at - start);
  // "host=h user=u@example" is a keyword/value string, not user:password@.
  if (info.find('=') != std::string_view::npos && info.find(':') == std::string_view::npos) {
    return kNone;
  }
  return {start, at};
}

// "%41" -> "A"; anything else as it is.
std::string percent_decoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned value = 0;
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) != 0 &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2])) != 0) {
      std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
      out += static_cast<char>(value);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// Every password `url` may hold, as written and percent-decoded: what scrub() removes.
std::vector<std::string> secrets(std::string_view url) {
  std::vector<std::string> out;
  const auto add = [&](std::string_view secret) {
    if (secret.empty()) return;
    out.emplace_back(secret);
    out.push_back(percent_decoded(secret));
  };
  if (const auto [start, at] = userinfo(url); start != std::string_view::npos) {
    const std::size_t colon = url.find(':', start);
    if (colon < at) add(url.substr(colon + 1, at - colon - 1));
  }
  constexpr std::string_view kKey = "password=";
  if (url.starts_with(kSqlite)) return out;  // a path, which may say "password=" itself
  for (std::size_t at = url.find(kKey); at != std::string_view::npos; at = url.find(kKey, at + 1)) {
    const std::size_t start = at + kKey.size();
    add(url.substr(start, std::min(url.find_first_of(" &", start), url.size()) - start));
  }
  return out;
}

// `text` with every run of 4 or more characters that appears in one of `secrets` replaced
// by "***": libpq's messages may echo the connection string, or a piece of it. (A shorter
// secret would match ordinary words; the URL's own redaction covers it.)
std::string scrub(std::string_view text, const std::vector<std::string>& secrets) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t longest = 0;
    for (const std::string& secret : secrets) {
      for (std::size_t from = 0; from < secret.size(); ++from) {
        std::size_t n = 0;
        while (i + n < text.size() && from + n < secret.size() && text[i + n] == secret[from + n]) {
          ++n;
        }
        if (n >= 4) longest = std::max(longest, n);
      }
    }
    if (longest > 0) {
      out += "***";
      i += longest;
    } else {
      out += text[i++];
    }
  }
  return out;
}

}  // namespace

std::string redact_password(std::string_view url) {
  std::string out(url);
  // user:PASSWORD@ of any scheme:... URI (a mistyped scheme included); the password may
  // hold unescaped '@', '/' or '?', so it runs to the last '@'.
  if (const auto [start, at] = userinfo(url); start != std::string_view::npos) {
    const std::size_t colon = out.find(':', start);
    if (colon < at) out.replace(colon + 1, at - colon - 1, "***");
  }
  if (url.starts_with(kPostgresUri) || url.starts_with(kPostgresShortUri)) {
    const std::size_t query = out.find('?');
    if (query != std::string::npos) redact_parameters(out, query, '&');
  } else if (url.starts_with(kPostgresKeywords)) {
    redact_parameters(out, kPostgresKeywords.size(), ' ');
  }
  // Whatever a malformed URL leaves where the parsers above do not look.
  return scrub(out, secrets(url));
}

base::Status check_storage_url(std::string_view url) {
  if (url.starts_with(kSqlite)) {
    if (url.size() == kSqlite.size()) {
      return base::Status::invalid_argument(
          fmt::format("storage \"{}\": no database path; {}", redact_password(url), kForms));
    }
    return base::Status::ok();
  }
  if (url.starts_with(kPostgresUri) || url.starts_with(kPostgresShortUri)) {
    // A user or password with an unescaped '@', '/' or '?' would be split by libpq, and its
    // pieces shown as a host, port or database name: refused before libpq sees it.
    const auto [start, at] = userinfo(url);
    if (start != std::string_view::npos &&
        url.substr(start, at - start).find_first_of("@/?#[]") != std::string_view::npos) {
      return base::Status::invalid_argument(
          fmt::format("storage \"{}\": the user or password holds '@', '/', '?', '#', '[' or "
                      "']'; percent-encode them (%40, %2F, %3F, %23, %5B, %5D)",
                      redact_password(url)));
    }
    return base::Status::ok();
  }
  if (url.starts_with(kPostgresKeywords)) {
    // An empty keyword/value string would mean "all defaults" to libpq, but so does
    // "postgresql://", which says so; here it is more likely a typo.
    if (url.find('=') == std::string_view::npos) {
      return base::Status::invalid_argument(fmt::format(
          "storage \"{}\": no KEY=VALUE after \"postgresql:\"; {}", redact_password(url), kForms));
    }
    return base::Status::ok();
  }
  return base::Status::invalid_argument(
      fmt::format("storage \"{}\": unknown scheme; {}", redact_password(url), kForms));
}

base::Result<std::unique_ptr<Store>> open_store(std::string_view url, OpenMode mode) {
  QTUNE_RETURN_IF_ERROR(check_storage_url(url));
  const bool read_only = mode == OpenMode::kReadOnly;
  if (url.starts_with(kSqlite)) {
    // "sqlite:///abs" keeps the third slash as the root of the absolute path.
    const std::string path(url.substr(kSqlite.size()));
    const bool memory = path == ":memory:";  // nothing to read: an empty store
    QTUNE_ASSIGN_OR_RETURN(auto store, read_only && !memory
                                           ? sqlite::SqliteStore::open_read_only(path)
                                           : sqlite::SqliteStore::open(path));
    return std::unique_ptr<Store>(std::move(store));
  }
  // libpq reads both URI schemes itself; the keyword/value form follows "postgresql:".
  const bool uri = url.starts_with(kPostgresUri) || url.starts_with(kPostgresShortUri);
  const std::string conninfo(uri ? url : url.substr(kPostgresKeywords.size()));
  auto store = read_only ? postgres::PostgresStore::open_read_only(conninfo)
                         : postgres::PostgresStore::open(conninfo);
  if (!store.is_ok()) {
    // libpq's own messages may echo the connection string: none leaves with a password.
    return base::Status(store.status().code(), scrub(store.status().message(), secrets(url)));
  }
  return std::unique_ptr<Store>(std::move(*store));
}

}  // namespace qtune::store
