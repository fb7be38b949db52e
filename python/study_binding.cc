// qtune.Study: a study driven from Python with ask/tell (Optuna's shape), over the study's
// own store, so that `qtune status` and a resumed Python loop see the same trials.
#include <fmt/format.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bindings.h"
#include "errors.h"
#include "qtune/space/space_config.h"
#include "qtune/store/open_store.h"
#include "qtune/study/import.h"
#include "qtune/study/runner.h"
#include "qtune/study/study.h"
#include "run_observer.h"
#include "toml_from_dict.h"

namespace qtune::python {
namespace {

namespace py = pybind11;

// Parameters as Python values of their dimension's type: int, float or str.
py::dict params_of(const space::Space& space, space::StateId state) {
  py::dict params;
  for (std::size_t k = 0; k < space.dims(); ++k) {
    params[py::str(space.dimension(k).name)] =
        std::visit([](const auto& v) { return py::cast(v); }, space.value(state, k));
  }
  return params;
}

// A trial to run, as ask() hands it out.
struct Trial {
  TrialId id = 0;
  std::int64_t number = 0;
  space::StateId state_id = 0;
  py::dict params;
  std::uint32_t trajectory = 0;
  bool remeasure = false;
  bool resumed = false;
  std::int64_t attempt = 0;
};

// A trial as the store keeps it (trials()).
struct TrialRecord {
  TrialId id = 0;
  std::int64_t number = 0;
  std::string state;  // "RUNNING", "COMPLETE", "FAILED", "INTERRUPTED" or "PRUNED"
  space::StateId state_id = 0;
  py::dict params;
  std::optional<double> value;
  std::string failure_reason;
  std::string log_tail;
  std::string worker;
  std::uint32_t trajectory = 0;
  bool remeasure = false;
  std::int64_t attempt = 0;
  double created_at = 0;
  double started_at = 0;
  std::optional<double> finished_at;
  std::string source;   // imported: "FILE:LINE"; empty for a trial qtune ran
  py::dict components;  // a combined metric's: {"fid": 12.5, ...}; empty otherwise
};

struct BestTrial {
  std::int64_t number = 0;
  space::StateId state_id = 0;
  py::dict params;
  double value = 0;
  std::size_t measurements = 1;
};

struct Progress {
  std::size_t imported = 0;
  std::size_t complete = 0;
  std::size_t failed = 0;
  std::size_t running = 0;
  std::size_t interrupted = 0;
  std::size_t evaluations = 0;
  std::optional<std::uint64_t> budget;
  std::optional<BestTrial> best;
  std::optional<double> epsilon;
  std::size_t pruned = 0;
};

BestTrial best_of(const space::Space& space, const study::BestTrial& best) {
  return {best.number, best.state, params_of(space, best.state), best.value, best.measurements};
}

class PyStudy {
 public:
  // Opens (creates or resumes) the study of `config` in its storage, or in `storage` (a
  // store URL) when given.
  static std::unique_ptr<PyStudy> open(study::StudyConfig config,
                                       const std::optional<std::string>& storage) {
    if (storage) config.storage = store::StorageUrl(*storage);
    auto opened = std::make_shared<Opened>();
    throw_if_error(without_gil([&]() -> base::Status {
      QTUNE_ASSIGN_OR_RETURN(opened->store, store::open_store(config.storage.url()));
      QTUNE_ASSIGN_OR_RETURN(opened->study, study::Study::open(config, *opened->store));
      return base::Status::ok();
    }));
    return std::unique_ptr<PyStudy>(new PyStudy(std::move(opened)));
  }

  // The next trial, or None once the study is finished (budget spent or space exhausted).
  std::optional<Trial> ask(const std::string& worker) {
    const auto o = opened();
    const study::Ask next = value_or_throw(without_gil([&] { return o->study->ask(worker); }));
    if (next.finished) return std::nullopt;
    if (!next.trial) {
      // In a Python loop nothing else would tell the running trials: waiting would hang.
      throw StatusError(base::Status::conflict(fmt::format(
          "ask: every trajectory of study \"{}\" has a running trial (parallel = {}); tell() or "
          "tell_failure() one of the trials handed out before asking again",
          name_, o->study->config().budget.parallel)));
    }
    const study::TrialToRun& t = *next.trial;
    return Trial{t.id,         t.number,    t.state,   params_of(space(*o), t.state),
                 t.trajectory, t.remeasure, t.resumed, t.attempt};
  }

