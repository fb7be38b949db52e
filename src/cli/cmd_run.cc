// qtune run STUDY.toml: one process drives the study (study::Runner); the same command resumes
// it. A study that `qtune worker` processes are running is refused (their trials are live).
#include <memory>
#include <string>

#include "cli/command.h"
#include "cli/run_study.h"

namespace qtune::cli {
namespace {

struct RunFlags {
  std::string file;
  std::string storage;
  bool quiet = false;
};

}  // namespace

Command add_run_command(CLI::App& app) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* sub =
      app.add_subcommand("run", "run a study: tune the [trial] command; running it again resumes");
  sub->add_option("study_file", flags->file, "the study file (TOML)")->required();
  sub->add_option("--storage", flags->storage,
                  "store URL, overriding [study] storage (env QTUNE_STORAGE)")
      ->envname("QTUNE_STORAGE");
  sub->add_flag("-q,--quiet", flags->quiet, "no progress on stderr");
  return {sub, [flags] {
            study::RunnerOptions options;
            options.file = flags->file;
            options.storage = flags->storage;
            return run_study("run", std::move(options), flags->quiet);
          }};
}

}  // namespace qtune::cli
