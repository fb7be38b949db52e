// PostgresStore: the Store on a PostgreSQL server, shared by processes on several hosts.
// One connection guarded by a mutex. Every state change is one transaction; trial creation
// locks the study row (SELECT ... FOR UPDATE), so concurrent workers get consecutive numbers
// and snapshot events in order; writes that save a snapshot check its event under that lock.
// Writes always run in an explicit transaction, reads as single statements. A connection
// lost before COMMIT is reconnected once and the transaction run again (the server rolled
// the first try back); lost during COMMIT, the outcome is unknown: kUnavailable.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "qtune/store/store.h"
#include "store/postgres/connection.h"

namespace qtune::store::postgres {

class PostgresStore final : public Store {
 public:
  // `conninfo`: see Connection::open. Creates or migrates the schema (schema.h).
  static base::Result<std::unique_ptr<PostgresStore>> open(const std::string& conninfo);
  // For reading only: no schema is created or migrated, and the session is read-only
  // (default_transaction_read_only), so every write fails on the server.
  static base::Result<std::unique_ptr<PostgresStore>> open_read_only(const std::string& conninfo);

  base::Result<std::optional<StudyRecord>> find_study(std::string_view name) const override;
  base::Result<StudyRecord> create_study(const StudyRecord& study) override;
  base::Result<TrialRecord> create_trial(StudyId study, const NewTrial& trial,
                                         std::string_view snapshot,
                                         std::int64_t expected_event) override;
  base::Status finish_trial(TrialId trial, const TrialResult& result, std::string_view snapshot,
                            std::int64_t expected_event) override;
  base::Result<std::vector<TrialRecord>> import_trials(StudyId study,
                                                       const std::vector<ImportedTrial>& trials,
                                                       std::string_view snapshot,
                                                       std::int64_t expected_event) override;
  base::Status interrupt_trial(TrialId trial) override;
  base::Status retry_trial(TrialId trial) override;
  base::Status set_started_at(TrialId trial, std::string_view worker, double started_at) override;
  base::Result<std::optional<TrialRecord>> claim_trial(TrialId trial,
                                                       std::string_view worker) override;
  base::Status heartbeat(TrialId trial, std::string_view worker) override;
  base::Result<std::vector<TrialId>> interrupt_stale(StudyId study,
                                                     double older_than_seconds) override;
  base::Status worker_heartbeat(StudyId study, const WorkerRecord& worker) override;
  base::Status remove_worker(StudyId study, std::string_view worker) override;
  base::Result<std::vector<WorkerRecord>> workers(StudyId study) const override;
  base::Result<TrialRecord> trial(TrialId trial) const override;
  base::Result<std::vector<TrialRecord>> trials(StudyId study,
                                                std::optional<TrialState> state) const override;
  base::Result<TrialCounts> count_trials(StudyId study) const override;
  base::Status add_progress(TrialId trial, const std::vector<ProgressPoint>& points) override;
  base::Result<std::vector<TrialProgress>> progress(StudyId study) const override;
  base::Result<std::optional<Snapshot>> snapshot(StudyId study) const override;

  // The server process of this store's connection (tests end it to check the reconnect).
  int backend_pid() const;

 private:
  explicit PostgresStore(Connection conn) : conn_(std::move(conn)) {}
  base::Status set_read_only() const;
  // conn_.reconnect(), then the session's read-only setting again.
  base::Status reconnect() const;
  base::Status migrate();

  // statement(body) / transaction(body): with_reconnect / in_transaction holding mutex_, the
  // shape of every public call.
  template <typename Body>
  auto statement(Body&& body) const -> decltype(body());
  template <typename Body>
  auto transaction(Body&& body) const -> decltype(body());
  // Callers hold mutex_. Runs `body` (returning Status or Result) as one statement or one
  // transaction, with the one reconnect attempt described above.
  template <typename Body>
  auto with_reconnect(Body&& body) const -> decltype(body());
  template <typename Body>
  auto in_transaction(Body&& body) const -> decltype(body());
  base::Result<TrialRecord> trial_locked(TrialId trial, bool for_update) const;
  // kConflict unless the study's latest snapshot is at `expected_event` (0: none yet).
  base::Status check_snapshot_event_locked(StudyId study, std::int64_t expected_event) const;
  base::Status save_snapshot_locked(StudyId study, TrialId after_trial,
                                    std::string_view bytes) const;

  mutable std::mutex mutex_;
  mutable Connection conn_;  // guarded by mutex_; reconnecting is not a logical change
  bool read_only_ = false;   // every session of this store is read-only (open_read_only)
};

}  // namespace qtune::store::postgres
