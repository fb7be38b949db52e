#include "store/postgres/postgres_store.h"

#include <fmt/format.h>

#include "store/postgres/schema.h"
#include "store/record_encoding.h"

namespace qtune::store::postgres {

namespace {

constexpr std::string_view kTrialColumns =
    "id, study_id, number, state_id, params, trajectory, remeasure, state, value, failure_reason, "
    "log_tail, worker, created_at, started_at, finished_at, attempt, heartbeat_at, source, "
    "retries, components";
constexpr std::string_view kStudyColumns = "id, name, space, strategy, direction, seed, created_at";

base::Result<TrialRecord> read_trial(const Rows& rows, int r) {
  TrialRecord t;
  QTUNE_ASSIGN_OR_RETURN(t.id, rows.integer(r, 0));
  QTUNE_ASSIGN_OR_RETURN(t.study, rows.integer(r, 1));
  QTUNE_ASSIGN_OR_RETURN(t.number, rows.integer(r, 2));
  QTUNE_ASSIGN_OR_RETURN(const std::int64_t state_id, rows.integer(r, 3));
  t.state_id = from_sql(state_id);
  QTUNE_ASSIGN_OR_RETURN(t.params, params_from_json(std::string(rows.text(r, 4)), t.id));
  QTUNE_ASSIGN_OR_RETURN(const std::int64_t trajectory, rows.integer(r, 5));
  t.trajectory = static_cast<std::uint32_t>(trajectory);
  t.remeasure = rows.boolean(r, 6);
  QTUNE_ASSIGN_OR_RETURN(t.state, parse_trial_state(rows.text(r, 7)));
  QTUNE_ASSIGN_OR_RETURN(t.value, rows.optional_real(r, 8));
  QTUNE_ASSIGN_OR_RETURN(t.failure_reason, rows.bytes(r, 9));
  QTUNE_ASSIGN_OR_RETURN(t.log_tail, rows.bytes(r, 10));
  t.worker = rows.text(r, 11);
  QTUNE_ASSIGN_OR_RETURN(t.created_at, rows.real(r, 12));
  QTUNE_ASSIGN_OR_RETURN(t.started_at, rows.real(r, 13));
  QTUNE_ASSIGN_OR_RETURN(t.finished_at, rows.optional_real(r, 14));
  QTUNE_ASSIGN_OR_RETURN(t.attempt, rows.integer(r, 15));
  QTUNE_ASSIGN_OR_RETURN(t.heartbeat_at, rows.real(r, 16));
  t.source = rows.text(r, 17);
  QTUNE_ASSIGN_OR_RETURN(t.retries, rows.integer(r, 18));
  QTUNE_ASSIGN_OR_RETURN(t.components, components_from_json(std::string(rows.text(r, 19)), t.id));
  return t;
}

base::Result<StudyRecord> read_study(const Rows& rows, int r) {
  StudyRecord s;
  QTUNE_ASSIGN_OR_RETURN(s.id, rows.integer(r, 0));
  s.name = rows.text(r, 1);
  s.space = rows.text(r, 2);
  s.strategy = rows.text(r, 3);
  QTUNE_ASSIGN_OR_RETURN(s.direction, parse_direction(rows.text(r, 4)));
  QTUNE_ASSIGN_OR_RETURN(const std::int64_t seed, rows.integer(r, 5));
  s.seed = from_sql(seed);
  QTUNE_ASSIGN_OR_RETURN(s.created_at, rows.real(r, 6));
  return s;
}

base::Status no_trial(TrialId trial) {
  return base::Status::not_found(fmt::format("trial id {}: no such trial in this store", trial));
}

}  // namespace

template <typename Body>
auto PostgresStore::with_reconnect(Body&& body) const -> decltype(body()) {
  // A connection that broke in an earlier call gets its attempt now.
  if (conn_.lost()) QTUNE_RETURN_IF_ERROR(reconnect());
  auto result = body();
  if (result.is_ok() || !conn_.lost()) return result;
  QTUNE_RETURN_IF_ERROR(reconnect());
  return body();
}

template <typename Body>
auto PostgresStore::statement(Body&& body) const -> decltype(body()) {
  std::lock_guard lock(mutex_);
  return with_reconnect(std::forward<Body>(body));
}

template <typename Body>
auto PostgresStore::transaction(Body&& body) const -> decltype(body()) {
  std::lock_guard lock(mutex_);
  return in_transaction(std::forward<Body>(body));
}

template <typename Body>
auto PostgresStore::in_transaction(Body&& body) const -> decltype(body()) {
  bool commit_sent = false;
  auto attempt = [&]() -> decltype(body()) {
    QTUNE_RETURN_IF_ERROR(conn_.exec("BEGIN").status());
    auto result = body();
    if (!result.is_ok()) {
      if (!conn_.lost()) (void)conn_.exec("ROLLBACK");
      return result;
    }
    commit_sent = true;
    if (base::Status s = conn_.exec("COMMIT").status(); !s.is_ok()) {
      return s.code() == base::StatusCode::kUnavailable
                 ? base::Status::unavailable(s.message() +
                                             "; the transaction may or may not have been committed")
                 : s;
    }
    return result;
  };
  return with_reconnect([&]() -> decltype(body()) {
    // Run again only what the server has certainly rolled back.
    if (commit_sent)
      return base::Status::unavailable(
          fmt::format("{}: connection lost during COMMIT", conn_.where()));
    return attempt();
  });
}

base::Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const std::string& conninfo) {
  QTUNE_ASSIGN_OR_RETURN(Connection conn, Connection::open(conninfo));
  std::unique_ptr<PostgresStore> store(new PostgresStore(std::move(conn)));
  QTUNE_RETURN_IF_ERROR(store->migrate());
  return store;
}

