// qtune status: counts, the best trial and every trial of a study, on stdout. Safe to run
// while `qtune run` works on the same study (it only reads).
#include <cstdio>

#include "cli/study_reader.h"

namespace qtune::cli {

Command add_status_command(CLI::App& app) {
  return add_study_reader(app, "status", "progress of a study: counts, best, trials",
                          [](const OpenedStudy& opened, OutputFormat format) {
                            std::fputs(
                                format_status(opened.record, opened.trials, format,
                                              opened.config ? &opened.config->space : nullptr)
                                    .c_str(),
                                stdout);
                            return int{kExitOk};
                          });
}

}  // namespace qtune::cli
