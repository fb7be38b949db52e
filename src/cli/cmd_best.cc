// qtune best: the best measured trial of a study, its parameters and value, on stdout.
#include <cstdio>

#include "cli/study_reader.h"

namespace qtune::cli {

Command add_best_command(CLI::App& app) {
  return add_study_reader(app, "best", "the best measured parameters and their value",
                          [](const OpenedStudy& opened, OutputFormat format) {
                            const auto found =
                                study::best_trial(opened.trials, opened.record.direction);
                            if (!found) {
                              std::fputs("qtune best: no successful trial yet\n", stderr);
                              return int{kExitNoSuccess};
                            }
                            std::fputs(format_best(*found, format).c_str(), stdout);
                            return int{kExitOk};
                          });
}

}  // namespace qtune::cli
