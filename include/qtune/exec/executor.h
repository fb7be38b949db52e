// Executor: runs trials, several at once, without blocking the caller. LocalExecutor runs
// them as processes on this machine; SlurmExecutor submits them with sbatch. make_executor.h
// picks the one a study names.
//
// Contract:
// - start() launches a trial in a free slot and returns at once. It fails (kUnavailable)
//   only when no slot is free; a trial that cannot be launched is not an error: it comes
//   back from poll() with FailureReason::kLaunch.
// - poll() reaps finished trials, enforces timeouts, and returns each finished trial exactly
//   once. wait_any() is poll() that sleeps until at least one trial finished or `limit`
//   passed.
// - release() gives up a running trial that was handed to another process meanwhile: the
//   local executor stops it (SIGTERM to its process group, SIGKILL after the grace period),
//   the Slurm executor leaves its job to the new owner, which takes it over. Either way it
//   comes back from a later poll() as kInterrupted.
// - Not thread-safe: one thread drives an executor. Destroying an executor kills what still
//   runs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "qtune/base/status.h"
#include "qtune/exec/duration.h"
#include "qtune/exec/trial_outcome.h"

namespace qtune::exec {

using TrialId = std::int64_t;

// One trial to run: its id, its parameter values (formatted, in dimension order) and its
// own directory (created if missing; stdout.log and stderr.log are written there).
struct TrialSpec {
  TrialId id = 0;
  std::vector<std::pair<std::string, std::string>> params;
  std::filesystem::path dir;
};

struct FinishedTrial {
  TrialId id = 0;
  TrialOutcome outcome;
};

class Executor {
 public:
  virtual ~Executor() = default;

  // Number of trials that can run at once.
  virtual std::size_t slots() const = 0;
  // Trials started and not yet returned by poll() (one whose metric is being computed too).
  virtual std::size_t running() const = 0;

  virtual base::Status start(const TrialSpec& spec) = 0;
  virtual std::vector<FinishedTrial> poll() = 0;
  virtual std::vector<FinishedTrial> wait_any(Duration limit) = 0;
  // No-op for an id that is not running.
  virtual void release(TrialId id) = 0;
  // Cancels every running trial and waits until all are reaped (at most the grace period);
  // returns them, each kInterrupted.
  virtual std::vector<FinishedTrial> cancel_all() = 0;
};

}  // namespace qtune::exec
