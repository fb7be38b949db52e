#include "qtune/exec/make_executor.h"

#include "exec/local/local_executor.h"
#include "exec/slurm/slurm_executor.h"

namespace qtune::exec {

base::Result<std::unique_ptr<Executor>> make_executor(TrialConfig config, ExecutorOptions options) {
  if (config.executor == ExecutorKind::kLocal) {
    QTUNE_ASSIGN_OR_RETURN(
        std::unique_ptr<LocalExecutor> local,
        LocalExecutor::create(std::move(config), {options.parallel, std::move(options.gpus),
                                                  std::move(options.builtin)}));
    return std::unique_ptr<Executor>(std::move(local));
  }
  if (!options.gpus.empty()) {
    return base::Status::invalid_argument(
        "[budget] gpus: is for executor = \"local\"; with executor = \"slurm\" request GPUs with "
        "[trial.slurm] "
        "gres = \"gpu:1\" or gpus_per_task = 1 (Slurm sets CUDA_VISIBLE_DEVICES)");
  }
  QTUNE_ASSIGN_OR_RETURN(
      std::unique_ptr<SlurmExecutor> slurm,
      SlurmExecutor::create(std::move(config), {options.parallel, std::move(options.study_name),
                                                std::move(options.builtin)}));
  return std::unique_ptr<Executor>(std::move(slurm));
}

}  // namespace qtune::exec
