#include "store/sqlite/sqlite_store.h"

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "store/record_encoding.h"
#include "store/sqlite/schema.h"

namespace qtune::store::sqlite {

namespace {

constexpr std::string_view kTrialColumns =
    "id, study_id, number, state_id, params, trajectory, remeasure, state, value, failure_reason, "
    "log_tail, worker, created_at, started_at, finished_at, attempt, COALESCE(heartbeat_at, "
    "started_at), source, retries, components";

base::Result<TrialRecord> read_trial(const Statement& row) {
  TrialRecord t;
  t.id = row.column_int(0);
  t.study = row.column_int(1);
  t.number = row.column_int(2);
  t.state_id = from_sql(row.column_int(3));
  QTUNE_ASSIGN_OR_RETURN(t.params, params_from_json(row.column_text(4), t.id));
  t.trajectory = static_cast<std::uint32_t>(row.column_int(5));
  t.remeasure = row.column_int(6) != 0;
  QTUNE_ASSIGN_OR_RETURN(t.state, parse_trial_state(row.column_text(7)));
  t.value = row.column_optional_double(8);
  t.failure_reason = row.column_text(9);
  t.log_tail = row.column_text(10);
  t.worker = row.column_text(11);
  t.created_at = row.column_double(12);
  t.started_at = row.column_double(13);
  t.finished_at = row.column_optional_double(14);
  t.attempt = row.column_int(15);
  t.heartbeat_at = row.column_double(16);
  t.source = row.column_text(17);
  t.retries = row.column_int(18);
  QTUNE_ASSIGN_OR_RETURN(t.components, components_from_json(row.column_text(19), t.id));
  return t;
}

base::Result<StudyRecord> read_study(const Statement& row) {
  StudyRecord s;
  s.id = row.column_int(0);
  s.name = row.column_text(1);
  s.space = row.column_text(2);
  s.strategy = row.column_text(3);
  QTUNE_ASSIGN_OR_RETURN(s.direction, parse_direction(row.column_text(4)));
  s.seed = from_sql(row.column_int(5));
  s.created_at = row.column_double(6);
  return s;
}

// Turning a new file to WAL takes its exclusive lock. SQLite answers a connection that holds
// a shared lock while another waits for the exclusive one "busy" at once, without calling the
// busy handler (waiting could deadlock): a worker array opening one new file at the same
// moment meets this. The switch is retried for the busy timeout.
base::Status use_wal(const Database& db) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  for (;;) {
    base::Status status = db.exec("PRAGMA journal_mode = WAL");
    if (status.code() != base::StatusCode::kUnavailable ||
        std::chrono::steady_clock::now() >= deadline) {
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

base::Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path) {
  QTUNE_ASSIGN_OR_RETURN(Database db, Database::open(path));
  QTUNE_RETURN_IF_ERROR(db.exec(fmt::format("PRAGMA busy_timeout = {}", kBusyTimeoutMs)));
  // WAL lets readers (qtune status) work while a run writes; :memory: keeps its own mode.
  QTUNE_RETURN_IF_ERROR(use_wal(db));
  // NORMAL is durable across process kills in WAL mode (only a power loss may drop the
  // last commits); FULL would fsync every trial event for no gain in that case.
  QTUNE_RETURN_IF_ERROR(db.exec("PRAGMA synchronous = NORMAL"));
  QTUNE_RETURN_IF_ERROR(db.exec("PRAGMA foreign_keys = ON"));
  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(db)));
  QTUNE_RETURN_IF_ERROR(store->migrate());
  return store;
}

base::Result<std::unique_ptr<SqliteStore>> SqliteStore::open_read_only(const std::string& path) {
  QTUNE_ASSIGN_OR_RETURN(Database db, Database::open_read_only(path));
  QTUNE_RETURN_IF_ERROR(db.exec(fmt::format("PRAGMA busy_timeout = {}", kBusyTimeoutMs)));
  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(db)));
  QTUNE_RETURN_IF_ERROR(store->check_version());
  return store;
}

