// What `qtune run`, `qtune worker` and `qtune retry` share: the Runner (qtune/study/runner.h)
// with the progress display on stderr, the best parameters on stdout, and the exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "qtune/study/runner.h"

namespace qtune::cli {

// The flags `qtune run` and `qtune worker` share.
struct RunFlags {
  std::string file;
  std::string storage;
  bool quiet = false;
  std::string report;  // --report FILE: the study's HTML report, kept current while it runs
};

// Adds the positional study file and --storage (over the file's [study] storage, env
// QTUNE_STORAGE) to `app`: the commands that write a study (run, worker, import).
void add_study_file_flags(CLI::App& app, std::string& file, std::string& storage);

// add_study_file_flags, -q and --report.
void add_run_flags(CLI::App& app, RunFlags& flags);

// RunnerOptions for the study file and storage of `flags`.
study::RunnerOptions runner_options(const RunFlags& flags);

// `command`: "run", "worker" or "retry". Runs the study to its end, showing progress unless
// flags.quiet and keeping flags.report current; returns the exit code (command.h).
int run_study(const std::string& command, study::RunnerOptions options, const RunFlags& flags);

}  // namespace qtune::cli