base::Result<std::unique_ptr<PostgresStore>> PostgresStore::open_read_only(
    const std::string& conninfo) {
  QTUNE_ASSIGN_OR_RETURN(Connection conn, Connection::open(conninfo));
  std::unique_ptr<PostgresStore> store(new PostgresStore(std::move(conn)));
  store->read_only_ = true;
  QTUNE_RETURN_IF_ERROR(store->set_read_only());
  return store;
}

base::Status PostgresStore::set_read_only() const {
  return conn_.exec("SET SESSION default_transaction_read_only = on").status();
}

// A new session forgets SET SESSION: a read-only store sets it again.
base::Status PostgresStore::reconnect() const {
  QTUNE_RETURN_IF_ERROR(conn_.reconnect());
  return read_only_ ? set_read_only() : base::Status::ok();
}

int PostgresStore::backend_pid() const {
  std::lock_guard lock(mutex_);
  return conn_.backend_pid();
}

base::Status PostgresStore::migrate() {
  return transaction([&]() -> base::Status {
    QTUNE_RETURN_IF_ERROR(
        conn_.exec("SELECT pg_advisory_xact_lock($1)", {kSchemaLockKey}).status());
    QTUNE_RETURN_IF_ERROR(conn_.exec_script(std::string(kCreateVersionTable)));
    QTUNE_ASSIGN_OR_RETURN(
        const Rows version,
        conn_.exec("SELECT COALESCE(MAX(version), 0) FROM qtune_schema_version"));
    QTUNE_ASSIGN_OR_RETURN(const std::int64_t applied, version.integer(0, 0));
    if (applied > static_cast<std::int64_t>(kMigrations.size())) {
      return base::Status::corrupt(
          fmt::format("{}: store schema version {} is newer than this qtune knows ({}); "
                      "use a newer qtune",
                      conn_.where(), applied, kMigrations.size()));
    }
    for (auto m = static_cast<std::size_t>(applied); m < kMigrations.size(); ++m) {
      QTUNE_RETURN_IF_ERROR(conn_.exec_script(std::string(kMigrations[m])));
    }
    QTUNE_RETURN_IF_ERROR(conn_.exec("DELETE FROM qtune_schema_version").status());
    return conn_
        .exec("INSERT INTO qtune_schema_version (version) VALUES ($1)",
              {static_cast<std::int64_t>(kMigrations.size())})
        .status();
  });
}

