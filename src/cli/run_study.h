// What `qtune run` and `qtune worker` share: the Runner (qtune/study/runner.h) with the
// progress display on stderr, the best parameters on stdout, and the exit code.
#pragma once

#include <string>

#include "qtune/study/runner.h"

namespace qtune::cli {

// `command`: "run" or "worker". Runs the study to its end; returns the exit code (command.h).
int run_study(const std::string& command, study::RunnerOptions options, bool quiet);

}  // namespace qtune::cli