  void tell(const Trial& trial, double value) { finish(trial, study::Outcome::success(value)); }

  // One result measured outside the study (a dict with every parameter), added as an
  // imported trial that the strategy learns before its next proposal.
  void add_trial(const py::dict& params, double value) {
    const auto o = opened();
    const space::Space& sp = space(*o);
    std::vector<space::Index> indices(sp.dims());
    for (const auto& [key, item] : params) {
      const std::string name = py::str(key).cast<std::string>();
      if (!sp.find(name)) {
        throw StatusError(base::Status::invalid_argument(
            fmt::format("add_trial: \"{}\" is not a parameter of study \"{}\"", name, name_)));
      }
    }
    for (std::size_t k = 0; k < sp.dims(); ++k) {
      const space::Dimension& dim = sp.dimension(k);
      if (!params.contains(dim.name)) {
        throw StatusError(base::Status::invalid_argument(
            fmt::format("add_trial: parameter \"{}\" is missing; give every parameter", dim.name)));
      }
      const py::handle item = params[py::str(dim.name)];
      const std::string text = py::isinstance<py::float_>(item)
                                   ? fmt::format("{}", item.cast<double>())
                                   : py::str(item).cast<std::string>();
      const auto index = space::find_value(dim, text);
      if (!index) {
        throw StatusError(base::Status::invalid_argument(
            fmt::format("add_trial: {} is {}, not a value of the [space] ({})", dim.name, text,
                        space::list_values(dim))));
      }
      indices[k] = *index;
    }
    if (!std::isfinite(value)) {
      throw StatusError(base::Status::invalid_argument(
          fmt::format("add_trial: the value is {}; add measured (finite) values", value)));
    }
    const space::StateId state = sp.encode(indices);
    std::vector<store::Param> stored;
    for (std::size_t k = 0; k < sp.dims(); ++k) {
      stored.push_back({sp.dimension(k).name, space::format_value(sp.value(state, k))});
    }
    // The source names the configuration, so adding the same result again (a script that
    // re-adds its history each time it starts) adds nothing, as a second import does.
    std::string source = "python:add_trial:";
    for (const store::Param& p : stored) source += fmt::format(" {}={}", p.name, p.value);
    throw_if_error(without_gil([&]() -> base::Status {
      return o->study->add_results({{state, stored, value, std::move(source)}}).status();
    }));
  }

  // `qtune import` from Python: {"read", "added", "already", "skipped": [...]}.
  py::dict import_results(const std::filesystem::path& path, const std::optional<std::string>& key,
                          const std::optional<std::string>& objective, bool strict) {
    const auto o = opened();
    study::ImportOptions options{key.value_or(""), objective.value_or(""), strict};
    const study::ImportReport report = value_or_throw(
        without_gil([&] { return study::import_results(*o->study, {path}, options); }));
    py::dict out;
    out["read"] = report.read;
    out["added"] = report.added;
    out["already"] = report.already;
    out["skipped"] = report.skipped;
    return out;
  }
  void tell_failure(const Trial& trial, std::string reason, std::string log_tail) {
    finish(trial, study::Outcome::failure(std::move(reason), std::move(log_tail)));
  }
  void mark_interrupted(const Trial& trial) {
    const auto o = opened();
    throw_if_error(without_gil([&] { return o->study->mark_interrupted(trial.id); }));
  }

  // The trial loop of `qtune run` over this study: its [trial] command run by the executor
  // that [trial] names. A KeyboardInterrupt (or another exception a signal handler raises)
  // stops it, the running trials recorded interrupted, and is raised; run() again resumes.
  std::optional<BestTrial> run(bool quiet, const std::optional<std::string>& storage) {
    if (storage && store::StorageUrl(*storage) != opened()->study->config().storage) {
      reopen(*storage);
    }
    const auto o = opened();
    const study::StudyConfig& config = o->study->config();
    if (!config.trial) {
      throw StatusError(base::Status::invalid_argument(fmt::format(
          "Study.run: study \"{}\" ({}) has no [trial] section; run() needs the command that "
          "runs a trial: add [trial] command = [\"python3\", \"train.py\", \"{{K}}\"] to the "
          "study file, or \"trial\": {{\"command\": [...]}} to the dict of Study.from_dict",
          name_, config.file.string())));
    }
    study::RunnerOptions options;
    options.who = "Study.run";
    options.install_signal_handlers = false;  // Python's own; the observer checks them
    PythonRunObserver observer(quiet);
    study::Runner runner(options, &observer);
    observer.stop(runner);
    const study::RunResult result =
        value_or_throw(without_gil([&] { return runner.run(*o->study); }));
    if (observer.error()) throw std::move(*observer.error());
    switch (result.end) {
      case study::RunEnd::kInterrupted:
        PyErr_SetNone(PyExc_KeyboardInterrupt);
        throw py::error_already_set();
      case study::RunEnd::kNoSuccess:
      case study::RunEnd::kTimeUp:  // max_time: nothing succeeded yet, run() again continues
        return std::nullopt;
      case study::RunEnd::kFinished:
        break;
    }
    return best_of(space(*o), *result.best);
  }

