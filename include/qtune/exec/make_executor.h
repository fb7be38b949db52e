// make_executor: the executor that a study's [trial] executor names, "local" (LocalExecutor:
// processes on this machine) or "slurm" (SlurmExecutor: sbatch jobs), from the options both
// take. [budget] gpus belongs to the local executor; on Slurm, GPUs are requested with
// [trial.slurm] gres or gpus_per_task, and giving gpus with executor = "slurm" is an error.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "qtune/base/result.h"
#include "qtune/exec/executor.h"
#include "qtune/exec/trial_config.h"

namespace qtune::exec {

struct ExecutorOptions {
  std::size_t parallel = 1;       // trials (jobs) at once, >= 1
  std::vector<int> gpus;          // local only: CUDA_VISIBLE_DEVICES per slot
  std::string study_name;         // Slurm job names
  BuiltinMetricFunction builtin;  // may be empty
};

// kInvalidArgument for parallel 0, or gpus with executor = "slurm"; what the executor's
// create() returns otherwise.
base::Result<std::unique_ptr<Executor>> make_executor(TrialConfig config, ExecutorOptions options);

}  // namespace qtune::exec
