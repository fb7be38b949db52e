#include "support/postgres_server.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <mutex>

#include "support/run_process.h"

namespace qtune::testing {

namespace {

struct FinishConnection {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct ClearResult {
  void operator()(PGresult* result) const { PQclear(result); }
};

}  // namespace

std::string postgres_url() {
  static std::once_flag once;
  static std::string url;
  std::call_once(once, [] {
    const ProcessResult started =
        run_process({(source_dir() / "scripts/start-postgres").string()}, {},
                    {"PG_ROOT=" QTUNE_PG_ROOT, "PG_PORT=" + std::to_string(QTUNE_PG_PORT)});
    // The script's own URL: a cluster made earlier keeps the port it was made with.
    constexpr std::string_view kExport = "export QTUNE_STORAGE=";
    const std::size_t at = started.out.rfind(kExport);
    if (started.exit_code != 0 || at == std::string::npos) {
      ADD_FAILURE() << "scripts/start-postgres failed (exit " << started.exit_code << "):\n"
                    << started.out << started.err;
      return;
    }
    url = started.out.substr(at + kExport.size());
    url = url.substr(0, url.find('\n'));
  });
  return url;
}

bool postgres_exec(const std::string& sql) {
  const std::string url = postgres_url();
  if (url.empty()) return false;
  std::unique_ptr<PGconn, FinishConnection> conn(PQconnectdb(url.c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    ADD_FAILURE() << "cannot connect to the test server " << url << ": "
                  << PQerrorMessage(conn.get());
    return false;
  }
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  std::unique_ptr<PGresult, ClearResult> result(PQexec(conn.get(), sql.c_str()));
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK &&
      PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
    ADD_FAILURE() << sql << ": " << PQerrorMessage(conn.get());
    return false;
  }
  return true;
}

PostgresSchema::PostgresSchema() {
  static std::atomic<int> counter{0};
  // Unique among concurrent test processes (pid) and within one (counter); unquoted-safe.
  name_ = "qtune_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  // A schema left by a killed test process whose pid came round again goes first.
  postgres_exec("DROP SCHEMA IF EXISTS " + name_ + " CASCADE; CREATE SCHEMA " + name_);
}

PostgresSchema::~PostgresSchema() { postgres_exec("DROP SCHEMA IF EXISTS " + name_ + " CASCADE"); }

std::string PostgresSchema::url() const {
  return postgres_url() + "?options=-csearch_path%3D" + name_;
}

}  // namespace qtune::testing
