#include "cli/run_study.h"

#include <fmt/format.h>

#include <cstdio>

#include "cli/command.h"
#include "cli/progress.h"
#include "cli/study_output.h"
#include "cli/study_source.h"

namespace qtune::cli {

void add_study_file_flags(CLI::App& app, std::string& file, std::string& storage) {
  app.add_option("study_file", file, "the study file (TOML)")->required();
  app.add_option("--storage", storage, "store URL, overriding [study] storage (env QTUNE_STORAGE)")
      ->envname("QTUNE_STORAGE");
}

void add_run_flags(CLI::App& app, RunFlags& flags) {
  add_study_file_flags(app, flags.file, flags.storage);
  app.add_flag("-q,--quiet", flags.quiet, "no progress on stderr");
}

study::RunnerOptions runner_options(const RunFlags& flags) {
  study::RunnerOptions options;
  options.file = flags.file;
  options.storage = flags.storage;
  return options;
}

int run_study(const std::string& command, study::RunnerOptions options, bool quiet) {
  options.who = "qtune " + command;
  ProgressDisplay display(stderr, quiet, command, options.worker);
  study::Runner runner(std::move(options), &display);
  const base::Result<study::RunResult> result = runner.run();
  display.finish();
  if (!result.is_ok()) return report_error(command, result.status());
  switch (result->end) {
    case study::RunEnd::kInterrupted:
      display.note(fmt::format("qtune {}: {}", command, result->message));
      return kExitInterrupted;
    case study::RunEnd::kNoSuccess:
      std::fputs(
          fmt::format("qtune {}: the study finished with no successful trial; see the trial logs\n",
                      command)
              .c_str(),
          stderr);
      return kExitNoSuccess;
    case study::RunEnd::kFinished:
      break;
  }
  std::fputs(format_best(*result->best, OutputFormat::kTable).c_str(), stdout);
  return kExitOk;
}

}  // namespace qtune::cli
