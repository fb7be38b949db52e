// qtune status: counts, the best trial, the workers and every trial of a study, on stdout.
// Safe to run while `qtune run` works on the same study (it only reads).
#include <chrono>
#include <cstdio>

#include "cli/study_reader.h"
#include "qtune/exec/executor.h"
#include "qtune/study/runner.h"

namespace qtune::cli {
namespace {

int show_status(const OpenedStudy& opened, OutputFormat format) {
  StatusExtras extras;
  extras.now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto workers = opened.store->workers(opened.record.id);
  if (!workers.is_ok()) return report_error("status", workers.status());
  extras.workers = std::move(workers).value();
  // The Slurm job of each trial, from its folder (known with the study file only).
  if (opened.config && opened.config->trial &&
      opened.config->trial->executor == exec::ExecutorKind::kSlurm) {
    for (const store::TrialRecord& t : opened.trials) {
      if (const auto job =
              exec::slurm_job_id(study::trials_dir(*opened.config) / std::to_string(t.number)))
        extras.slurm_jobs[t.number] = *job;
    }
  }
  std::fputs(format_status(opened.record, opened.trials, format,
                           opened.config ? &opened.config->space : nullptr, extras)
                 .c_str(),
             stdout);
  return kExitOk;
}

}  // namespace

Command add_status_command(CLI::App& app) {
  return add_study_reader(app, "status", "progress of a study: counts, best, workers, trials",
                          show_status);
}

}  // namespace qtune::cli