namespace {

// The migrations applied to the file (PRAGMA user_version); kCorrupt when a newer qtune made
// more than this one knows.
base::Result<std::size_t> applied_migrations(const Database& db) {
  QTUNE_ASSIGN_OR_RETURN(Statement version, db.prepare("PRAGMA user_version"));
  QTUNE_ASSIGN_OR_RETURN(const bool has_row, version.step());
  QTUNE_CHECK(has_row);
  const auto applied = static_cast<std::size_t>(version.column_int(0));
  if (applied > kMigrations.size()) {
    return base::Status::corrupt(
        fmt::format("store schema version {} is newer than this qtune knows ({}); "
                    "use a newer qtune",
                    applied, kMigrations.size()));
  }
  return applied;
}

}  // namespace

base::Status SqliteStore::check_version() const {
  std::lock_guard lock(mutex_);
  QTUNE_ASSIGN_OR_RETURN(const std::size_t applied, applied_migrations(db_));
  if (applied == 0) {
    return base::Status::not_found(
        "the store holds no study yet (no qtune tables); run it first with qtune run");
  }
  if (applied < kMigrations.size()) {
    return base::Status::invalid_argument(
        fmt::format("store schema version {} is older than this qtune's ({}), and a reader does "
                    "not upgrade it; run the study once with qtune run, which does",
                    applied, kMigrations.size()));
  }
  return base::Status::ok();
}

base::Status SqliteStore::migrate() {
  std::lock_guard lock(mutex_);
  // A migration may rebuild a table that others reference (6: trials); SQLite checks foreign
  // keys on DROP TABLE, and the pragma has no effect inside a transaction.
  QTUNE_RETURN_IF_ERROR(db_.exec("PRAGMA foreign_keys = OFF"));
  const base::Status migrated = [&]() -> base::Status {
    QTUNE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db_));
    QTUNE_ASSIGN_OR_RETURN(const std::size_t applied, applied_migrations(db_));
    for (std::size_t m = applied; m < kMigrations.size(); ++m) {
      QTUNE_RETURN_IF_ERROR(db_.exec(kMigrations[m]));
    }
    QTUNE_RETURN_IF_ERROR(db_.exec(fmt::format("PRAGMA user_version = {}", kMigrations.size())));
    return tx.commit();
  }();
  QTUNE_RETURN_IF_ERROR(db_.exec("PRAGMA foreign_keys = ON"));
  return migrated;
}

base::Result<std::optional<StudyRecord>> SqliteStore::find_study(std::string_view name) const {
  std::lock_guard lock(mutex_);
  QTUNE_ASSIGN_OR_RETURN(Statement q, db_.prepare("SELECT id, name, space, strategy, direction, "
                                                  "seed, created_at FROM studies WHERE name = ?1"));
  q.bind(1, name);
  QTUNE_ASSIGN_OR_RETURN(const bool found, q.step());
  if (!found) return std::optional<StudyRecord>();
  QTUNE_ASSIGN_OR_RETURN(StudyRecord study, read_study(q));
  return std::optional<StudyRecord>(std::move(study));
}

base::Result<StudyRecord> SqliteStore::create_study(const StudyRecord& study) {
  {
    std::lock_guard lock(mutex_);
    QTUNE_ASSIGN_OR_RETURN(
        Statement q, db_.prepare(fmt::format(
                         "INSERT INTO studies (name, space, strategy, direction, seed, created_at) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, {}) ON CONFLICT (name) DO NOTHING",
                         kNow)));
    q.bind(1, study.name)
        .bind(2, study.space)
        .bind(3, study.strategy)
        .bind(4, direction_name(study.direction))
        .bind(5, to_sql(study.seed));
    QTUNE_RETURN_IF_ERROR(q.run());
    if (db_.changes() == 0) {
      return base::Status::already_exists(
          fmt::format("study \"{}\" exists already in this store", study.name));
    }
  }
  QTUNE_ASSIGN_OR_RETURN(auto created, find_study(study.name));
  QTUNE_CHECK(created.has_value());
  return *std::move(created);
}

