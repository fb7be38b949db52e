// Store: durable trial records and agent snapshots. Two implementations, SQLite (an embedded
// file, or :memory:) and PostgreSQL (shared by workers on many hosts), keep the same
// contract, checked by one conformance suite (tests/store/store_conformance_test.cc).
//
// Contract, for every implementation:
// - Implementations are safe to share between threads of one process.
// - Every state change is one transaction: a process killed at any moment leaves either
//   the state before the call or the state after it, never a mix. In particular a trial's
//   creation and its finish are each committed together with the agent snapshot that
//   follows them, so the snapshot always matches the trial table.
// - Finished trials (COMPLETE, FAILED, PRUNED) are immutable: a second finish, an interrupt
//   or a claim of one is refused. The one exception is retry_trial (FAILED -> INTERRUPTED,
//   asked for by the user with `qtune retry`). Transitions are compare-and-set on the trial's
//   state, and losing a race is reported (kConflict, or nullopt for claim), never silently applied.
// - Reads return value snapshots; nothing returned aliases the store.
// - Timestamps come from the database clock, so that workers on several hosts agree.
//
// The records it keeps come first: the study (StudyRecord) and its trials (TrialRecord).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/base/metric_component.h"
#include "qtune/base/progress_point.h"
#include "qtune/base/result.h"
#include "qtune/base/trial_id.h"
#include "qtune/space/space.h"