  std::optional<BestTrial> best() const {
    const auto o = opened();
    const auto best = value_or_throw(without_gil([&] { return o->study->best(); }));
    if (!best) return std::nullopt;
    return best_of(space(*o), *best);
  }

  static py::dict components_of(const store::TrialRecord& t) {
    py::dict out;
    for (const MetricComponent& c : t.components) out[py::str(c.name)] = c.value;
    return out;
  }

  std::vector<TrialRecord> trials() const {
    const auto o = opened();
    const auto records = value_or_throw(without_gil([&] { return o->study->trials(); }));
    std::vector<TrialRecord> out;
    out.reserve(records.size());
    for (const store::TrialRecord& t : records) {
      out.push_back({t.id, t.number, std::string(store::trial_state_name(t.state)), t.state_id,
                     params_of(space(*o), t.state_id), t.value, t.failure_reason, t.log_tail,
                     t.worker, t.trajectory, t.remeasure, t.attempt, t.created_at, t.started_at,
                     t.finished_at, t.source, components_of(t)});
    }
    return out;
  }

  Progress progress() const {
    const auto o = opened();
    const study::Progress p = value_or_throw(without_gil([&] { return o->study->progress(); }));
    Progress out{p.imported,    p.complete, p.failed,     p.running, p.interrupted,
                 p.evaluations, p.budget,   std::nullopt, p.epsilon, p.pruned};
    if (p.best) out.best = best_of(space(*o), *p.best);
    return out;
  }

  // Closes the store (the SQLite file); trials handed out and not told are resumed by the
  // next open. Idempotent; any other call after it raises OperationError.
  void close() { opened_.reset(); }
  bool closed() const { return opened_ == nullptr; }

  const std::string& name() const { return name_; }
  const std::string& storage() const { return storage_; }
  std::string direction() const { return std::string(store::direction_name(direction_)); }

 private:
  // The store must outlive the study: members are destroyed in reverse order.
  struct Opened {
    std::unique_ptr<store::Store> store;
    std::unique_ptr<study::Study> study;
  };

  // Study.run(storage=...) with another store: the same study opened there instead.
  void reopen(const std::string& storage) {
    std::unique_ptr<PyStudy> other = open(opened()->study->config(), storage);
    storage_ = other->storage_;
    opened_ = std::move(other->opened_);
  }

  explicit PyStudy(std::shared_ptr<Opened> opened)
      : name_(opened->study->config().name),
        storage_(opened->study->config().storage.shown()),
        direction_(opened->study->config().direction),
        opened_(std::move(opened)) {}

  // Each call holds its own reference while the GIL is released, so a close() from another
  // thread cannot destroy the study under it.
  std::shared_ptr<Opened> opened() const {
    if (!opened_) {
      throw StatusError(
          base::Status::conflict(fmt::format("study \"{}\": closed; open it again", name_)));
    }
    return opened_;
  }
  static const space::Space& space(const Opened& o) { return o.study->config().space; }

  void finish(const Trial& trial, const study::Outcome& outcome) {
    const auto o = opened();
    throw_if_error(without_gil([&] { return o->study->tell(trial.id, outcome); }));
  }