base::Status SqliteStore::check_snapshot_event_locked(StudyId study,
                                                      std::int64_t expected_event) const {
  QTUNE_ASSIGN_OR_RETURN(Statement q,
                         db_.prepare("SELECT event FROM snapshots WHERE study_id = ?1"));
  q.bind(1, study);
  QTUNE_ASSIGN_OR_RETURN(const bool found, q.step());
  const std::int64_t event = found ? q.column_int(0) : 0;
  return event == expected_event ? base::Status::ok()
                                 : snapshot_moved(study, event, expected_event);
}

base::Status SqliteStore::save_snapshot_locked(StudyId study, TrialId after_trial,
                                               std::string_view bytes) {
  QTUNE_ASSIGN_OR_RETURN(
      Statement q,
      db_.prepare(
          "INSERT INTO snapshots (study_id, event, after_trial, bytes) VALUES (?1, 1, ?2, ?3) "
          "ON CONFLICT (study_id) DO UPDATE SET event = event + 1, after_trial = "
          "excluded.after_trial, "
          "bytes = excluded.bytes"));
  q.bind(1, study).bind(2, after_trial).bind_blob(3, bytes);
  return q.run();
}

base::Result<TrialRecord> SqliteStore::create_trial(StudyId study, const NewTrial& trial,
                                                    std::string_view snapshot,
                                                    std::int64_t expected_event) {
  std::lock_guard lock(mutex_);
  QTUNE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db_));
  QTUNE_RETURN_IF_ERROR(check_snapshot_event_locked(study, expected_event));
  QTUNE_ASSIGN_OR_RETURN(
      Statement q,
      db_.prepare(fmt::format(
          "INSERT INTO trials (study_id, number, state_id, params, trajectory, remeasure, state, "
          "worker, "
          "created_at, started_at, heartbeat_at) "
          "SELECT ?1, COALESCE(MAX(number) + 1, 0), ?2, ?3, ?4, ?5, 'RUNNING', ?6, {0}, {0}, {0} "
          "FROM trials WHERE study_id = ?1",
          kNow)));
  q.bind(1, study)
      .bind(2, to_sql(trial.state_id))
      .bind(3, params_to_json(trial.params))
      .bind(4, std::int64_t{trial.trajectory})
      .bind(5, std::int64_t{trial.remeasure ? 1 : 0})
      .bind(6, trial.worker);
  if (base::Status s = q.run(); !s.is_ok()) {
    return s.code() == base::StatusCode::kConflict
               ? base::Status::not_found(
                     fmt::format("study id {}: no such study in this store", study))
               : s;
  }
  const TrialId id = db_.last_insert_id();
  QTUNE_RETURN_IF_ERROR(save_snapshot_locked(study, id, snapshot));
  QTUNE_ASSIGN_OR_RETURN(TrialRecord created, trial_locked(id));
  QTUNE_RETURN_IF_ERROR(tx.commit());
  return created;
}