base::Result<std::optional<StudyRecord>> PostgresStore::find_study(std::string_view name) const {
  return statement([&]() -> base::Result<std::optional<StudyRecord>> {
    QTUNE_ASSIGN_OR_RETURN(
        const Rows rows,
        conn_.exec(fmt::format("SELECT {} FROM studies WHERE name = $1", kStudyColumns), {name}));
    if (rows.size() == 0) return std::optional<StudyRecord>();
    QTUNE_ASSIGN_OR_RETURN(StudyRecord study, read_study(rows, 0));
    return std::optional<StudyRecord>(std::move(study));
  });
}

base::Result<StudyRecord> PostgresStore::create_study(const StudyRecord& study) {
  return transaction([&]() -> base::Result<StudyRecord> {
    QTUNE_ASSIGN_OR_RETURN(
        const Rows rows,
        conn_.exec(fmt::format("INSERT INTO studies (name, space, strategy, direction, seed, "
                               "created_at) VALUES ($1, $2, $3, $4, $5, {}) "
                               "ON CONFLICT (name) DO NOTHING RETURNING {}",
                               kNow, kStudyColumns),
                   {study.name, study.space, study.strategy, direction_name(study.direction),
                    to_sql(study.seed)}));
    if (rows.size() == 0) {
      return base::Status::already_exists(
          fmt::format("study \"{}\" exists already in this store", study.name));
    }
    return read_study(rows, 0);
  });
}

base::Status PostgresStore::check_snapshot_event_locked(StudyId study,
                                                        std::int64_t expected_event) const {
  QTUNE_ASSIGN_OR_RETURN(const Rows rows,
                         conn_.exec("SELECT event FROM snapshots WHERE study_id = $1", {study}));
  std::int64_t event = 0;
  if (rows.size() > 0) {
    QTUNE_ASSIGN_OR_RETURN(event, rows.integer(0, 0));
  }
  return event == expected_event ? base::Status::ok()
                                 : snapshot_moved(study, event, expected_event);
}

base::Status PostgresStore::save_snapshot_locked(StudyId study, TrialId after_trial,
                                                 std::string_view bytes) const {
  return conn_
      .exec(
          "INSERT INTO snapshots (study_id, event, after_trial, bytes) VALUES ($1, 1, $2, $3) "
          "ON CONFLICT (study_id) DO UPDATE SET event = snapshots.event + 1, after_trial = "
          "EXCLUDED.after_trial, "
          "bytes = EXCLUDED.bytes",
          {study, after_trial, bytes})
      .status();
}

base::Result<TrialRecord> PostgresStore::create_trial(StudyId study, const NewTrial& trial,
                                                      std::string_view snapshot,
                                                      std::int64_t expected_event) {
  return transaction([&]() -> base::Result<TrialRecord> {
    // The study row lock orders concurrent creations: each sees the previous one's number.
    QTUNE_ASSIGN_OR_RETURN(const Rows locked,
                           conn_.exec("SELECT id FROM studies WHERE id = $1 FOR UPDATE", {study}));
    if (locked.size() == 0)
      return base::Status::not_found(
          fmt::format("study id {}: no such study in this store", study));
    QTUNE_RETURN_IF_ERROR(check_snapshot_event_locked(study, expected_event));
    // One clock reading for both times: a new trial started when it was created.
    QTUNE_ASSIGN_OR_RETURN(
        const Rows rows,
        conn_.exec(
            fmt::format(
                "INSERT INTO trials (study_id, number, state_id, params, trajectory, remeasure, "
                "state, worker, "
                "created_at, started_at, heartbeat_at) "
                "SELECT $1, COALESCE((SELECT MAX(number) + 1 FROM trials WHERE study_id = $1), 0), "
                "$2, $3, $4, $5, "
                "'RUNNING', $6, now.t, now.t, now.t FROM (SELECT {} AS t) AS now RETURNING {}",
                kNow, kTrialColumns),
            {study, to_sql(trial.state_id), params_to_json(trial.params),
             std::int64_t{trial.trajectory}, trial.remeasure, trial.worker}));
    QTUNE_ASSIGN_OR_RETURN(TrialRecord created, read_trial(rows, 0));
    QTUNE_RETURN_IF_ERROR(save_snapshot_locked(study, created.id, snapshot));
    return created;
  });
}

