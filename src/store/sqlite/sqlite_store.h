// SqliteStore: the Store on one SQLite database (a file in WAL mode, or :memory:).
// One connection guarded by a mutex; other processes on the same file are coordinated by
// SQLite's locks (busy timeout kBusyTimeoutMs, write transactions BEGIN IMMEDIATE).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "qtune/store/store.h"
#include "store/sqlite/database.h"

namespace qtune::store::sqlite {

inline constexpr int kBusyTimeoutMs = 10'000;

class SqliteStore final : public Store {
 public:
  // `path` is a file name or ":memory:". Creates or migrates the schema (schema.h).
  static base::Result<std::unique_ptr<SqliteStore>> open(const std::string& path);
  // An existing file, for reading only (Database::open_read_only): the schema must be this
  // qtune's (kCorrupt for a newer one, kInvalidArgument for an older one: `qtune run`
  // upgrades it). Every write fails (SQLITE_READONLY).
  static base::Result<std::unique_ptr<SqliteStore>> open_read_only(const std::string& path);

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

 private:
  explicit SqliteStore(Database db) : db_(std::move(db)) {}
  base::Status migrate();
  // The schema of an existing store is this qtune's (open_read_only).
  base::Status check_version() const;
  // Callers hold mutex_.
  base::Result<TrialRecord> trial_locked(TrialId trial) const;
  // kConflict unless the study's latest snapshot is at `expected_event` (0: none yet).
  base::Status check_snapshot_event_locked(StudyId study, std::int64_t expected_event) const;
  base::Status save_snapshot_locked(StudyId study, TrialId after_trial, std::string_view bytes);

  mutable std::mutex mutex_;
  Database db_;  // guarded by mutex_
};

}  // namespace qtune::store::sqlite