base::Status SqliteStore::finish_trial(TrialId trial, const TrialResult& result,
                                       std::string_view snapshot, std::int64_t expected_event) {
  QTUNE_RETURN_IF_ERROR(check_finish(trial, result));
  std::lock_guard lock(mutex_);
  QTUNE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db_));
  QTUNE_ASSIGN_OR_RETURN(const TrialRecord current, trial_locked(trial));
  if (current.state != TrialState::kRunning) return not_running(current, "finish");
  QTUNE_RETURN_IF_ERROR(check_snapshot_event_locked(current.study, expected_event));
  QTUNE_ASSIGN_OR_RETURN(
      Statement q, db_.prepare(fmt::format("UPDATE trials SET state = ?2, value = ?3, "
                                           "failure_reason = ?4, log_tail = ?5, finished_at = {}, "
                                           "components = ?6 "
                                           "WHERE id = ?1 AND state = 'RUNNING'",
                                           kNow)));
  q.bind(1, trial)
      .bind(2, trial_state_name(result.state))
      .bind(3, result.state != TrialState::kFailed ? result.value : std::nullopt)
      .bind(4, result.failure_reason)
      .bind(5, result.log_tail)
      .bind(6, components_to_json(result.components));
  QTUNE_RETURN_IF_ERROR(q.run());
  QTUNE_RETURN_IF_ERROR(save_snapshot_locked(current.study, trial, snapshot));
  return tx.commit();
}

base::Result<std::vector<TrialRecord>> SqliteStore::import_trials(
    StudyId study, const std::vector<ImportedTrial>& trials, std::string_view snapshot,
    std::int64_t expected_event) {
  std::vector<TrialRecord> created;
  if (trials.empty()) return created;
  std::lock_guard lock(mutex_);
  QTUNE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db_));
  QTUNE_RETURN_IF_ERROR(check_snapshot_event_locked(study, expected_event));
  TrialId last = 0;
  for (const ImportedTrial& trial : trials) {
    QTUNE_ASSIGN_OR_RETURN(
        Statement q,
        db_.prepare(fmt::format(
            "INSERT INTO trials (study_id, number, state_id, params, trajectory, remeasure, state, "
            "value, worker, created_at, started_at, finished_at, heartbeat_at, source) "
            "SELECT ?1, COALESCE(MAX(number) + 1, 0), ?2, ?3, 0, 0, 'COMPLETE', ?4, 'import', "
            "{0}, {0}, {0}, {0}, ?5 FROM trials WHERE study_id = ?1",
            kNow)));
    q.bind(1, study)
        .bind(2, to_sql(trial.state_id))
        .bind(3, params_to_json(trial.params))
        .bind(4, std::optional<double>(trial.value))
        .bind(5, trial.source);
    if (base::Status s = q.run(); !s.is_ok()) {
      return s.code() == base::StatusCode::kConflict
                 ? base::Status::not_found(
                       fmt::format("study id {}: no such study in this store", study))
                 : s;
    }
    last = db_.last_insert_id();
    QTUNE_ASSIGN_OR_RETURN(TrialRecord record, trial_locked(last));
    created.push_back(std::move(record));
  }
  QTUNE_RETURN_IF_ERROR(save_snapshot_locked(study, last, snapshot));
  QTUNE_RETURN_IF_ERROR(tx.commit());
  return created;
}

base::Status SqliteStore::interrupt_trial(TrialId trial) {
  std::lock_guard lock(mutex_);
  QTUNE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db_));
  QTUNE_ASSIGN_OR_RETURN(const TrialRecord current, trial_locked(trial));
  if (current.state != TrialState::kRunning) return not_running(current, "interrupt");
  QTUNE_ASSIGN_OR_RETURN(
      Statement q,
      db_.prepare("UPDATE trials SET state = 'INTERRUPTED' WHERE id = ?1 AND state = 'RUNNING'"));
  q.bind(1, trial);
  QTUNE_RETURN_IF_ERROR(q.run());
  return tx.commit();
}

base::Status SqliteStore::retry_trial(TrialId trial) {
  std::lock_guard lock(mutex_);
  QTUNE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db_));
  QTUNE_ASSIGN_OR_RETURN(const TrialRecord current, trial_locked(trial));
  if (current.state != TrialState::kFailed) return not_failed(current);
  QTUNE_ASSIGN_OR_RETURN(
      Statement q, db_.prepare("UPDATE trials SET state = 'INTERRUPTED', retries = retries + 1, "
                               "value = NULL, finished_at = NULL, log_tail = '' "
                               "WHERE id = ?1 AND state = 'FAILED'"));
  q.bind(1, trial);
  QTUNE_RETURN_IF_ERROR(q.run());
  return tx.commit();
}

