// Connection / Rows / Arg: thin RAII over libpq that runs parameterised statements
// (PQexecParams: values never become SQL text) and turns failures into Status values that
// name the server (host, port, database; never the password).
// Not thread-safe; PostgresStore serialises access.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/base/result.h"

namespace qtune::store::postgres {

struct FinishConnection {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct ClearResult {
  void operator()(PGresult* result) const { PQclear(result); }
};

// One statement parameter. Numbers go as text; strings and bytes go in binary format with
// their length, so they need no terminator and arrive byte for byte (text is still checked
// for valid UTF-8 by the server).
class Arg {
 public:
  Arg(std::int64_t v) : value_(std::to_string(v)) {}               // NOLINT: implicit by design
  Arg(double v);                                                   // NOLINT
  Arg(std::optional<double> v);                                    // NOLINT
  Arg(bool v) : value_(v ? "true" : "false") {}                    // NOLINT
  Arg(std::string_view bytes) : value_(bytes), binary_(true) {}    // NOLINT
  Arg(const std::string& bytes) : Arg(std::string_view(bytes)) {}  // NOLINT
  Arg(const char* text) : Arg(std::string_view(text)) {}           // NOLINT
  static Arg null() { return Arg(std::optional<double>()); }

  const char* data() const { return null_ ? nullptr : value_.c_str(); }
  int size() const { return static_cast<int>(value_.size()); }
  int format() const { return binary_ ? 1 : 0; }

 private:
  std::string value_;
  bool binary_ = false;
  bool null_ = false;
};

// The rows of a statement, in text format. Columns and rows are numbered from 0.
class Rows {
 public:
  int size() const { return PQntuples(result_.get()); }
  bool is_null(int row, int col) const { return PQgetisnull(result_.get(), row, col) != 0; }
  std::string_view text(int row, int col) const;
  // Parse errors are kCorrupt, naming the column.
  base::Result<std::int64_t> integer(int row, int col) const;
  base::Result<double> real(int row, int col) const;
  base::Result<std::optional<double>> optional_real(int row, int col) const;
  bool boolean(int row, int col) const { return text(row, col) == "t"; }
  // A bytea column, decoded.
  base::Result<std::string> bytes(int row, int col) const;

 private:
  friend class Connection;
  explicit Rows(PGresult* result) : result_(result) {}
  base::Status bad_column(int col, std::string_view expected) const;
  std::unique_ptr<PGresult, ClearResult> result_;
};

class Connection {
 public:
  // `conninfo`: a libpq URI (postgresql://...) or keyword/value string; what it leaves out
  // comes from libpq's environment (PGHOST, PGPORT, PGUSER, ~/.pgpass, ...).
  // kInvalidArgument when libpq cannot parse `conninfo`; kUnavailable when it holds a value
  // libpq refuses (a port that is not a number), or the server cannot be reached or
  // refuses the login.
  static base::Result<Connection> open(const std::string& conninfo);

  // Runs one statement with parameters $1, $2, ... = args. SQL errors are reported with
  // the server's message and SQLSTATE; a lost connection is kUnavailable and lost() is then
  // true.
  base::Result<Rows> exec(const std::string& sql, const std::vector<Arg>& args = {}) const;
  // Runs several statements with no parameters at all: fixed SQL such as the schema.
  base::Status exec_script(const std::string& sql) const;
  bool lost() const { return PQstatus(conn_.get()) == CONNECTION_BAD; }
  // One attempt to connect again with the same parameters.
  base::Status reconnect();
  // "PostgreSQL at host H port P, database D": for messages.
  const std::string& where() const { return where_; }
  // The server process serving this connection (pg_terminate_backend in tests).
  int backend_pid() const { return PQbackendPID(conn_.get()); }

 private:
  Connection(std::unique_ptr<PGconn, FinishConnection> conn, std::string where)
      : conn_(std::move(conn)), where_(std::move(where)) {}
  // The Status of `result`, which ran `sql`.
  base::Status check(const PGresult* result, std::string_view sql) const;
  std::unique_ptr<PGconn, FinishConnection> conn_;
  std::string where_;
};

}  // namespace qtune::store::postgres
