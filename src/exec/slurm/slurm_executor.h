// SlurmExecutor: runs each trial as one sbatch job on an existing Slurm cluster, up to
// `parallel` jobs queued or running at once.
//
// For a trial qtune writes <trial dir>/job.sh and submits it with
//   sbatch --parsable --job-name=qtune-<study>-<trial dir name> --chdir=<workdir>
//          --output=<trial dir>/stdout.log --error=<trial dir>/stderr.log --export=ALL
//          [the [trial.slurm] options] <trial dir>/job.sh
// with the same variables the local executor sets (QTUNE_TRIAL_ID, QTUNE_TRIAL_DIR,
// QTUNE_PARAM_<NAME>, the [trial] env table) in sbatch's environment, which --export=ALL
// hands to the job; CUDA_VISIBLE_DEVICES is left to Slurm. job.sh runs the command with
// every argv word single-quoted (shell = true keeps its meaning: /bin/sh -c) and, when the
// program ends on its own, records how in <trial dir>/exit_status ("exit=N" or "signal=N",
// the shell's convention: a status above 128 is a signal), written atomically. A trial is
// finished when that file exists; its metric is then read as the local executor reads it.
// A job that leaves the queue without that file (scancel from outside, node failure, the
// --time limit) fails with the state scontrol or sacct give for it (TIMEOUT: kTimeout,
// others kSignal), or "job left the queue without an exit status" when neither knows it.
// So does a recorded signal when Slurm says it terminated the job (the program's death can
// reach job.sh before job.sh's own SIGTERM does).
// sbatch refusing a job for a reason that repeats (an invalid partition, account, QOS, gres
// or option) makes start() fail with kInvalidArgument and sbatch's message: the trial did not
// start and the study stops. When sbatch cannot reach Slurm (controller down, a socket
// timeout) the trial stays in its slot unsubmitted and sbatch is tried again at poll() after
// 1 s, doubling to at most a minute, each try said in take_notes().
//
// squeue is asked about all jobs in one call, at most every [trial.slurm] poll_interval
// (status files are checked at every poll()). [trial] timeout counts from when squeue first
// shows the job running; then qtune scancels it (Slurm's KillWait is the grace period,
// kill_grace does not apply). cancel_all() scancels and waits (at most 30 s) until the jobs
// left the queue; scancelled jobs are marked in <trial dir>/slurm_cancelled.
//
// A trial started again in a directory whose slurm_job_id names the job of an earlier run
// (qtune was killed, or a worker taken for dead: release()) takes that job over instead of
// submitting a new one, so no finished or half-done training is lost, when the job runs the
// job.sh this run would write, was not scancelled by qtune, and has recorded its end or is
// still in the queue (squeue, by id and job name; one that Slurm ends without a record then
// fails with Slurm's reason, as it would have with qtune alive). A job that started (job.sh
// created job_started) and left the queue without recording its end while no qtune watched
// (its time limit, a scancel, a node failure) is taken over too and fails with Slurm's state
// (scontrol, else sacct), or "ended while qtune was not watching" when Slurm no longer knows
// it: its GPU hours were spent, it is not run again. Otherwise the earlier job is cancelled
// and the trial submitted again. Each take-over is said in take_notes(). job.sh creates <trial
// dir>/job_started when it starts: a taken-over job's timeout counts from then, and a trial's
// elapsed time is the file times of job_started to exit_status when both exist.
//
// The trial directory and workdir must be on a file system the compute nodes share. Not
// thread-safe (executor.h). The destructor scancels the jobs still queued or running.
#pragma once

#include <memory>
#include <string>

#include "exec/metric_source.h"
#include "exec/polling_executor.h"
#include "qtune/base/result.h"
#include "qtune/exec/executor.h"
#include "qtune/exec/trial_config.h"

namespace qtune::exec {

struct SlurmExecutorOptions {
  std::size_t parallel = 1;       // jobs queued or running at once, >= 1
  std::string study_name;         // in job names: qtune-<study>-<trial>
  BuiltinMetricFunction builtin;  // computes [trial] metric = { builtin = ... }; may be empty
};

class SlurmExecutor final : public PollingExecutor {
 public:
  // kInvalidArgument if parallel is 0; kIoError if its scratch folder cannot be made;
  // kNotFound if `sbatch --version` does not run.
  static base::Result<std::unique_ptr<SlurmExecutor>> create(TrialConfig config,
                                                             SlurmExecutorOptions options);
  ~SlurmExecutor() override;

  std::size_t slots() const override;
  std::size_t running() const override;
  base::Status start(const TrialSpec& spec) override;
  std::vector<FinishedTrial> poll() override;
  void prune(TrialId id) override;
  void release(TrialId id) override;
  std::vector<FinishedTrial> cancel_all() override;
  void cancel_waiting() override;
  std::vector<std::string> take_notes() override;
  std::vector<TakenOver> take_taken_over() override;

 private:
  struct State;
  explicit SlurmExecutor(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace qtune::exec