  std::string name_;
  std::string storage_;
  store::Direction direction_;
  std::shared_ptr<Opened> opened_;  // null once closed
};

std::string repr_params(const py::dict& params) { return py::repr(params).cast<std::string>(); }

std::string optional_text(const std::optional<double>& value) {
  return value ? fmt::format("{}", *value) : "None";
}

}  // namespace

void bind_study(py::module_& m) {
  py::class_<Trial>(m, "Trial", "A trial to run: evaluate params, then study.tell(trial, value).")
      .def_readonly("id", &Trial::id, "the store's trial id")
      .def_readonly("number", &Trial::number, "0, 1, 2, ... within the study")
      .def_readonly("state_id", &Trial::state_id, "the configuration's state id in the space")
      .def_readonly("params", &Trial::params, "{dimension: value} with int, float or str values")
      .def_readonly("trajectory", &Trial::trajectory)
      .def_readonly("remeasure", &Trial::remeasure,
                    "a deliberate re-measurement of a measured configuration")
      .def_readonly("resumed", &Trial::resumed, "handed out again after an interruption")
      .def_readonly("attempt", &Trial::attempt)
      .def("__repr__", [](const Trial& t) {
        return fmt::format("Trial(number={}, params={})", t.number, repr_params(t.params));
      });

  py::class_<TrialRecord>(m, "TrialRecord", "A trial as the study's store keeps it.")
      .def_readonly("id", &TrialRecord::id)
      .def_readonly("number", &TrialRecord::number)
      .def_readonly("state", &TrialRecord::state,
                    "RUNNING, COMPLETE, FAILED, INTERRUPTED or PRUNED")
      .def_readonly("state_id", &TrialRecord::state_id)
      .def_readonly("params", &TrialRecord::params)
      .def_readonly("value", &TrialRecord::value, "the raw metric; None unless COMPLETE")
      .def_readonly("failure_reason", &TrialRecord::failure_reason)
      .def_readonly("log_tail", &TrialRecord::log_tail)
      .def_readonly("worker", &TrialRecord::worker)
      .def_readonly("trajectory", &TrialRecord::trajectory)
      .def_readonly("remeasure", &TrialRecord::remeasure)
      .def_readonly("attempt", &TrialRecord::attempt)
      .def_readonly("created_at", &TrialRecord::created_at,
                    "seconds since the Unix epoch (database clock)")
      .def_readonly("started_at", &TrialRecord::started_at)
      .def_readonly("finished_at", &TrialRecord::finished_at)
      .def_readonly("source", &TrialRecord::source,
                    "imported trials: the FILE:LINE they came from; empty otherwise")
      .def_readonly("components", &TrialRecord::components,
                    "a combined metric's metrics, {name: raw value}; value is then the loss "
                    "the strategy was told (a rank, lower better); empty otherwise")
      .def("__repr__", [](const TrialRecord& t) {
        return fmt::format("TrialRecord(number={}, state={}, params={}, value={})", t.number,
                           t.state, repr_params(t.params), optional_text(t.value));
      });

  py::class_<BestTrial>(m, "BestTrial", "The best measured trial.")
      .def_readonly("number", &BestTrial::number)
      .def_readonly("state_id", &BestTrial::state_id)
      .def_readonly("params", &BestTrial::params)
      .def_readonly("value", &BestTrial::value,
                    "the value; the mean when the configuration was measured several times")
      .def_readonly("measurements", &BestTrial::measurements)
      .def("__repr__", [](const BestTrial& b) {
        return fmt::format("BestTrial(number={}, params={}, value={})", b.number,
                           repr_params(b.params), b.value);
      });

  py::class_<Progress>(m, "Progress", "Trial counts, the budget and the best trial so far.")
      .def_readonly("imported", &Progress::imported,
                    "imported results (not in complete, not in the budget)")
      .def_readonly("complete", &Progress::complete)
      .def_readonly("failed", &Progress::failed)
      .def_readonly("running", &Progress::running)
      .def_readonly("interrupted", &Progress::interrupted)
      .def_readonly("pruned", &Progress::pruned, "stopped early by [pruning]")
      .def_readonly("evaluations", &Progress::evaluations,
                    "every trial created: what the budget counts")
      .def_readonly("budget", &Progress::budget, "[budget] trials, or None")
      .def_readonly("best", &Progress::best)
      .def_readonly("epsilon", &Progress::epsilon)
      .def("__repr__", [](const Progress& p) {
        return fmt::format(
            "Progress(complete={}, failed={}, running={}, evaluations={}, budget={})", p.complete,
            p.failed, p.running, p.evaluations, p.budget ? std::to_string(*p.budget) : "None");
      });

  py::class_<PyStudy>(
      m, "Study",
      "A study (space + strategy + store) driven with ask/tell. One process drives a SQLite "
      "study at a time: opening it takes trials left running for interrupted.")
      .def_static(
          "open",
          [](const std::filesystem::path& path, const std::optional<std::string>& storage) {
            return PyStudy::open(
                value_or_throw(without_gil([&] { return study::load_study_config(path); })),
                storage);
          },
          py::arg("path"), py::arg("storage") = py::none(),
          "Opens the study of a study file (TOML), creating or resuming it in [study] storage or "
          "in "
          "`storage` (a store URL such as sqlite:///abs/path.db).")
      .def_static(
          "from_toml",
          [](const std::string& text, const std::filesystem::path& path,
             const std::optional<std::string>& storage) {
            return PyStudy::open(value_or_throw(study::parse_study_config(text, path)), storage);
          },
          py::arg("text"), py::kw_only(), py::arg("path") = "study.toml",
          py::arg("storage") = py::none(),
          "Opens a study from study-file text; `path` names it in messages and anchors relative "
          "paths.")
      .def_static(
          "from_dict",
          [](const py::dict& config, const std::filesystem::path& path,
             const std::optional<std::string>& storage) {
            return PyStudy::open(
                value_or_throw(study::parse_study_config(toml_from_dict(config), path)), storage);
          },
          py::arg("config"), py::kw_only(), py::arg("path") = "study.toml",
          py::arg("storage") = py::none(),
          "Opens a study from a dict shaped like the study file ({'space': {...}, 'budget': "
          "{...}}).")
      .def("ask", &PyStudy::ask, py::arg("worker") = "",
           "The next Trial, or None when the study is finished. Raises ConflictError when every "
           "trajectory has a trial running (tell one first).")
      .def("tell", &PyStudy::tell, py::arg("trial"), py::arg("value"),
           "Records the metric of a trial; a value that is not finite counts as a failure.")
      .def("tell_failure", &PyStudy::tell_failure, py::arg("trial"), py::arg("reason"),
           py::arg("log_tail") = "", "Records a failed trial; the strategy applies its penalty.")
      .def("add_trial", &PyStudy::add_trial, py::arg("params"), py::arg("value"),
           "Adds one result measured outside the study ({name: value} for every parameter) as "
           "an imported trial; the strategy learns it, the budget does not count it.")
      .def("import_results", &PyStudy::import_results, py::arg("path"), py::arg("key") = py::none(),
           py::arg("objective") = py::none(), py::arg("strict") = false,
           "`qtune import`: results that exist already (headerless KEY,VALUE with key, a CSV "
           "with a header, or qtune's JSON export). Returns {read, added, already, skipped}.")
      .def("mark_interrupted", &PyStudy::mark_interrupted, py::arg("trial"),
           "Gives a trial back: the next ask() hands the same configuration out again.")
      .def("run", &PyStudy::run, py::arg("quiet") = true, py::arg("storage") = py::none(),
           "Runs the study as `qtune run` does: the [trial] command for each trial, by the "
           "executor [trial] names, until the study is finished; returns the best trial or None. "
           "Progress goes to sys.stderr unless quiet. `storage` (a store URL) runs the study "
           "there, this object then using that store. Ctrl-C (KeyboardInterrupt) stops the "
           "running trials, records them interrupted and is raised; run() again resumes.")
      .def("best", &PyStudy::best, "The best measured trial, or None before the first success.")
      .def("trials", &PyStudy::trials, "Every trial, in number order.")
      .def("progress", &PyStudy::progress)
      .def("close", &PyStudy::close, "Closes the store; open the study again to resume.")
      .def_property_readonly("closed", &PyStudy::closed)
      .def_property_readonly("name", &PyStudy::name)
      .def_property_readonly("storage", &PyStudy::storage,
                             "the store URL, any password shown as ***")
      .def_property_readonly("direction", &PyStudy::direction, "minimize or maximize")
      .def(
          "__enter__", [](PyStudy& s) -> PyStudy& { return s; }, py::return_value_policy::reference)
      .def("__exit__", [](PyStudy& s, const py::args&) { s.close(); })
      .def("__repr__", [](const PyStudy& s) {
        return fmt::format("Study(name='{}', storage='{}'{})", s.name(), s.storage(),
                           s.closed() ? ", closed" : "");
      });
}

}  // namespace qtune::python
