// The project's PostgreSQL server for tests: scripts/start-postgres with its own folder and
// port per build folder (QTUNE_PG_ROOT, QTUNE_PG_PORT), so release and ASan builds do not
// share one. ctest starts it as the qtune_postgres fixture and stops it after the last test
// that needs it; a test binary run by hand starts it here (once per process; the script is
// idempotent). The PostgreSQL tests fail when it cannot start, they never skip.
#pragma once

#include <string>

namespace qtune::testing {

// postgresql://qtune:qtune@127.0.0.1:PORT/qtune as the script prints it, or "" after an
// ADD_FAILURE with the script's output.
std::string postgres_url();

// A schema of its own in the test database, with the store's tables in it once a store
// opens url(); dropped with everything in it on scope exit. Tests that share the server
// do not see each other's studies.
class PostgresSchema {
 public:
  PostgresSchema();
  ~PostgresSchema();
  PostgresSchema(const PostgresSchema&) = delete;
  PostgresSchema& operator=(const PostgresSchema&) = delete;

  const std::string& name() const { return name_; }
  // postgres_url() with this schema as the search_path.
  std::string url() const;

 private:
  std::string name_;
};

// Runs one SQL statement (no parameters) on the test database as its owner; false after an
// ADD_FAILURE with the server's message.
bool postgres_exec(const std::string& sql);

}  // namespace qtune::testing
