#include "run_observer.h"

#include <fmt/format.h>

#include <csignal>

#include "qtune/exec/executor.h"

namespace qtune::python {

namespace py = pybind11;

void PythonRunObserver::started(const study::StudyConfig& config,
                                const std::filesystem::path& trials_dir) {
  write(fmt::format("Study.run: study \"{}\" in {}; trial logs in {}", config.name, config.storage,
                    trials_dir.string()));
}

void PythonRunObserver::trial_finished(std::int64_t number, const std::vector<store::Param>& params,
                                       const exec::TrialOutcome& outcome,
                                       const study::Progress& progress) {
  std::string shown;
  for (const store::Param& p : params)
    shown += fmt::format("{}{}={}", shown.empty() ? "" : " ", p.name, p.value);
  const std::string result =
      outcome.ok()
          ? fmt::format("{:.6g}", *outcome.value)
          : fmt::format("{} ({})", exec::failure_reason_name(outcome.reason), outcome.message);
  write(fmt::format("trial {} {} -> {} in {:.1f}s [{}/{}]", number, shown, result,
                    std::chrono::duration<double>(outcome.elapsed).count(), progress.evaluations,
                    progress.budget ? std::to_string(*progress.budget) : "?"));
  check_signals();
}

void PythonRunObserver::note(const std::string& message) { write(message); }

void PythonRunObserver::progress(const study::Progress&) { check_signals(); }

void PythonRunObserver::check_signals() {
  py::gil_scoped_acquire gil;
  if (error_ || PyErr_CheckSignals() == 0) return;
  error_.emplace();  // fetches (and clears) the pending exception
  if (runner_) runner_->request_stop(error_->matches(PyExc_KeyboardInterrupt) ? SIGINT : 0);
}

void PythonRunObserver::write(const std::string& line) {
  if (quiet_) return;
  py::gil_scoped_acquire gil;
  py::module_::import("sys").attr("stderr").attr("write")(line + "\n");
}

}  // namespace qtune::python