base::Status SqliteStore::set_started_at(TrialId trial, std::string_view worker,
                                         double started_at) {
  std::lock_guard lock(mutex_);
  QTUNE_ASSIGN_OR_RETURN(Statement q,
                         db_.prepare("UPDATE trials SET started_at = ?3 WHERE id = ?1 AND state = "
                                     "'RUNNING' AND worker = ?2"));
  q.bind(1, trial).bind(2, worker).bind(3, started_at);
  QTUNE_RETURN_IF_ERROR(q.run());
  if (db_.changes() == 1) return base::Status::ok();
  QTUNE_ASSIGN_OR_RETURN(const TrialRecord current, trial_locked(trial));
  if (current.state != TrialState::kRunning) return not_running(current, "set the start of");
  return heartbeat_from_other_worker(current, worker);
}

base::Result<std::optional<TrialRecord>> SqliteStore::claim_trial(TrialId trial,
                                                                  std::string_view worker) {
  std::lock_guard lock(mutex_);
  QTUNE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db_));
  QTUNE_ASSIGN_OR_RETURN(
      Statement q,
      db_.prepare(fmt::format("UPDATE trials SET state = 'RUNNING', worker = ?2, started_at = {0}, "
                              "heartbeat_at = {0}, attempt = attempt + 1 "
                              "WHERE id = ?1 AND state = 'INTERRUPTED'",
                              kNow)));
  q.bind(1, trial).bind(2, worker);
  QTUNE_RETURN_IF_ERROR(q.run());
  if (db_.changes() == 0) {
    // An unknown id is an error; a trial in another state is a lost race.
    QTUNE_RETURN_IF_ERROR(trial_locked(trial).status());
    return std::optional<TrialRecord>();
  }
  QTUNE_ASSIGN_OR_RETURN(Statement drop,
                         db_.prepare("DELETE FROM trial_progress WHERE trial_id = ?1"));
  drop.bind(1, trial);
  QTUNE_RETURN_IF_ERROR(drop.run());
  QTUNE_ASSIGN_OR_RETURN(TrialRecord claimed, trial_locked(trial));
  QTUNE_RETURN_IF_ERROR(tx.commit());
  return std::optional<TrialRecord>(std::move(claimed));
}

base::Status SqliteStore::heartbeat(TrialId trial, std::string_view worker) {
  std::lock_guard lock(mutex_);
  QTUNE_ASSIGN_OR_RETURN(
      Statement q,
      db_.prepare(fmt::format(
          "UPDATE trials SET heartbeat_at = {} WHERE id = ?1 AND state = 'RUNNING' AND worker = ?2",
          kNow)));
  q.bind(1, trial).bind(2, worker);
  QTUNE_RETURN_IF_ERROR(q.run());
  if (db_.changes() == 1) return base::Status::ok();
  QTUNE_ASSIGN_OR_RETURN(const TrialRecord current, trial_locked(trial));
  if (current.state != TrialState::kRunning) return not_running(current, "send a heartbeat for");
  return heartbeat_from_other_worker(current, worker);
}

base::Result<std::vector<TrialId>> SqliteStore::interrupt_stale(StudyId study,
                                                                double older_than_seconds) {
  std::lock_guard lock(mutex_);
  QTUNE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db_));
  QTUNE_ASSIGN_OR_RETURN(
      Statement q,
      db_.prepare(fmt::format("SELECT id FROM trials WHERE study_id = ?1 AND state = 'RUNNING' "
                              "AND COALESCE(heartbeat_at, started_at) < {} - ?2 ORDER BY number",
                              kNow)));
  q.bind(1, study).bind(2, older_than_seconds);
  std::vector<TrialId> stale;
  while (true) {
    QTUNE_ASSIGN_OR_RETURN(const bool row, q.step());
    if (!row) break;
    stale.push_back(q.column_int(0));
  }
  for (const TrialId id : stale) {
    QTUNE_ASSIGN_OR_RETURN(Statement u,
                           db_.prepare("UPDATE trials SET state = 'INTERRUPTED' WHERE id = ?1"));
    u.bind(1, id);
    QTUNE_RETURN_IF_ERROR(u.run());
  }
  QTUNE_RETURN_IF_ERROR(tx.commit());
  return stale;
}

