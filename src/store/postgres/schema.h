// The PostgreSQL schema of a qtune store, defined in this one place.
//
// Tables live in the connection's current schema (the first of its search_path), so one
// database can hold several stores, one per schema (libpq option -csearch_path=NAME).
// qtune_schema_version counts the migrations applied; opening a store applies the missing
// ones in one transaction under an advisory lock, so processes starting at once on an
// empty database create it once, and a newer store (version > kMigrations.size()) is
// refused.
//
// Encodings (as in the SQLite store, store/sqlite/schema.h):
// - 64-bit unsigned numbers (state ids, seeds) as the bigint with the same bits.
// - params: a JSON array of [name, value-text] pairs, in dimension order.
// - components: a JSON array of {name, value, weight, maximize} objects (record_encoding.h).
// - times: seconds since the Unix epoch (double precision) on the server's clock (kNow).
// - failure_reason and log_tail are bytea: they carry a script's output, which need not be
//   valid UTF-8, and must come back byte for byte.
// Finished trials are immutable, enforced by a trigger as well as by the code.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace qtune::store::postgres {

// SQL expression for "now" on the database clock, in Unix seconds. clock_timestamp(), not
// now(): now() is the start of the transaction, which may have waited for a lock.
inline constexpr std::string_view kNow = "extract(epoch FROM clock_timestamp())::double precision";

// pg_advisory_xact_lock key that serialises schema creation and migration (any constant
// that other applications are unlikely to use: "qtune" in ASCII).
inline constexpr std::int64_t kSchemaLockKey = 0x7174756e65;

inline constexpr std::string_view kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS qtune_schema_version (version integer NOT NULL)";

inline constexpr std::array<std::string_view, 6> kMigrations = {
    // 1: studies, trials, snapshots.
    R"sql(
CREATE TABLE studies (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name       text NOT NULL UNIQUE,
  space      text NOT NULL,
  strategy   text NOT NULL,
  direction  text NOT NULL CHECK (direction IN ('minimize', 'maximize')),
  seed       bigint NOT NULL,
  created_at double precision NOT NULL
);
CREATE TABLE trials (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  study_id       bigint NOT NULL REFERENCES studies (id),
  number         bigint NOT NULL,
  state_id       bigint NOT NULL,
  params         text NOT NULL,
  trajectory     bigint NOT NULL,
  remeasure      boolean NOT NULL,
  state          text NOT NULL CHECK (state IN ('RUNNING', 'COMPLETE', 'FAILED', 'INTERRUPTED')),
  value          double precision,
  failure_reason bytea NOT NULL DEFAULT '',
  log_tail       bytea NOT NULL DEFAULT '',
  worker         text NOT NULL,
  attempt        bigint NOT NULL DEFAULT 0,
  created_at     double precision NOT NULL,
  started_at     double precision NOT NULL,
  finished_at    double precision,
  heartbeat_at   double precision NOT NULL,
  UNIQUE (study_id, number)
);
CREATE INDEX trials_by_state ON trials (study_id, state);
CREATE FUNCTION qtune_refuse_finished_trial_update() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'finished trials are immutable'; END $$;
CREATE TRIGGER finished_trials_are_immutable BEFORE UPDATE ON trials
  FOR EACH ROW WHEN (OLD.state IN ('COMPLETE', 'FAILED'))
  EXECUTE FUNCTION qtune_refuse_finished_trial_update();
CREATE TABLE snapshots (
  study_id    bigint PRIMARY KEY REFERENCES studies (id),
  event       bigint NOT NULL,
  after_trial bigint NOT NULL REFERENCES trials (id),
  bytes       bytea NOT NULL
);
)sql",
    // 2: source, "FILE:LINE" of an imported result (qtune import); '' for a trial qtune ran.
    R"sql(
ALTER TABLE trials ADD COLUMN source text NOT NULL DEFAULT '';
)sql",
    // 3: workers, the processes running a study's trials, idle ones too.
    R"sql(
CREATE TABLE workers (
  study_id     bigint NOT NULL REFERENCES studies (id),
  worker       text NOT NULL,
  host         text NOT NULL,
  pid          bigint NOT NULL,
  slurm_job    text NOT NULL,
  started_at   double precision NOT NULL,
  heartbeat_at double precision NOT NULL,
  PRIMARY KEY (study_id, worker)
);
)sql",
    // 4: the PRUNED state (a trial stopped early by [pruning]; final like COMPLETE and FAILED)
    // and trial_progress, the intermediate values trials report ([trial] progress).
    R"sql(
ALTER TABLE trials DROP CONSTRAINT trials_state_check;
ALTER TABLE trials ADD CONSTRAINT trials_state_check
  CHECK (state IN ('RUNNING', 'COMPLETE', 'FAILED', 'INTERRUPTED', 'PRUNED'));
DROP TRIGGER finished_trials_are_immutable ON trials;
CREATE TRIGGER finished_trials_are_immutable BEFORE UPDATE ON trials
  FOR EACH ROW WHEN (OLD.state IN ('COMPLETE', 'FAILED', 'PRUNED'))
  EXECUTE FUNCTION qtune_refuse_finished_trial_update();
CREATE TABLE trial_progress (
  trial_id bigint NOT NULL REFERENCES trials (id),
  step     bigint NOT NULL,
  value    double precision NOT NULL,
  PRIMARY KEY (trial_id, step)
);
)sql",
    // 5: retries, how often `qtune retry` reopened a FAILED trial; the immutability trigger
    // lets that one transition through (FAILED -> INTERRUPTED with retries + 1).
    R"sql(
ALTER TABLE trials ADD COLUMN retries bigint NOT NULL DEFAULT 0;
DROP TRIGGER finished_trials_are_immutable ON trials;
CREATE TRIGGER finished_trials_are_immutable BEFORE UPDATE ON trials
  FOR EACH ROW WHEN (OLD.state IN ('COMPLETE', 'FAILED', 'PRUNED') AND NOT (OLD.state = 'FAILED'
    AND NEW.state = 'INTERRUPTED' AND NEW.retries = OLD.retries + 1))
  EXECUTE FUNCTION qtune_refuse_finished_trial_update();
)sql",
    // 6: components, the metrics of a combined reward ([trial] metric = { combine }) as a
    // JSON array (record_encoding.h); '[]' for every other trial and the rows of older stores.
    R"sql(
ALTER TABLE trials ADD COLUMN components text NOT NULL DEFAULT '[]';
)sql",
};

}  // namespace qtune::store::postgres
