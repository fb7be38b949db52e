// run_process: runs a program (no shell) to completion for tests, capturing stdout, stderr
// and the exit status. Used to drive the qtune CLI and the Python reference scripts.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace qtune::testing {

struct ProcessResult {
  int exit_code = -1;  // exit status, or -1 if killed by a signal
  int signal = 0;      // the signal that ended it, or 0
  std::string out;
  std::string err;
};

// argv[0] is looked up in PATH. `env` entries ("NAME=value") are added to the environment.
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::filesystem::path& workdir = {},
                          const std::vector<std::string>& env = {});

// Runs a script from tests/reference/ with Debian's python3 (QTUNE_PYTHON); the test fails
// (ADD_FAILURE with the script's stderr) if it does not exit 0.
ProcessResult run_reference_script(const std::string& script, const std::vector<std::string>& args);

// The qtune binary built with the tests (QTUNE_CLI).
std::string qtune_cli();
std::filesystem::path source_dir();

}  // namespace qtune::testing
