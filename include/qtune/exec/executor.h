// Executor: runs trials, several at once, without blocking the caller. LocalExecutor runs
// them as processes on this machine; SlurmExecutor submits them with sbatch. make_executor.h
// picks the one a study names.
//
// Contract:
// - start() launches a trial in a free slot and returns at once. It fails with kUnavailable
//   when no slot is free, and with kInvalidArgument when the executor's own settings make
//   every launch fail (the Slurm executor: sbatch says a partition, account or option is
//   invalid): then the trial did not start, and the caller gives it back and stops. A trial
//   that cannot be launched for its own sake is not an error: it comes back from poll() with
//   FailureReason::kLaunch.
// - poll() reaps finished trials, enforces timeouts, and returns each finished trial exactly
//   once. wait_any() is poll() that sleeps until at least one trial finished or `limit`
//   passed.
// - prune() stops a running trial that the study's [pruning] rule gave up on: SIGTERM (Slurm:
//   scancel), then SIGKILL after [trial] kill_grace, as for a timeout; it comes back from
//   poll() as kPruned, and its metric is not read (nothing it was writing is taken as a value).
// - release() gives up a running trial that was handed to another process meanwhile: both
//   executors leave it running for the new owner, which takes it over (the local executor:
//   when the new owner runs on the same host; the Slurm executor: wherever it runs). It
//   comes back from the next poll() as kInterrupted.
// - start() of a trial whose directory shows an earlier instance's process or job (qtune was
//   killed, or release()) takes that over instead of starting the trial again, when it
//   still runs or has recorded its end; see each executor's header.
// - Not thread-safe: one thread drives an executor. Destroying an executor kills what still
//   runs; a killed qtune (kill -9) leaves its trials running for the next one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "qtune/base/duration.h"
#include "qtune/base/metric_component.h"
#include "qtune/base/result.h"
#include "qtune/base/status.h"
#include "qtune/base/trial_id.h"
#include "qtune/exec/trial_config.h"

namespace qtune::exec {

// TrialOutcome: what running one trial produced. A failed trial is data, not an error: it
// carries its FailureReason, the exit status and the tail of its logs, and the study records
// it and goes on.
//
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
  kPruned,       // stopped by qtune's [pruning] rule; not a failure either
};

// "exit_code", "signal", "timeout", "no_metric", "not_finite", "launch", "interrupted",
// "pruned", or "none"; the names stored and printed.
std::string_view failure_reason_name(FailureReason reason);

struct TrialOutcome {
  FailureReason reason = FailureReason::kNone;
  std::optional<double> value;  // the metric; set iff reason == kNone
  int exit_code = -1;           // exit status, or -1 when it did not exit normally
  int signal = 0;               // the signal that ended it, or 0
  std::string message;          // one line: why it failed ("exit status 3", "timeout after 2h")
  std::string log_tail;         // last lines of stderr (then stdout), for the user
  base::Duration elapsed{0};
  // [trial] metric = { combine = [...] }: every component measured (set iff reason == kNone),
  // and `value` is 0: the study ranks the components into the trial's loss.
  std::vector<MetricComponent> components{};

  bool ok() const { return reason == FailureReason::kNone; }
};

// One trial to run: its id, its parameter values (formatted, in dimension order), its own
// directory (created if missing; stdout.log and stderr.log are written there) and its number.
// The id names the trial to the executor's caller (the store's trial id); the number is what
// the trial itself sees: QTUNE_TRIAL_ID and {trial_id}, and the name of its directory
// (<study>.trials/<number>, 0 for a study's first trial).
struct TrialSpec {
  TrialId id = 0;
  std::vector<std::pair<std::string, std::string>> params;
  std::filesystem::path dir;
  std::int64_t number = 0;
};

// The command a trial runs, as one line to paste into a POSIX shell: `cd WORKDIR && `, the
// [trial] env entries as NAME=VALUE, then its argv (with [trial] shell = true: /bin/sh -c SCRIPT),
// each word shell-quoted where it needs to be. The same expansion the executors use (placeholders,
// {trial_id}, {trial_dir}, workdir).
std::string command_line(const TrialConfig& config, const TrialSpec& spec);

// What a trial's templates expand to: {name} of every parameter, {trial_id} (its number) and
// {trial_dir}; and where it runs: [trial] workdir expanded and made absolute against the
// study file's folder. The executors' own expansion, for whoever shows a trial.
TemplateValues trial_values(const TrialSpec& spec);
std::filesystem::path trial_workdir(const TrialConfig& config, const TemplateValues& values);

// The id of the latest Slurm job submitted for the trial whose folder is `trial_dir` (the
// Slurm executor keeps it there), or nullopt.
std::optional<std::string> slurm_job_id(const std::filesystem::path& trial_dir);

// What squeue says of a Slurm job still queued or running: its state ("PENDING", "RUNNING",
// "COMPLETING", ...) and Slurm's reason (why a pending job waits: "Priority", "BeginTime",
// "Resources", ...; "None").
struct SlurmJobState {
  std::string state;
  std::string reason;
};
// One squeue call (the program [trial.slurm] names) about `ids`: the jobs still queued or
// running, by id; the others are absent. kUnavailable with squeue's message when it fails.
base::Result<std::map<std::string, SlurmJobState>> slurm_job_states(
    const SlurmConfig& config, const std::vector<std::string>& ids);

// For a trial that ended on its own but is given back as interrupted (it died of the signal
// that stops its runner: Slurm signals every process of a job at once): forgets what its
// folder records of that end (the exit status; the Slurm job, marked as cancelled by qtune;
// the local process record), so that whoever runs the trial next runs it afresh instead of
// taking that end over as its outcome.
void forget_recorded_end(const std::filesystem::path& trial_dir);

// A trial that start() took over from an earlier run (its process or job) instead of starting
// it: when that process or job really started, in seconds since the Unix epoch (the file
// system's clock, which the process record or job.sh stamped).
struct TakenOver {
  TrialId id = 0;
  double started_at = 0;
};

struct FinishedTrial {
  TrialId id = 0;
  TrialOutcome outcome;
};

class Executor {
 public:
  virtual ~Executor() = default;
  Executor() = default;
  Executor(const Executor&) = delete;  // it owns running processes or jobs
  Executor& operator=(const Executor&) = delete;

  // Number of trials that can run at once.
  virtual std::size_t slots() const = 0;
  // Trials started and not yet returned by poll() (one whose metric is being computed too).
  virtual std::size_t running() const = 0;

  virtual base::Status start(const TrialSpec& spec) = 0;
  virtual std::vector<FinishedTrial> poll() = 0;
  virtual std::vector<FinishedTrial> wait_any(base::Duration limit) = 0;
  // No-op for an id that is not running (or stopped already).
  virtual void prune(TrialId id) = 0;
  // No-op for an id that is not running.
  virtual void release(TrialId id) = 0;
  // Cancels every running trial and waits until all are reaped (at most the grace period);
  // returns them, each kInterrupted.
  virtual std::vector<FinishedTrial> cancel_all() = 0;
  // Cancels the trials that were accepted but have not started (the Slurm executor: jobs
  // still pending, or not submitted yet); they come back from poll() as kInterrupted. Trials
  // that run are left alone. Default: none waits.
  virtual void cancel_waiting() {}
  // Lines for the user since the last call (a submission retried, a job taken over, a job
  // still pending and why), each without a "who" prefix. Default: none.
  virtual std::vector<std::string> take_notes() { return {}; }
  // The trials start() took over since the last call, with their real start. Default: none.
  virtual std::vector<TakenOver> take_taken_over() { return {}; }
};

}  // namespace qtune::exec