base::Result<std::vector<TrialRecord>> PostgresStore::import_trials(
    StudyId study, const std::vector<ImportedTrial>& trials, std::string_view snapshot,
    std::int64_t expected_event) {
  if (trials.empty()) return std::vector<TrialRecord>();
  return transaction([&]() -> base::Result<std::vector<TrialRecord>> {
    QTUNE_ASSIGN_OR_RETURN(const Rows locked,
                           conn_.exec("SELECT id FROM studies WHERE id = $1 FOR UPDATE", {study}));
    if (locked.size() == 0)
      return base::Status::not_found(
          fmt::format("study id {}: no such study in this store", study));
    QTUNE_RETURN_IF_ERROR(check_snapshot_event_locked(study, expected_event));
    std::vector<TrialRecord> created;
    for (const ImportedTrial& trial : trials) {
      QTUNE_ASSIGN_OR_RETURN(
          const Rows rows,
          conn_.exec(
              fmt::format(
                  "INSERT INTO trials (study_id, number, state_id, params, trajectory, remeasure, "
                  "state, value, worker, created_at, started_at, finished_at, heartbeat_at, "
                  "source) "
                  "SELECT $1, COALESCE((SELECT MAX(number) + 1 FROM trials WHERE study_id = $1), "
                  "0), $2, $3, 0, false, 'COMPLETE', $4, 'import', now.t, now.t, now.t, now.t, $5 "
                  "FROM (SELECT {} AS t) AS now RETURNING {}",
                  kNow, kTrialColumns),
              {study, to_sql(trial.state_id), params_to_json(trial.params), trial.value,
               trial.source}));
      QTUNE_ASSIGN_OR_RETURN(TrialRecord record, read_trial(rows, 0));
      created.push_back(std::move(record));
    }
    QTUNE_RETURN_IF_ERROR(save_snapshot_locked(study, created.back().id, snapshot));
    return created;
  });
}

base::Status PostgresStore::finish_trial(TrialId trial, const TrialResult& result,
                                         std::string_view snapshot, std::int64_t expected_event) {
  QTUNE_RETURN_IF_ERROR(check_finish(trial, result));
  return transaction([&]() -> base::Status {
    // Study row first, as in create_trial: snapshot events follow the order of the locks.
    QTUNE_ASSIGN_OR_RETURN(const Rows study,
                           conn_.exec("SELECT s.id FROM trials t JOIN studies s ON s.id = "
                                      "t.study_id WHERE t.id = $1 FOR UPDATE OF s",
                                      {trial}));
    if (study.size() == 0) return no_trial(trial);
    QTUNE_ASSIGN_OR_RETURN(const TrialRecord current, trial_locked(trial, true));
    if (current.state != TrialState::kRunning) return not_running(current, "finish");
    QTUNE_RETURN_IF_ERROR(check_snapshot_event_locked(current.study, expected_event));
    QTUNE_RETURN_IF_ERROR(
        conn_
            .exec(fmt::format("UPDATE trials SET state = $2, value = $3, failure_reason = $4, "
                              "log_tail = $5, finished_at = {}, components = $6 "
                              "WHERE id = $1",
                              kNow),
                  {trial, trial_state_name(result.state),
                   result.state != TrialState::kFailed ? result.value : std::nullopt,
                   result.failure_reason, result.log_tail, components_to_json(result.components)})
            .status());
    return save_snapshot_locked(current.study, trial, snapshot);
  });
}

base::Status PostgresStore::interrupt_trial(TrialId trial) {
  return transaction([&]() -> base::Status {
    QTUNE_ASSIGN_OR_RETURN(const TrialRecord current, trial_locked(trial, true));
    if (current.state != TrialState::kRunning) return not_running(current, "interrupt");
    return conn_.exec("UPDATE trials SET state = 'INTERRUPTED' WHERE id = $1", {trial}).status();
  });
}

