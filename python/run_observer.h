// What Study.run() sees of the Runner while the GIL is released: progress lines on Python's
// sys.stderr (unless quiet), and Python's pending signals. Python owns SIGINT, so the Runner
// installs no handler; instead, every poll takes the GIL for PyErr_CheckSignals(), and a
// KeyboardInterrupt (or any exception a signal handler raised) stops the Runner and is kept
// to be raised once run() returns.
#pragma once

#include <pybind11/pybind11.h>

#include <optional>
#include <string>
#include <vector>

#include "qtune/study/runner.h"

namespace qtune::python {

class PythonRunObserver : public study::RunObserver {
 public:
  explicit PythonRunObserver(bool quiet) : quiet_(quiet) {}

  // The Runner to stop when a signal handler raises.
  void stop(study::Runner& runner) { runner_ = &runner; }

  void started(const study::StudyConfig& config, const std::filesystem::path& trials_dir) override;
  void trial_finished(std::int64_t number, const std::vector<store::Param>& params,
                      const exec::TrialOutcome& outcome, const study::Progress& progress) override;
  void note(const std::string& message) override;
  void progress(const study::Progress& progress) override;

  // The exception a signal handler raised during the run; call with the GIL held.
  std::optional<pybind11::error_already_set>& error() { return error_; }

 private:
  // Called without the GIL.
  void check_signals();
  void write(const std::string& line);

  bool quiet_;
  study::Runner* runner_ = nullptr;
  std::optional<pybind11::error_already_set> error_;
};

}  // namespace qtune::python
