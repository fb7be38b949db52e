// The SQLite schema of a qtune store, defined in this one place.
//
// PRAGMA user_version counts the migrations applied; opening a store applies the missing
// ones in one transaction each, so a file written by an older qtune is upgraded in place
// and a file from a newer qtune (user_version > kMigrations.size()) is refused.
//
// Encodings:
// - 64-bit unsigned numbers (state ids, seeds) are stored as the signed 64-bit integer with
//   the same bits (SQLite integers are signed); ids above 2^63 read back as negative in the
//   sqlite3 shell.
// - params: a JSON array of [name, value-text] pairs, in dimension order.
// - components: a JSON array of {name, value, weight, maximize} objects (record_encoding.h).
// - times: seconds since the Unix epoch as REAL, from the database clock (kNow).
// - trial states and directions: their names (trial_state_name, direction_name).
// Finished trials are immutable, enforced by a trigger as well as by the code.
#pragma once

#include <array>
#include <string_view>

namespace qtune::store::sqlite {

// SQL expression for "now" on the database clock, in Unix seconds.
inline constexpr std::string_view kNow = "((julianday('now') - 2440587.5) * 86400.0)";

inline constexpr std::array<std::string_view, 8> kMigrations = {
    // 1: studies, trials, snapshots.
    R"sql(
CREATE TABLE studies (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  space      TEXT NOT NULL,
  strategy   TEXT NOT NULL,
  direction  TEXT NOT NULL CHECK (direction IN ('minimize', 'maximize')),
  seed       INTEGER NOT NULL,
  created_at REAL NOT NULL
);
CREATE TABLE trials (
  id             INTEGER PRIMARY KEY,
  study_id       INTEGER NOT NULL REFERENCES studies (id),
  number         INTEGER NOT NULL,
  state_id       INTEGER NOT NULL,
  params         TEXT NOT NULL,
  trajectory     INTEGER NOT NULL,
  remeasure      INTEGER NOT NULL CHECK (remeasure IN (0, 1)),
  state          TEXT NOT NULL CHECK (state IN ('RUNNING', 'COMPLETE', 'FAILED', 'INTERRUPTED')),
  value          REAL,
  failure_reason TEXT NOT NULL DEFAULT '',
  log_tail       TEXT NOT NULL DEFAULT '',
  worker         TEXT NOT NULL,
  created_at     REAL NOT NULL,
  started_at     REAL NOT NULL,
  finished_at    REAL,
  UNIQUE (study_id, number)
);
CREATE INDEX trials_by_state ON trials (study_id, state);
CREATE TRIGGER finished_trials_are_immutable BEFORE UPDATE ON trials
  WHEN OLD.state IN ('COMPLETE', 'FAILED')
BEGIN
  SELECT RAISE(ABORT, 'finished trials are immutable');
END;
CREATE TABLE snapshots (
  study_id    INTEGER PRIMARY KEY REFERENCES studies (id),
  event       INTEGER NOT NULL,
  after_trial INTEGER NOT NULL REFERENCES trials (id),
  bytes       BLOB NOT NULL
);
)sql",
    // 2: attempt, the number of times a trial was claimed again after an interruption, so
    // that a process can tell that a trial it handed out was taken over by another one.
    R"sql(
ALTER TABLE trials ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0;
)sql",
    // 3: heartbeat_at, the last sign of life of a trial's worker, so that workers sharing a
    // study find the trials of a dead one. NULL (rows of older files) reads as started_at;
    // finished rows are immutable, so they are not back-filled.
    R"sql(
ALTER TABLE trials ADD COLUMN heartbeat_at REAL;
CREATE INDEX trials_running_by_heartbeat ON trials (study_id, state, heartbeat_at);
)sql",
    // 4: source, "FILE:LINE" of an imported result (qtune import); '' for a trial qtune ran.
    R"sql(
ALTER TABLE trials ADD COLUMN source TEXT NOT NULL DEFAULT '';
)sql",
    // 5: workers, the processes running a study's trials, idle ones too.
    R"sql(
