// Runner: the trial loop of `qtune run`, `qtune worker` and Python's Study.run(). It asks the
// study for trials, runs them with the executor its [trial] section names (local processes or
// Slurm jobs, `parallel` at once), tells the study their outcomes, sends heartbeats for its
// running trials and reports progress to a RunObserver. The caller only prints.
//
//   study::RunnerOptions options;
//   options.file = "study.toml";
//   study::Runner runner(options, &observer);
//   QTUNE_ASSIGN_OR_RETURN(const study::RunResult result, runner.run());
//
// Stopping: SIGINT/SIGTERM (when install_signal_handlers) or request_stop() from any thread
// stop it cleanly: running trials are killed and recorded as interrupted, and run() returns
// RunEnd::kInterrupted; running the study again resumes it (Study::open hands interrupted
// trials out again).
#pragma once

#include <atomic>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "qtune/base/duration.h"
#include "qtune/base/result.h"
#include "qtune/exec/executor.h"
#include "qtune/exec/trial_config.h"
#include "qtune/store/store.h"
#include "qtune/study/results.h"
#include "qtune/study/study.h"
#include "qtune/study/study_config.h"

namespace qtune::study {

struct RunnerOptions {
  std::filesystem::path file;  // the study file; run(Study&) takes its config from the Study
  std::string storage;         // overrides [study] storage when set
  // Set: join the study as a worker with this id (Study::open_shared), interrupting the stale
  // trials of dead workers. Unset: the one process driving the study (Study::open); refused
  // while other processes run trials of it.
  // An empty id is this process's default, "host:pid" ("JOB_TASK@host:pid" in a Slurm array).
  std::optional<std::string> worker;
  base::Duration heartbeat{10'000};
  // How old a heartbeat makes a RUNNING trial dead: run() without a worker refuses a study
  // with younger ones; a worker interrupts older ones so that they are handed out again.
  base::Duration stale_after{60'000};
  // Computes [trial] metric = { builtin = ... }; empty: default_builtin_metric().
  exec::BuiltinMetricFunction builtin;
  // Stop on SIGINT/SIGTERM (handlers installed without SA_RESTART for the run, the previous
  // ones restored after). Off where the host owns the signals (Python checks its own and
  // calls request_stop()).
  bool install_signal_handlers = true;
  // `qtune retry --failed`: before running, every FAILED trial (whose failure_reason contains
  // retry_reason, when set) is reopened (Study::retry) and its folder forgets how it ended
  // (exec::forget_recorded_end), so that it runs afresh; then the study runs as usual, the
  // retried trials first. Only without a worker id: the study is refused while others run it.
  bool retry_failed = false;
  std::string retry_reason;
  // Who is running, at the start of every message ("qtune run: ...").
  std::string who = "qtune run";
};

// Progress of a run; every callback runs on the thread that called run(). Default: nothing.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  // The study is open; trial `number`'s logs go to trials_dir / number.
  virtual void started(const StudyConfig& config, const std::filesystem::path& trials_dir) {
    (void)config;
    (void)trials_dir;
  }
  // A trial finished and its outcome is recorded.
  virtual void trial_finished(std::int64_t number, const std::vector<store::Param>& params,
                              const exec::TrialOutcome& outcome, const Progress& progress) {
    (void)number;
    (void)params;
    (void)outcome;
    (void)progress;
  }
  // A line for the user, starting with RunnerOptions::who.
  virtual void note(const std::string& message) { (void)message; }
  // After every poll of the executor (at most every 200 ms), with the progress as last read
  // (the store is read again only when a trial starts or ends, or at a heartbeat); a place
  // to check for a stop (request_stop()).
  virtual void progress(const Progress& progress) { (void)progress; }
};

enum class RunEnd {
  kFinished,     // the study is over; best is set
  kNoSuccess,    // the study is over without a successful trial
  kInterrupted,  // stopped by a signal or request_stop(); running trials are interrupted
  // [budget] max_time ended the run before the study was over and before any trial
  // succeeded; trials that had not run are INTERRUPTED, and running again continues.
  kTimeUp,
};

struct RunResult {
  RunEnd end = RunEnd::kFinished;
  std::optional<BestTrial> best;
  // kInterrupted: "stopped; running trials were recorded as interrupted, ..."; kTimeUp, and
  // kFinished when max_time ended the run before the study was over: "[budget] max_time 3s
  // is up: 2 trials given back (INTERRUPTED), ...; run the same command to continue".
  std::string message;
};

// The builtin metric function on metrics::FolderScorer; one scorer for all its calls, so a
// reference folder's statistics are computed once.
exec::BuiltinMetricFunction default_builtin_metric();

// <study file's folder>/<name>.trials: where the trials' logs go (one folder per number).
std::filesystem::path trials_dir(const StudyConfig& config);

// What the executor gets for trial `number` (id, number, its folder under trials_dir, its
// parameters): the Runner starts trials with it, and `qtune best --command` and the report
// expand the same command from it.
exec::TrialSpec trial_spec(const StudyConfig& config, TrialId id, std::int64_t number,
                           const std::vector<store::Param>& params);

class Runner {
 public:
  explicit Runner(RunnerOptions options, RunObserver* observer = nullptr);
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Loads options.file, opens its store and the study (shared with a worker id), and runs it
  // to its end. Errors: a bad study file or no [trial] (kInvalidArgument), the store, the
  // executor, or kConflict when (without a worker id) other processes run the study.
  base::Result<RunResult> run();
  // Runs a study opened by the caller (its config's [trial] is required), which must outlive
  // the call. options.file and storage are not used.
  base::Result<RunResult> run(Study& study);

  // Stops the current (or next) run at its next poll. Thread-safe; `signal` (e.g. SIGINT)
  // names the cause in the message, 0 for "stop requested".
  void request_stop(int signal = 0);

 private:
  base::Result<RunResult> run_with(Study& study, exec::Executor& executor);

  RunnerOptions options_;
  RunObserver* observer_;
  std::atomic<int> stop_{-1};  // -1: running; else the signal that stops it (0: none)
};

}  // namespace qtune::study
