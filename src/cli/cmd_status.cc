// qtune status: counts, the best trial and every trial of a study, on stdout. Safe to run
// while `qtune run` works on the same study (it only reads).
#include <chrono>
#include <cstdio>

#include "cli/study_reader.h"
#include "qtune/study/compute.h"
#include "qtune/study/pruning.h"

namespace qtune::cli {

Command add_status_command(CLI::App& app) {
  return add_study_reader(
      app, "status", "progress of a study: counts, best, trials",
      [](const OpenedStudy& opened, OutputFormat format) {
        const auto progress = opened.store->progress(opened.record.id);
        if (!progress.is_ok()) return report_error("status", progress.status());
        StatusExtras extras;
        extras.pruning_seconds_saved = study::pruning_seconds_saved(opened.trials, *progress);
        if (opened.config && opened.config->budget.compute) {
          extras.compute_budget_seconds =
              std::chrono::duration<double>(*opened.config->budget.compute).count();
          extras.compute_spent_seconds = study::compute_use(opened.trials).spent_seconds;
        }
        std::fputs(format_status(opened.record, opened.trials, format,
                                 opened.config ? &opened.config->space : nullptr, extras)
                       .c_str(),
                   stdout);
        return int{kExitOk};
      });
}

}  // namespace qtune::cli