base::Status PostgresStore::retry_trial(TrialId trial) {
  return transaction([&]() -> base::Status {
    QTUNE_ASSIGN_OR_RETURN(const TrialRecord current, trial_locked(trial, true));
    if (current.state != TrialState::kFailed) return not_failed(current);
    return conn_
        .exec(
            "UPDATE trials SET state = 'INTERRUPTED', retries = retries + 1, value = NULL, "
            "finished_at = NULL, log_tail = ''::bytea WHERE id = $1",
            {trial})
        .status();
  });
}

base::Status PostgresStore::set_started_at(TrialId trial, std::string_view worker,
                                           double started_at) {
  return transaction([&]() -> base::Status {
    QTUNE_ASSIGN_OR_RETURN(const Rows rows,
                           conn_.exec("UPDATE trials SET started_at = $3 WHERE id = $1 AND state = "
                                      "'RUNNING' AND worker = $2 RETURNING id",
                                      {trial, worker, started_at}));
    if (rows.size() == 1) return base::Status::ok();
    QTUNE_ASSIGN_OR_RETURN(const TrialRecord current, trial_locked(trial, false));
    if (current.state != TrialState::kRunning) return not_running(current, "set the start of");
    return heartbeat_from_other_worker(current, worker);
  });
}

base::Result<std::optional<TrialRecord>> PostgresStore::claim_trial(TrialId trial,
                                                                    std::string_view worker) {
  return transaction([&]() -> base::Result<std::optional<TrialRecord>> {
    // The row lock taken by UPDATE makes the state test a compare-and-set.
    QTUNE_ASSIGN_OR_RETURN(
        const Rows rows,
        conn_.exec(fmt::format("UPDATE trials SET state = 'RUNNING', worker = $2, started_at = "
                               "now.t, heartbeat_at = now.t, "
                               "attempt = attempt + 1 FROM (SELECT {} AS t) AS now "
                               "WHERE id = $1 AND state = 'INTERRUPTED' RETURNING {}",
                               kNow, kTrialColumns),
                   {trial, worker}));
    if (rows.size() == 0) {
      // An unknown id is an error; a trial in another state is a lost race.
      QTUNE_RETURN_IF_ERROR(trial_locked(trial, false).status());
      return std::optional<TrialRecord>();
    }
    QTUNE_RETURN_IF_ERROR(
        conn_.exec("DELETE FROM trial_progress WHERE trial_id = $1", {trial}).status());
    QTUNE_ASSIGN_OR_RETURN(TrialRecord claimed, read_trial(rows, 0));
    return std::optional<TrialRecord>(std::move(claimed));
  });
}

base::Status PostgresStore::heartbeat(TrialId trial, std::string_view worker) {
  return transaction([&]() -> base::Status {
    QTUNE_ASSIGN_OR_RETURN(
        const Rows rows,
        conn_.exec(fmt::format("UPDATE trials SET heartbeat_at = {} WHERE id = $1 AND state = "
                               "'RUNNING' AND worker = $2 RETURNING id",
                               kNow),
                   {trial, worker}));
    if (rows.size() == 1) return base::Status::ok();
    QTUNE_ASSIGN_OR_RETURN(const TrialRecord current, trial_locked(trial, false));
    if (current.state != TrialState::kRunning) return not_running(current, "send a heartbeat for");
    return heartbeat_from_other_worker(current, worker);
  });
}

base::Result<std::vector<TrialId>> PostgresStore::interrupt_stale(StudyId study,
                                                                  double older_than_seconds) {
  return transaction([&]() -> base::Result<std::vector<TrialId>> {
    QTUNE_ASSIGN_OR_RETURN(
        const Rows rows,
        conn_.exec(fmt::format("WITH stale AS (UPDATE trials SET state = 'INTERRUPTED' WHERE "
                               "study_id = $1 AND state = 'RUNNING' "
                               "AND heartbeat_at < {} - $2 RETURNING id, number) SELECT id FROM "
                               "stale ORDER BY number",
                               kNow),
                   {study, older_than_seconds}));
    std::vector<TrialId> stale;
    for (int r = 0; r < rows.size(); ++r) {
      QTUNE_ASSIGN_OR_RETURN(const TrialId id, rows.integer(r, 0));
      stale.push_back(id);
    }
    return stale;
  });
}

