// The loop of `qtune run` and `qtune worker`: asks the study for trials, runs them with the
// study's executor (local processes or Slurm jobs, `parallel` at once), tells the study
// their outcomes, sends heartbeats for its running trials, shows progress on stderr and the
// best parameters on stdout.
// SIGINT/SIGTERM stop it cleanly: running trials are killed and recorded as interrupted.
#pragma once

#include <optional>
#include <string>

#include "qtune/base/duration.h"

namespace qtune::cli {

struct StudyLoopOptions {
  std::string command;  // "run" or "worker", for messages
  std::string file;
  std::string storage;  // overrides [study] storage when set
  bool quiet = false;
  base::Duration heartbeat{30'000};
  // How old a heartbeat makes a RUNNING trial dead: `run` refuses a study with younger ones;
  // a worker interrupts older ones so that they are handed out again.
  base::Duration stale_after{300'000};
  // Set: join the study as a worker with this id (Study::open_shared). Unset: `run`, the one
  // process driving the study (Study::open).
  std::optional<std::string> worker;
};

// Runs the study to its end; returns the exit code (command.h).
int run_study_loop(const StudyLoopOptions& options);

}  // namespace qtune::cli