namespace qtune::store {

// StudyRecord: what the store keeps about a study itself. The space and strategy texts are
// canonical descriptions of the study file's [space] and [strategy] (written by the study
// module); a study reopened with different ones is refused, since its trials and agent
// snapshot would no longer mean the same configurations.
using StudyId = std::int64_t;

// Whether the metric is minimised or maximised. Stored values are always the raw metric.
enum class Direction { kMinimize, kMaximize };

// "minimize" | "maximize".
std::string_view direction_name(Direction direction);
// kInvalidArgument for anything else, naming the valid values.
base::Result<Direction> parse_direction(std::string_view text);

struct StudyRecord {
  StudyId id = 0;        // assigned by the store
  std::string name;      // unique within a store
  std::string space;     // canonical [space] text (fingerprint, compared on resume)
  std::string strategy;  // canonical [strategy] text (fingerprint, compared on resume)
  Direction direction = Direction::kMinimize;
  std::uint64_t seed = 0;
  double created_at = 0;  // seconds since the Unix epoch, database clock; set by the store
};

// TrialRecord: one evaluation of one configuration, as the store keeps it.
//
// Life of a trial (only these transitions exist; each is a compare-and-set):
//
//   create ──> RUNNING ──finish──> COMPLETE | FAILED | PRUNED   (final: immutable afterwards)
//                 │  ^
//        interrupt│  │claim (handed out again, same row, same number)
//                 v  │
//              INTERRUPTED <──retry── FAILED   (`qtune retry`: the one way out of a final state)
//
// A trial interrupted by Ctrl-C or by a killed process keeps its number and proposal and is
// claimed again before anything new is proposed, so no evaluation is lost or repeated.
// PRUNED: stopped early by the study's [pruning] rule; its value is the last intermediate
// value it reported, and it is neither a success nor a failure (the strategy learns a
// censored loss: study/pruning.h pruned_loss_bound).

// Stored by name (the strings below), so the enumerator order is free to change.
enum class TrialState { kRunning, kComplete, kFailed, kInterrupted, kPruned };

// "RUNNING" | "COMPLETE" | "FAILED" | "INTERRUPTED" | "PRUNED".
std::string_view trial_state_name(TrialState state);
// kCorrupt for any other text (it only comes from a database).
base::Result<TrialState> parse_trial_state(std::string_view text);
inline bool is_finished(TrialState state) {
  return state == TrialState::kComplete || state == TrialState::kFailed ||
         state == TrialState::kPruned;
}

// One parameter of the configuration, as it reaches the command line.
struct Param {
  std::string name;
  std::string value;
  bool operator==(const Param&) const = default;
};

// What the study knows when it starts a trial.
struct NewTrial {
  space::StateId state_id = 0;
  std::vector<Param> params;
  std::uint32_t trajectory = 0;
  bool remeasure = false;  // a deliberate re-measurement of an evaluated configuration
  std::string worker;      // who runs it ("host:pid", a Slurm job id, ...)
};

// How a trial ended.
struct TrialResult {
  // kComplete (value set), kFailed (reason set) or kPruned (value: the last intermediate value,
  // reason: why it was stopped).
  TrialState state = TrialState::kComplete;
  std::optional<double> value;  // the raw metric
  std::string failure_reason;
  std::string log_tail;  // last lines of the trial's output
  // A combined metric's components (kComplete only; each value finite, weight > 0, names
  // distinct and not empty); `value` is then the loss the strategy was told. Empty otherwise.
  // ({}: positional initialisers of the fields above stay complete for -Wextra.)
  std::vector<MetricComponent> components{};
};

struct TrialRecord {
  TrialId id = 0;
  StudyId study = 0;
  std::int64_t number = 0;  // 0, 1, 2, ... within the study, in creation order
  space::StateId state_id = 0;
  std::vector<Param> params;
  std::uint32_t trajectory = 0;
  bool remeasure = false;
  TrialState state = TrialState::kRunning;
  std::optional<double> value;
  std::string failure_reason;
  std::string log_tail;
  std::string worker;
  std::int64_t attempt = 0;  // 0 when created, +1 with every claim after an interruption
  // How often `qtune retry` reopened it after it had failed (retry_trial). A retried trial's
  // proposal was told to the strategy with its failure: its new outcome is a measurement the
  // strategy did not propose (Study::tell).
  std::int64_t retries = 0;
  // Seconds since the Unix epoch on the database clock.
  double created_at = 0;
  double started_at = 0;  // last claim (equals created_at unless handed out again)
  std::optional<double> finished_at;
  double heartbeat_at = 0;  // last sign of life of its worker (= started_at at creation and claim)
  // An imported result (import_trials): where it came from, "FILE:LINE"; empty for a trial
  // qtune ran. Imported trials are COMPLETE from the start and were never run by qtune.
  std::string source;
  std::vector<MetricComponent> components{};  // TrialResult::components; empty without
  bool imported() const { return !source.empty(); }
};

// A result measured before the study (`qtune import`): becomes a COMPLETE trial.
struct ImportedTrial {
  space::StateId state_id = 0;
  std::vector<Param> params;
  double value = 0;    // the raw metric
  std::string source;  // "FILE:LINE", not empty
};

struct TrialCounts {
  std::size_t running = 0;
  std::size_t complete = 0;
  std::size_t failed = 0;
  std::size_t interrupted = 0;
  std::size_t pruned = 0;
  std::size_t imported = 0;  // COMPLETE trials that were imported (counted in complete too)
  std::size_t total() const { return running + complete + failed + interrupted + pruned; }
  // The trials qtune ran or runs: what the budget counts.
  std::size_t run() const { return total() - imported; }
  // The count of trials in `state`: how a backend fills it from a GROUP BY state query.
  std::size_t& of(TrialState state);
};

// A process running a study's trials (`qtune run`, `qtune worker`, Study.run()), registered
// while it runs, so that others see it also while it has no trial to run.
struct WorkerRecord {
  std::string worker;       // its id, as in TrialRecord::worker
  std::string host;         // the host it runs on
  std::int64_t pid = 0;     // its process id there
  std::string slurm_job;    // the Slurm job it runs in ("JOB" or "JOB_TASK"), or ""
  double started_at = 0;    // first registration; database clock, set by the store
  double heartbeat_at = 0;  // latest sign of life; database clock, set by the store
};

// The intermediate values of one trial, in step order.
struct TrialProgress {
  TrialId trial = 0;
  std::vector<ProgressPoint> points;
};

// The agent's opaque state, saved in the same transaction as the trial event it follows.
struct Snapshot {
  std::int64_t event = 0;   // 1, 2, ... per study: the count of trial creations and finishes
  TrialId after_trial = 0;  // the trial whose creation or finish it follows
  std::string bytes;
};

class Store {
 public:
  virtual ~Store() = default;
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The study of that name, or nullopt.
  virtual base::Result<std::optional<StudyRecord>> find_study(std::string_view name) const = 0;
  // Creates a study (id and created_at of `study` are ignored). kAlreadyExists if the name
  // is taken (another process may have created it first: find_study then).
  virtual base::Result<StudyRecord> create_study(const StudyRecord& study) = 0;

  // Optimistic concurrency: writes that save a snapshot name the event of the latest snapshot the
  // caller's strategy was restored from or saved (0 before the first). If the study's latest
  // snapshot has another event the write is refused with kConflict and nothing changes; the caller
  // re-reads the snapshot, restores its strategy and tries again. A write that succeeds leaves the
  // snapshot at expected_event + 1.