base::Result<TrialRecord> PostgresStore::trial_locked(TrialId trial, bool for_update) const {
  QTUNE_ASSIGN_OR_RETURN(const Rows rows,
                         conn_.exec(fmt::format("SELECT {} FROM trials WHERE id = $1{}",
                                                kTrialColumns, for_update ? " FOR UPDATE" : ""),
                                    {trial}));
  if (rows.size() == 0) return no_trial(trial);
  return read_trial(rows, 0);
}

base::Result<TrialRecord> PostgresStore::trial(TrialId trial) const {
  return statement([&] { return trial_locked(trial, false); });
}

base::Result<std::vector<TrialRecord>> PostgresStore::trials(
    StudyId study, std::optional<TrialState> state) const {
  return statement([&]() -> base::Result<std::vector<TrialRecord>> {
    QTUNE_ASSIGN_OR_RETURN(
        const Rows rows,
        conn_.exec(fmt::format("SELECT {} FROM trials WHERE study_id = $1 AND ($2::text IS NULL OR "
                               "state = $2::text) ORDER BY number",
                               kTrialColumns),
                   {study, state ? Arg(trial_state_name(*state)) : Arg::null()}));
    std::vector<TrialRecord> out;
    for (int r = 0; r < rows.size(); ++r) {
      QTUNE_ASSIGN_OR_RETURN(TrialRecord t, read_trial(rows, r));
      out.push_back(std::move(t));
    }
    return out;
  });
}

base::Status PostgresStore::worker_heartbeat(StudyId study, const WorkerRecord& worker) {
  return statement([&]() -> base::Status {
    return conn_
        .exec(fmt::format(
                  "INSERT INTO workers (study_id, worker, host, pid, slurm_job, started_at, "
                  "heartbeat_at) SELECT $1::bigint, $2::text, $3::text, $4::bigint, $5::text, "
                  "t.now, t.now FROM (SELECT {} AS now) AS t ON CONFLICT (study_id, worker) DO "
                  "UPDATE SET host = excluded.host, pid = excluded.pid, slurm_job = "
                  "excluded.slurm_job, heartbeat_at = excluded.heartbeat_at",
                  kNow),
              {study, worker.worker, worker.host, worker.pid, worker.slurm_job})
        .status();
  });
}

base::Status PostgresStore::remove_worker(StudyId study, std::string_view worker) {
  return statement([&]() -> base::Status {
    return conn_.exec("DELETE FROM workers WHERE study_id = $1 AND worker = $2", {study, worker})
        .status();
  });
}

base::Result<std::vector<WorkerRecord>> PostgresStore::workers(StudyId study) const {
  return statement([&]() -> base::Result<std::vector<WorkerRecord>> {
    QTUNE_ASSIGN_OR_RETURN(
        const Rows rows,
        conn_.exec("SELECT worker, host, pid, slurm_job, started_at, heartbeat_at FROM workers "
                   "WHERE study_id = $1 ORDER BY worker",
                   {study}));
    std::vector<WorkerRecord> out;
    for (int r = 0; r < rows.size(); ++r) {
      WorkerRecord w;
      w.worker = std::string(rows.text(r, 0));
      w.host = std::string(rows.text(r, 1));
      QTUNE_ASSIGN_OR_RETURN(w.pid, rows.integer(r, 2));
      w.slurm_job = std::string(rows.text(r, 3));
      QTUNE_ASSIGN_OR_RETURN(w.started_at, rows.real(r, 4));
      QTUNE_ASSIGN_OR_RETURN(w.heartbeat_at, rows.real(r, 5));
      out.push_back(std::move(w));
    }
    return out;
  });
}

