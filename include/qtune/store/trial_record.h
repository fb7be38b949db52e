// TrialRecord: one evaluation of one configuration, as the store keeps it.
//
// Life of a trial (only these transitions exist; each is a compare-and-set):
//
//   create ──> RUNNING ──finish──> COMPLETE | FAILED     (final: immutable afterwards)
//                 │  ^
//        interrupt│  │claim (handed out again, same row, same number)
//                 v  │
//              INTERRUPTED
//
// A trial interrupted by Ctrl-C or by a killed process keeps its number and proposal and is
// claimed again before anything new is proposed, so no evaluation is lost or repeated.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/base/result.h"
#include "qtune/space/space.h"
#include "qtune/store/study_record.h"

namespace qtune::store {

using TrialId = std::int64_t;

// Stored by name (the strings below), so the enumerator order is free to change.
enum class TrialState { kRunning, kComplete, kFailed, kInterrupted };

// "RUNNING" | "COMPLETE" | "FAILED" | "INTERRUPTED".
std::string_view trial_state_name(TrialState state);
// kCorrupt for any other text (it only comes from a database).
base::Result<TrialState> parse_trial_state(std::string_view text);
inline bool is_finished(TrialState state) {
  return state == TrialState::kComplete || state == TrialState::kFailed;
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
  TrialState state = TrialState::kComplete;  // kComplete (value set) or kFailed (reason set)
  std::optional<double> value;               // the raw metric
  std::string failure_reason;
  std::string log_tail;  // last lines of the trial's output
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
  // Seconds since the Unix epoch on the database clock.
  double created_at = 0;
  double started_at = 0;  // last claim (equals created_at unless handed out again)
  std::optional<double> finished_at;
  double heartbeat_at = 0;  // last sign of life of its worker (= started_at at creation and claim)
};

struct TrialCounts {
  std::size_t running = 0;
  std::size_t complete = 0;
  std::size_t failed = 0;
  std::size_t interrupted = 0;
  std::size_t total() const { return running + complete + failed + interrupted; }
};

// The agent's opaque state, saved in the same transaction as the trial event it follows.
struct Snapshot {
  std::int64_t event = 0;   // 1, 2, ... per study: the count of trial creations and finishes
  TrialId after_trial = 0;  // the trial whose creation or finish it follows
  std::string bytes;
};

}  // namespace qtune::store
