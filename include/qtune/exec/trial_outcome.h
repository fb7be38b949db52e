// TrialOutcome: what running one trial produced. A failed trial is data, not an error: it
// carries its FailureReason, the exit status and the tail of its logs, and the study records
// it and goes on.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "qtune/exec/duration.h"

namespace qtune::exec {

// Append only: the names are stored with trials.
enum class FailureReason {
  kNone,         // success: value holds a finite metric
  kExitCode,     // exited with a non-zero status
  kSignal,       // killed by a signal it did not get from qtune
  kTimeout,      // ran past [trial] timeout and was killed
  kNoMetric,     // exited 0 but the metric was missing or not a number
  kNotFinite,    // the metric was NaN or infinite
  kLaunch,       // could not be started (no such program, workdir missing, ...)
  kInterrupted,  // stopped by qtune (Ctrl-C, shutdown); not the trial's fault
};

// "exit_code", "signal", "timeout", "no_metric", "not_finite", "launch", "interrupted", or
// "none"; the names stored and printed.
std::string_view failure_reason_name(FailureReason reason);
std::optional<FailureReason> failure_reason_from_name(std::string_view name);

struct TrialOutcome {
  FailureReason reason = FailureReason::kNone;
  std::optional<double> value;  // the metric; set iff reason == kNone
  int exit_code = -1;           // exit status, or -1 when it did not exit normally
  int signal = 0;               // the signal that ended it, or 0
  std::string message;          // one line: why it failed ("exit status 3", "timeout after 2h")
  std::string log_tail;         // last lines of stderr (then stdout), for the user
  Duration elapsed{0};

  bool ok() const { return reason == FailureReason::kNone; }
};

}  // namespace qtune::exec