CREATE TABLE workers (
  study_id     INTEGER NOT NULL REFERENCES studies (id),
  worker       TEXT NOT NULL,
  host         TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  slurm_job    TEXT NOT NULL,
  started_at   REAL NOT NULL,
  heartbeat_at REAL NOT NULL,
  PRIMARY KEY (study_id, worker)
);
)sql",
    // 6: the PRUNED state (a trial stopped early by [pruning]; final like COMPLETE and FAILED)
    // and trial_progress, the intermediate values trials report ([trial] progress). SQLite
    // cannot change a CHECK constraint in place: trials is rebuilt with the same rows (the
    // migration runs with foreign keys off, SqliteStore::migrate).
    R"sql(
CREATE TABLE trials_new (
  id             INTEGER PRIMARY KEY,
  study_id       INTEGER NOT NULL REFERENCES studies (id),
  number         INTEGER NOT NULL,
  state_id       INTEGER NOT NULL,
  params         TEXT NOT NULL,
  trajectory     INTEGER NOT NULL,
  remeasure      INTEGER NOT NULL CHECK (remeasure IN (0, 1)),
  state          TEXT NOT NULL
                 CHECK (state IN ('RUNNING', 'COMPLETE', 'FAILED', 'INTERRUPTED', 'PRUNED')),
  value          REAL,
  failure_reason TEXT NOT NULL DEFAULT '',
  log_tail       TEXT NOT NULL DEFAULT '',
  worker         TEXT NOT NULL,
  created_at     REAL NOT NULL,
  started_at     REAL NOT NULL,
  finished_at    REAL,
  attempt        INTEGER NOT NULL DEFAULT 0,
  heartbeat_at   REAL,
  source         TEXT NOT NULL DEFAULT '',
  UNIQUE (study_id, number)
);
INSERT INTO trials_new (id, study_id, number, state_id, params, trajectory, remeasure, state,
                        value, failure_reason, log_tail, worker, created_at, started_at,
                        finished_at, attempt, heartbeat_at, source)
  SELECT id, study_id, number, state_id, params, trajectory, remeasure, state, value,
         failure_reason, log_tail, worker, created_at, started_at, finished_at, attempt,
         heartbeat_at, source FROM trials;
DROP TABLE trials;
ALTER TABLE trials_new RENAME TO trials;
CREATE INDEX trials_by_state ON trials (study_id, state);
CREATE INDEX trials_running_by_heartbeat ON trials (study_id, state, heartbeat_at);
CREATE TRIGGER finished_trials_are_immutable BEFORE UPDATE ON trials
  WHEN OLD.state IN ('COMPLETE', 'FAILED', 'PRUNED')
BEGIN
  SELECT RAISE(ABORT, 'finished trials are immutable');
END;
CREATE TABLE trial_progress (
  trial_id INTEGER NOT NULL REFERENCES trials (id),
  step     INTEGER NOT NULL,
  value    REAL NOT NULL,
  PRIMARY KEY (trial_id, step)
);
)sql",
    // 7: retries, how often `qtune retry` reopened a FAILED trial; the immutability trigger
    // lets that one transition through (FAILED -> INTERRUPTED with retries + 1).
    R"sql(
ALTER TABLE trials ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
DROP TRIGGER finished_trials_are_immutable;
CREATE TRIGGER finished_trials_are_immutable BEFORE UPDATE ON trials
  WHEN OLD.state IN ('COMPLETE', 'FAILED', 'PRUNED')
   AND NOT (OLD.state = 'FAILED' AND NEW.state = 'INTERRUPTED' AND NEW.retries = OLD.retries + 1)
BEGIN
  SELECT RAISE(ABORT, 'finished trials are immutable');
END;
)sql",
    // 8: components, the metrics of a combined reward ([trial] metric = { combine }) as a
    // JSON array (record_encoding.h); '[]' for every other trial and the rows of older files.
    R"sql(
ALTER TABLE trials ADD COLUMN components TEXT NOT NULL DEFAULT '[]';
)sql",
};

}  // namespace qtune::store::sqlite
