// What every executor does the same way for one trial, wherever it runs: the placeholder
// values, workdir, argv and environment variables of a trial (docs/config.md "[trial]"), and
// the outcome once it ended (exit status or signal, then the metric). Private to exec.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "exec/metric_source.h"
#include "qtune/exec/executor.h"
#include "qtune/exec/trial_config.h"

namespace qtune::exec::detail {

using Variables = std::vector<std::pair<std::string, std::string>>;

// The command's argv; with shell = true, /bin/sh -c and one script of shell-quoted values.
std::vector<std::string> trial_argv(const TrialConfig& config, const TemplateValues& values);
// QTUNE_TRIAL_ID, QTUNE_TRIAL_DIR, QTUNE_PARAM_<NAME> (upper-cased) and the [trial] env table.
Variables trial_variables(const TrialConfig& config, const TrialSpec& spec,
                          const TemplateValues& values);
// qtune's own environment with `added` set on top ("NAME=value" entries).
std::vector<std::string> environment_with(const Variables& added);

// A trial given up by qtune, not ended by it: kInterrupted with `message` (released to its new
// owner).
FinishedTrial released_trial(TrialId id, std::string message, base::Duration elapsed = {});

// A trial that could not be started: kLaunch with `message`, also appended to its stderr.log.
FinishedTrial launch_failure(const TrialSpec& spec, std::string message);

// What every executor works out before it starts a trial: its template values and workdir,
// after creating its directory (kIoError naming it when that fails). A workdir that does not
// exist is the trial's launch failure, not an error: `failure` holds it.
struct PreparedTrial {
  TemplateValues values;
  std::filesystem::path workdir;
  std::optional<FinishedTrial> failure;
};
base::Result<PreparedTrial> prepare_trial(const TrialConfig& config, const TrialSpec& spec);

// How a trial's process ended.
struct TrialEnd {
  int exit_code = -1;                        // -1 when it did not exit normally
  int signal = 0;                            // the signal that ended it, or 0
  std::optional<FailureReason> stopped_for;  // kTimeout, kInterrupted or kPruned: qtune stopped it
  base::Duration elapsed{0};
};

// The outcome of a trial that ended: stopped by qtune, killed, a non-zero exit, or else
// the metric read from its [trial] metric source; a failure carries its log tail.
TrialOutcome trial_outcome(const TrialConfig& config, const BuiltinMetricFunction& builtin,
                           const TrialSpec& spec, const std::filesystem::path& workdir,
                           const TemplateValues& values, const TrialEnd& end);

// The last lines of stderr.log, or of stdout.log when stderr is empty.
std::string trial_log_tail(const TrialSpec& spec);

// "SIGTERM", or "signal 99" for a number without a name.
std::string signal_name(int sig);

}  // namespace qtune::exec::detail
