// qtune run STUDY.toml: one process drives the study (study_loop.h); the same command resumes
// it. A study that `qtune worker` processes are running is refused (their trials are live).
#include <memory>

#include "cli/command.h"
#include "cli/study_loop.h"

namespace qtune::cli {

Command add_run_command(CLI::App& app) {
  auto options = std::make_shared<StudyLoopOptions>();
  options->command = "run";
  CLI::App* sub =
      app.add_subcommand("run", "run a study: tune the [trial] command; running it again resumes");
  sub->add_option("study_file", options->file, "the study file (TOML)")->required();
  sub->add_option("--storage", options->storage,
                  "store URL, overriding [study] storage (env QTUNE_STORAGE)")
      ->envname("QTUNE_STORAGE");
  sub->add_flag("-q,--quiet", options->quiet, "no progress on stderr");
  return {sub, [options] { return run_study_loop(*options); }};
}

}  // namespace qtune::cli
