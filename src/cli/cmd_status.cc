// qtune status: counts, the best trial and every trial of a study, on stdout. Safe to run
// while `qtune run` works on the same study (it only reads).
#include <cstdio>

#include "cli/study_reader.h"
#include "qtune/study/pruning.h"

namespace qtune::cli {

Command add_status_command(CLI::App& app) {
  return add_study_reader(
      app, "status", "progress of a study: counts, best, trials",
      [](const OpenedStudy& opened, OutputFormat format) {
        const auto progress = opened.store->progress(opened.record.id);
        if (!progress.is_ok()) return report_error("status", progress.status());
        const double saved = study::pruning_seconds_saved(opened.trials, *progress);
        std::fputs(format_status(opened.record, opened.trials, format,
                                 opened.config ? &opened.config->space : nullptr, saved)
                       .c_str(),
                   stdout);
        return int{kExitOk};
      });
}

}  // namespace qtune::cli
