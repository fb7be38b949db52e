// The qtune command table: each command adds its CLI11 subcommand and returns the action
// that runs it once the arguments are parsed. One file per command (cmd_<name>.cc).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace qtune::cli {

// Stable exit codes (documented in README.md); scripts depend on them.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,        // a runtime failure (I/O, database, metric computation)
  kExitUsage = 2,          // bad flags, bad study file, bad input
  kExitNoSuccess = 3,      // the study finished with no successful trial
  kExitInterrupted = 130,  // stopped by SIGINT/SIGTERM; running it again resumes
};

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

Command add_run_command(CLI::App& app);
Command add_worker_command(CLI::App& app);
Command add_status_command(CLI::App& app);
Command add_best_command(CLI::App& app);
Command add_export_command(CLI::App& app);
Command add_replay_command(CLI::App& app);
Command add_fid_command(CLI::App& app);
Command add_metrics_command(CLI::App& app);

}  // namespace qtune::cli
