// LocalExecutor: runs trials as child processes on this machine, `parallel` at once.
//
// Each trial runs the [trial] command (argv expanded word by word, no shell unless
// shell = true) in the trial's workdir, in its own process group, with stdout/stderr
// redirected to <trial dir>/stdout.log and stderr.log, and with these environment variables
// added to qtune's own: QTUNE_TRIAL_ID, QTUNE_TRIAL_DIR, QTUNE_PARAM_<NAME> (NAME upper-cased),
// the [trial] env table, and CUDA_VISIBLE_DEVICES when GPUs are given (slot i uses
// gpus[i % gpus.size()]). After the process exits the metric is collected (metric_source.h);
// a built-in image metric on a background thread, one trial at a time, so timeouts and the
// other trials are still polled meanwhile. A trial counts in running() until poll() returns it.
//
// Take-over (trial_process.h): each trial's spawned process forks the program and writes
// <trial dir>/exit_status when the program ends on its own (exec/process.h), and it leaves
// <trial dir>/process (pid, start time, process group, host, command hash) before exec.
// Trials do not die with qtune. start() of a trial whose record names a process that still
// runs on this host with the same command adopts it: polled through /proc (not our child),
// its timeout counted from the process's start, its end read from exit_status. A recorded
// process that ended with an exit status is that trial's outcome (no run again); otherwise
// the trial starts afresh (an earlier process with another command is killed first).
// release() leaves the process running for the trial's new owner; a trial qtune stopped
// itself (timeout, cancel) loses its record, so it is never taken over.
//
// When a trial ends, times out or is cancelled, its process group and every process it
// started (descendants.h, also setsid'd ones) are killed; the ones re-parented to qtune
// (a child subreaper: study::Runner) are reaped.
//
// Not thread-safe (see executor.h). The destructor kills the trials still running.
#pragma once

#include <memory>
#include <vector>

#include "exec/metric_source.h"
#include "exec/polling_executor.h"
#include "qtune/base/result.h"
#include "qtune/exec/executor.h"
#include "qtune/exec/trial_config.h"

namespace qtune::exec {

struct LocalExecutorOptions {
  std::size_t parallel = 1;       // slots, >= 1
  std::vector<int> gpus;          // CUDA device ids; empty: CUDA_VISIBLE_DEVICES untouched
  BuiltinMetricFunction builtin;  // computes [trial] metric = { builtin = ... }; may be empty
};

class LocalExecutor final : public PollingExecutor {
 public:
  // kInvalidArgument if parallel is 0.
  static base::Result<std::unique_ptr<LocalExecutor>> create(TrialConfig config,
                                                             LocalExecutorOptions options);
  ~LocalExecutor() override;

  std::size_t slots() const override;
  std::size_t running() const override;
  base::Status start(const TrialSpec& spec) override;
  std::vector<FinishedTrial> poll() override;
  void prune(TrialId id) override;
  void release(TrialId id) override;
  std::vector<FinishedTrial> cancel_all() override;
  std::vector<TakenOver> take_taken_over() override;

 private:
  struct State;
  LocalExecutor(TrialConfig config, LocalExecutorOptions options);
  std::unique_ptr<State> state_;
};

}  // namespace qtune::exec
