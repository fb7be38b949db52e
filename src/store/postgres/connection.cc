#include "store/postgres/connection.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>

namespace qtune::store::postgres {

namespace {

// libpq's messages end with a newline and may span lines; one line reads better in ours.
std::string one_line(std::string_view text) {
  std::string out(text.substr(std::min(text.size(), text.find_first_not_of(" \n"))));
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  for (char& c : out) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  return out;
}

std::string describe(PGconn* conn) {
  const char* host = PQhost(conn);
  const char* port = PQport(conn);
  const char* db = PQdb(conn);
  return fmt::format("PostgreSQL at host {} port {}, database \"{}\"",
                     host != nullptr && *host ? host : "(default)",
                     port != nullptr && *port ? port : "(default)", db != nullptr ? db : "");
}

// Notices ("relation already exists, skipping") are not for qtune's users.
void ignore_notice(void* /*arg*/, const char* /*message*/) {}

}  // namespace

Arg::Arg(double v) {
  // Shortest text that reads back as the same double; PostgreSQL spells the specials.
  if (std::isnan(v)) {
    value_ = "NaN";
  } else if (std::isinf(v)) {
    value_ = v > 0 ? "Infinity" : "-Infinity";
  } else {
    value_ = fmt::format("{}", v);
  }
}

Arg::Arg(std::optional<double> v) : Arg(v.value_or(0.0)) { null_ = !v.has_value(); }

std::string_view Rows::text(int row, int col) const {
  return {PQgetvalue(result_.get(), row, col),
          static_cast<std::size_t>(PQgetlength(result_.get(), row, col))};
}

base::Status Rows::bad_column(int col, std::string_view expected) const {
  return base::Status::corrupt(fmt::format("postgresql: column \"{}\" holds \"{}\"; expected {}",
                                           PQfname(result_.get(), col), text(0, col), expected));
}

base::Result<std::int64_t> Rows::integer(int row, int col) const {
  const std::string_view s = text(row, col);
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return bad_column(col, "an integer");
  return v;
}

base::Result<double> Rows::real(int row, int col) const {
  const std::string_view s = text(row, col);
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (s == "Infinity") return std::numeric_limits<double>::infinity();
  if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return bad_column(col, "a number");
  return v;
}

base::Result<std::optional<double>> Rows::optional_real(int row, int col) const {
  if (is_null(row, col)) return std::optional<double>();
  QTUNE_ASSIGN_OR_RETURN(const double v, real(row, col));
  return std::optional<double>(v);
}

base::Result<std::string> Rows::bytes(int row, int col) const {
  std::size_t size = 0;
  unsigned char* decoded = PQunescapeBytea(
      reinterpret_cast<const unsigned char*>(PQgetvalue(result_.get(), row, col)), &size);
  if (decoded == nullptr) return bad_column(col, "bytea");
  std::string out(reinterpret_cast<const char*>(decoded), size);
  PQfreemem(decoded);
  return out;
}

base::Result<Connection> Connection::open(const std::string& conninfo) {
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &parse_error);
  if (parsed == nullptr) {
    const std::string message = one_line(parse_error == nullptr ? "out of memory" : parse_error);
    PQfreemem(parse_error);
    return base::Status::invalid_argument(
        fmt::format("postgresql storage: {}; use postgresql://user:password@host:port/database or "
                    "postgresql:KEY=VALUE ...",
                    message));
  }
  PQconninfoFree(parsed);
  // Entries before "dbname" (which libpq expands as the whole conninfo) are defaults that
  // conninfo may override: a bounded wait for a server that does not answer, UTF-8 text.
  const std::array<const char*, 5> keys = {"connect_timeout", "client_encoding",
                                           "fallback_application_name", "dbname", nullptr};
  const std::array<const char*, 5> values = {"10", "UTF8", "qtune", conninfo.c_str(), nullptr};
  std::unique_ptr<PGconn, FinishConnection> conn(PQconnectdbParams(keys.data(), values.data(), 1));
  if (conn == nullptr)
    return base::Status::internal("postgresql: libpq could not allocate a connection");
  std::string where = describe(conn.get());
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return base::Status::unavailable(
        fmt::format("{}: cannot connect: {}; is the server running there, and are the "
                    "host, port, user, password and database right?",
                    where, one_line(PQerrorMessage(conn.get()))));
  }
  PQsetNoticeProcessor(conn.get(), ignore_notice, nullptr);
  return Connection(std::move(conn), std::move(where));
}

base::Status Connection::reconnect() {
  PQreset(conn_.get());
  if (PQstatus(conn_.get()) != CONNECTION_OK) {
    return base::Status::unavailable(
        fmt::format("{}: lost the connection and could not reconnect: {}", where_,
                    one_line(PQerrorMessage(conn_.get()))));
  }
  PQsetNoticeProcessor(conn_.get(), ignore_notice, nullptr);
  return base::Status::ok();
}

base::Result<Rows> Connection::exec(const std::string& sql, const std::vector<Arg>& args) const {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  for (const Arg& a : args) {
    values.push_back(a.data());
    lengths.push_back(a.size());
    formats.push_back(a.format());
  }
  Rows rows(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(args.size()), nullptr,
                         values.data(), lengths.data(), formats.data(), 0));
  QTUNE_RETURN_IF_ERROR(check(rows.result_.get(), sql));
  return rows;
}

base::Status Connection::exec_script(const std::string& sql) const {
  const std::unique_ptr<PGresult, ClearResult> result(PQexec(conn_.get(), sql.c_str()));
  return check(result.get(), sql);
}

base::Status Connection::check(const PGresult* result, std::string_view sql) const {
  const ExecStatusType status = PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return base::Status::ok();
  if (lost()) {
    return base::Status::unavailable(
        fmt::format("{}: connection lost: {}", where_, one_line(PQerrorMessage(conn_.get()))));
  }
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const std::string_view sqlstate = state == nullptr ? "" : state;
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  std::string message =
      fmt::format("{}: {} (SQLSTATE {}) in \"{}\"", where_,
                  one_line(primary == nullptr ? PQerrorMessage(conn_.get()) : primary), sqlstate,
                  one_line(sql).substr(0, 60));
  // Class 22: a value the column cannot hold (text that is not UTF-8, a NUL byte).
  if (sqlstate.starts_with("22")) return base::Status::invalid_argument(std::move(message));
  // Class 40: serialization failure or deadlock, a race lost.
  if (sqlstate.starts_with("40")) return base::Status::conflict(std::move(message));
  return base::Status::io_error(std::move(message));
}

}  // namespace qtune::store::postgres