base::Result<TrialCounts> PostgresStore::count_trials(StudyId study) const {
  return statement([&]() -> base::Result<TrialCounts> {
    QTUNE_ASSIGN_OR_RETURN(
        const Rows rows,
        conn_.exec("SELECT state, COUNT(*), COUNT(*) FILTER (WHERE source <> '') FROM trials "
                   "WHERE study_id = $1 GROUP BY state",
                   {study}));
    TrialCounts counts;
    for (int r = 0; r < rows.size(); ++r) {
      QTUNE_ASSIGN_OR_RETURN(const TrialState state, parse_trial_state(rows.text(r, 0)));
      QTUNE_ASSIGN_OR_RETURN(const std::int64_t n, rows.integer(r, 1));
      counts.of(state) = static_cast<std::size_t>(n);
      QTUNE_ASSIGN_OR_RETURN(const std::int64_t imported, rows.integer(r, 2));
      counts.imported += static_cast<std::size_t>(imported);
    }
    return counts;
  });
}

base::Status PostgresStore::add_progress(TrialId trial, const std::vector<ProgressPoint>& points) {
  if (points.empty()) return base::Status::ok();
  return transaction([&]() -> base::Status {
    QTUNE_ASSIGN_OR_RETURN(const TrialRecord current, trial_locked(trial, true));
    if (current.state != TrialState::kRunning) return not_running(current, "add progress to");
    QTUNE_ASSIGN_OR_RETURN(
        const Rows last,
        conn_.exec("SELECT MAX(step) FROM trial_progress WHERE trial_id = $1", {trial}));
    std::optional<std::int64_t> last_step;
    if (last.size() == 1 && !last.is_null(0, 0)) {
      QTUNE_ASSIGN_OR_RETURN(last_step, last.integer(0, 0));
    }
    QTUNE_RETURN_IF_ERROR(check_progress(trial, last_step, points));
    for (const ProgressPoint& p : points) {
      QTUNE_RETURN_IF_ERROR(
          conn_
              .exec("INSERT INTO trial_progress (trial_id, step, value) VALUES ($1, $2, $3)",
                    {trial, p.step, p.value})
              .status());
    }
    return base::Status::ok();
  });
}

base::Result<std::vector<TrialProgress>> PostgresStore::progress(StudyId study) const {
  return statement([&]() -> base::Result<std::vector<TrialProgress>> {
    QTUNE_ASSIGN_OR_RETURN(const Rows rows,
                           conn_.exec("SELECT p.trial_id, p.step, p.value FROM trial_progress p "
                                      "JOIN trials t ON t.id = p.trial_id WHERE t.study_id = $1 "
                                      "ORDER BY t.number, p.step",
                                      {study}));
    std::vector<TrialProgress> out;
    for (int r = 0; r < rows.size(); ++r) {
      QTUNE_ASSIGN_OR_RETURN(const std::int64_t id, rows.integer(r, 0));
      QTUNE_ASSIGN_OR_RETURN(const std::int64_t step, rows.integer(r, 1));
      QTUNE_ASSIGN_OR_RETURN(const double value, rows.real(r, 2));
      if (out.empty() || out.back().trial != id) out.push_back({id, {}});
      out.back().points.push_back({step, value});
    }
    return out;
  });
}

base::Result<std::optional<Snapshot>> PostgresStore::snapshot(StudyId study) const {
  return statement([&]() -> base::Result<std::optional<Snapshot>> {
    QTUNE_ASSIGN_OR_RETURN(
        const Rows rows,
        conn_.exec("SELECT event, after_trial, bytes FROM snapshots WHERE study_id = $1", {study}));
    if (rows.size() == 0) return std::optional<Snapshot>();
    Snapshot s;
    QTUNE_ASSIGN_OR_RETURN(s.event, rows.integer(0, 0));
    QTUNE_ASSIGN_OR_RETURN(s.after_trial, rows.integer(0, 1));
    QTUNE_ASSIGN_OR_RETURN(s.bytes, rows.bytes(0, 2));
    return std::optional<Snapshot>(std::move(s));
  });
}

}  // namespace qtune::store::postgres