  // Creates the next trial of the study (number = previous + 1) in state RUNNING and saves
  // `snapshot` as the agent state that follows it, in one transaction.
  virtual base::Result<TrialRecord> create_trial(StudyId study, const NewTrial& trial,
                                                 std::string_view snapshot,
                                                 std::int64_t expected_event) = 0;
  // RUNNING -> result.state (kComplete with a value, or kFailed), saving `snapshot` in the
  // same transaction. kConflict if the trial is not RUNNING (finished already, or
  // interrupted) or the snapshot moved on; kNotFound for an unknown id; kInvalidArgument for
  // a result that is neither a COMPLETE with a value nor a FAILED, or whose components are
  // given on a state other than COMPLETE or are not valid (TrialResult::components).
  virtual base::Status finish_trial(TrialId trial, const TrialResult& result,
                                    std::string_view snapshot, std::int64_t expected_event) = 0;
  // Adds `trials` as COMPLETE trials (numbers following the last, worker "import", all
  // times now, source kept) and saves `snapshot` after them, all in one transaction; an
  // empty list changes nothing (no snapshot is written). kConflict if the snapshot moved on.
  virtual base::Result<std::vector<TrialRecord>> import_trials(
      StudyId study, const std::vector<ImportedTrial>& trials, std::string_view snapshot,
      std::int64_t expected_event) = 0;
  // interrupt_trial and claim_trial take no snapshot guard: they change no agent state (the
  // snapshot keeps an interrupted trial's proposal pending; whoever claims it tells it).
  // RUNNING -> INTERRUPTED. kConflict if it is not RUNNING; kNotFound for an unknown id.
  virtual base::Status interrupt_trial(TrialId trial) = 0;
  // INTERRUPTED -> RUNNING for `worker`. nullopt if it is not INTERRUPTED any more
  // (another worker claimed it first): losing the race is not an error. The trial's
  // intermediate values are dropped with the claim: they belong to one attempt, and the
  // new owner reads its progress afresh.
  virtual base::Result<std::optional<TrialRecord>> claim_trial(TrialId trial,
                                                               std::string_view worker) = 0;
  // FAILED -> INTERRUPTED, retries + 1 (`qtune retry`): handed out again by the next claim,
  // same row and number, its attempt counting on. value, finished_at and log_tail are cleared;
  // failure_reason stays (what happened last) until it finishes again. No snapshot guard:
  // the agent state does not change. kConflict if it is not FAILED; kNotFound for an unknown
  // id.
  virtual base::Status retry_trial(TrialId trial) = 0;
  // A RUNNING trial claimed by `worker` whose executor took over the process or job of an
  // earlier run: started_at = `started_at` (Unix seconds; when that process or job started,
  // by the file system's clock), its real start rather than the claim's. kConflict
  // otherwise; kNotFound for an unknown id.
  virtual base::Status set_started_at(TrialId trial, std::string_view worker,
                                      double started_at) = 0;
  // Liveness: RUNNING and claimed by `worker` -> heartbeat_at = database now; kConflict
  // otherwise (finished, interrupted, or handed to another worker); kNotFound for an unknown id.
  virtual base::Status heartbeat(TrialId trial, std::string_view worker) = 0;
  // RUNNING trials of the study whose heartbeat_at (or started_at, if none yet) is older than
  // `older_than_seconds` on the database clock -> INTERRUPTED, in one transaction; returns their
  // ids.
  virtual base::Result<std::vector<TrialId>> interrupt_stale(StudyId study,
                                                             double older_than_seconds) = 0;
  // Registers `worker` for the study (started_at and heartbeat_at = database now) or, when
  // its id is registered, sets its heartbeat_at to now (and its host, pid and job).
  virtual base::Status worker_heartbeat(StudyId study, const WorkerRecord& worker) = 0;
  // Unregisters a worker that ends; an unknown id is not an error.
  virtual base::Status remove_worker(StudyId study, std::string_view worker) = 0;
  // The registered workers of the study, by id.
  virtual base::Result<std::vector<WorkerRecord>> workers(StudyId study) const = 0;

  virtual base::Result<TrialRecord> trial(TrialId trial) const = 0;
  // Trials of the study in number order; only those in `state` when given.
  virtual base::Result<std::vector<TrialRecord>> trials(
      StudyId study, std::optional<TrialState> state = std::nullopt) const = 0;
  // How many trials of the study are in each state (cheap: no records are read).
  virtual base::Result<TrialCounts> count_trials(StudyId study) const = 0;
  // Appends intermediate values of a RUNNING trial, in one transaction; each step must be
  // larger than the trial's last stored one (kInvalidArgument otherwise, nothing written).
  // kConflict if the trial is not RUNNING; kNotFound for an unknown id. An empty list is a
  // no-op. Kept apart from the agent snapshot: progress changes no agent state.
  virtual base::Status add_progress(TrialId trial, const std::vector<ProgressPoint>& points) = 0;
  // The intermediate values of the study's trials that have any, in trial number order.
  virtual base::Result<std::vector<TrialProgress>> progress(StudyId study) const = 0;

  // The latest agent snapshot of the study, or nullopt before its first trial.
  virtual base::Result<std::optional<Snapshot>> snapshot(StudyId study) const = 0;
};

}  // namespace qtune::store
