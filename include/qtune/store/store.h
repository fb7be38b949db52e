// Store: durable trial records and agent snapshots. The one implementation today is SQLite
// (an embedded file, or :memory:); PostgreSQL will implement the same contract, checked by
// the same conformance suite (tests/store/store_conformance_test.cc).
//
// Contract, for every implementation:
// - Implementations are safe to share between threads of one process.
// - Every state change is one transaction: a process killed at any moment leaves either
//   the state before the call or the state after it, never a mix. In particular a trial's
//   creation and its finish are each committed together with the agent snapshot that
//   follows them, so the snapshot always matches the trial table.
// - Finished trials (COMPLETE, FAILED) are immutable: a second finish, an interrupt or a
//   claim of one is refused. Transitions are compare-and-set on the trial's state, and
//   losing a race is reported (kConflict, or nullopt for claim), never silently applied.
// - Reads return value snapshots; nothing returned aliases the store.
// - Timestamps come from the database clock, so that workers on several hosts agree.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "qtune/base/result.h"
#include "qtune/store/study_record.h"
#include "qtune/store/trial_record.h"

namespace qtune::store {

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
  // a result that is neither a COMPLETE with a value nor a FAILED.
  virtual base::Status finish_trial(TrialId trial, const TrialResult& result,
                                    std::string_view snapshot, std::int64_t expected_event) = 0;
  // interrupt_trial and claim_trial take no snapshot guard: they change no agent state (the
  // snapshot keeps an interrupted trial's proposal pending; whoever claims it tells it).
  // RUNNING -> INTERRUPTED. kConflict if it is not RUNNING; kNotFound for an unknown id.
  virtual base::Status interrupt_trial(TrialId trial) = 0;
  // INTERRUPTED -> RUNNING for `worker`. nullopt if it is not INTERRUPTED any more
  // (another worker claimed it first): losing the race is not an error.
  virtual base::Result<std::optional<TrialRecord>> claim_trial(TrialId trial,
                                                               std::string_view worker) = 0;
  // Liveness: RUNNING and claimed by `worker` -> heartbeat_at = database now; kConflict
  // otherwise (finished, interrupted, or handed to another worker); kNotFound for an unknown id.
  virtual base::Status heartbeat(TrialId trial, std::string_view worker) = 0;
  // RUNNING trials of the study whose heartbeat_at (or started_at, if none yet) is older than
  // `older_than_seconds` on the database clock -> INTERRUPTED, in one transaction; returns their
  // ids.
  virtual base::Result<std::vector<TrialId>> interrupt_stale(StudyId study,
                                                             double older_than_seconds) = 0;

  virtual base::Result<TrialRecord> trial(TrialId trial) const = 0;
  // Trials of the study in number order; only those in `state` when given.
  virtual base::Result<std::vector<TrialRecord>> trials(
      StudyId study, std::optional<TrialState> state = std::nullopt) const = 0;
  // How many trials of the study are in each state (cheap: no records are read).
  virtual base::Result<TrialCounts> count_trials(StudyId study) const = 0;
  // The latest agent snapshot of the study, or nullopt before its first trial.
  virtual base::Result<std::optional<Snapshot>> snapshot(StudyId study) const = 0;
};

}  // namespace qtune::store