base::Result<TrialRecord> SqliteStore::trial_locked(TrialId trial) const {
  QTUNE_ASSIGN_OR_RETURN(
      Statement q, db_.prepare(fmt::format("SELECT {} FROM trials WHERE id = ?1", kTrialColumns)));
  q.bind(1, trial);
  QTUNE_ASSIGN_OR_RETURN(const bool found, q.step());
  if (!found)
    return base::Status::not_found(fmt::format("trial id {}: no such trial in this store", trial));
  return read_trial(q);
}

base::Status SqliteStore::worker_heartbeat(StudyId study, const WorkerRecord& worker) {
  std::lock_guard lock(mutex_);
  QTUNE_ASSIGN_OR_RETURN(
      Statement q,
      db_.prepare(fmt::format(
          "INSERT INTO workers (study_id, worker, host, pid, slurm_job, started_at, heartbeat_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, {0}, {0}) ON CONFLICT (study_id, worker) DO UPDATE SET "
          "host = excluded.host, pid = excluded.pid, slurm_job = excluded.slurm_job, "
          "heartbeat_at = excluded.heartbeat_at",
          kNow)));
  q.bind(1, study)
      .bind(2, worker.worker)
      .bind(3, worker.host)
      .bind(4, worker.pid)
      .bind(5, worker.slurm_job);
  return q.run();
}

base::Status SqliteStore::remove_worker(StudyId study, std::string_view worker) {
  std::lock_guard lock(mutex_);
  QTUNE_ASSIGN_OR_RETURN(Statement q,
                         db_.prepare("DELETE FROM workers WHERE study_id = ?1 AND worker = ?2"));
  q.bind(1, study).bind(2, worker);
  return q.run();
}

base::Result<std::vector<WorkerRecord>> SqliteStore::workers(StudyId study) const {
  std::lock_guard lock(mutex_);
  QTUNE_ASSIGN_OR_RETURN(
      Statement q, db_.prepare("SELECT worker, host, pid, slurm_job, started_at, heartbeat_at FROM "
                               "workers WHERE study_id = ?1 ORDER BY worker"));
  q.bind(1, study);
  std::vector<WorkerRecord> out;
  while (true) {
    QTUNE_ASSIGN_OR_RETURN(const bool row, q.step());
    if (!row) break;
    out.push_back({q.column_text(0), q.column_text(1), q.column_int(2), q.column_text(3),
                   q.column_double(4), q.column_double(5)});
  }
  return out;
}

base::Result<TrialRecord> SqliteStore::trial(TrialId trial) const {
  std::lock_guard lock(mutex_);
  return trial_locked(trial);
}

base::Result<std::vector<TrialRecord>> SqliteStore::trials(StudyId study,
                                                           std::optional<TrialState> state) const {
  std::lock_guard lock(mutex_);
  QTUNE_ASSIGN_OR_RETURN(Statement q,
                         db_.prepare(fmt::format("SELECT {} FROM trials WHERE study_id = ?1 AND "
                                                 "(?2 IS NULL OR state = ?2) ORDER BY number",
                                                 kTrialColumns)));
  q.bind(1, study);
  if (state) q.bind(2, trial_state_name(*state));
  std::vector<TrialRecord> out;
  while (true) {
    QTUNE_ASSIGN_OR_RETURN(const bool row, q.step());
    if (!row) break;
    QTUNE_ASSIGN_OR_RETURN(TrialRecord t, read_trial(q));
    out.push_back(std::move(t));
  }
  return out;
}

