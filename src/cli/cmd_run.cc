// qtune run STUDY.toml: one process drives the study (study::Runner); the same command resumes
// it. A study that `qtune worker` processes are running is refused (their trials are live).
#include "cli/command.h"
#include "cli/run_study.h"

namespace qtune::cli {

Command add_run_command(CLI::App& app) {
  auto added = add_subcommand<RunFlags>(
      app, "run", "run a study: tune the [trial] command; running it again resumes");
  CLI::App* sub = added.first;
  const std::shared_ptr<RunFlags> flags = added.second;
  add_run_flags(*sub, *flags);
  return {sub, [flags] { return run_study("run", runner_options(*flags), *flags); }};
}

}  // namespace qtune::cli