base::Result<TrialCounts> SqliteStore::count_trials(StudyId study) const {
  std::lock_guard lock(mutex_);
  QTUNE_ASSIGN_OR_RETURN(
      Statement q,
      db_.prepare("SELECT state, COUNT(*), SUM(source <> '') FROM trials WHERE study_id = ?1 "
                  "GROUP BY state"));
  q.bind(1, study);
  TrialCounts counts;
  while (true) {
    QTUNE_ASSIGN_OR_RETURN(const bool row, q.step());
    if (!row) break;
    QTUNE_ASSIGN_OR_RETURN(const TrialState state, parse_trial_state(q.column_text(0)));
    counts.of(state) = static_cast<std::size_t>(q.column_int(1));
    counts.imported += static_cast<std::size_t>(q.column_int(2));
  }
  return counts;
}

base::Status SqliteStore::add_progress(TrialId trial, const std::vector<ProgressPoint>& points) {
  if (points.empty()) return base::Status::ok();
  std::lock_guard lock(mutex_);
  QTUNE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db_));
  QTUNE_ASSIGN_OR_RETURN(const TrialRecord current, trial_locked(trial));
  if (current.state != TrialState::kRunning) return not_running(current, "add progress to");
  QTUNE_ASSIGN_OR_RETURN(Statement last,
                         db_.prepare("SELECT MAX(step) FROM trial_progress WHERE trial_id = ?1"));
  last.bind(1, trial);
  QTUNE_ASSIGN_OR_RETURN(const bool has_row, last.step());
  std::optional<std::int64_t> last_step;
  if (has_row && last.column_optional_double(0)) last_step = last.column_int(0);
  QTUNE_RETURN_IF_ERROR(check_progress(trial, last_step, points));
  for (const ProgressPoint& p : points) {
    QTUNE_ASSIGN_OR_RETURN(
        Statement q,
        db_.prepare("INSERT INTO trial_progress (trial_id, step, value) VALUES (?1, ?2, ?3)"));
    q.bind(1, trial).bind(2, p.step).bind(3, std::optional<double>(p.value));
    QTUNE_RETURN_IF_ERROR(q.run());
  }
  return tx.commit();
}

base::Result<std::vector<TrialProgress>> SqliteStore::progress(StudyId study) const {
  std::lock_guard lock(mutex_);
  QTUNE_ASSIGN_OR_RETURN(Statement q,
                         db_.prepare("SELECT p.trial_id, p.step, p.value FROM trial_progress p "
                                     "JOIN trials t ON t.id = p.trial_id WHERE t.study_id = ?1 "
                                     "ORDER BY t.number, p.step"));
  q.bind(1, study);
  std::vector<TrialProgress> out;
  while (true) {
    QTUNE_ASSIGN_OR_RETURN(const bool row, q.step());
    if (!row) break;
    const TrialId id = q.column_int(0);
    if (out.empty() || out.back().trial != id) out.push_back({id, {}});
    out.back().points.push_back({q.column_int(1), q.column_double(2)});
  }
  return out;
}

base::Result<std::optional<Snapshot>> SqliteStore::snapshot(StudyId study) const {
  std::lock_guard lock(mutex_);
  QTUNE_ASSIGN_OR_RETURN(
      Statement q,
      db_.prepare("SELECT event, after_trial, bytes FROM snapshots WHERE study_id = ?1"));
  q.bind(1, study);
  QTUNE_ASSIGN_OR_RETURN(const bool found, q.step());
  if (!found) return std::optional<Snapshot>();
  return std::optional<Snapshot>(Snapshot{q.column_int(0), q.column_int(1), q.column_blob(2)});
}

}  // namespace qtune::store::sqlite
