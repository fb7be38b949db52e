// qtune run STUDY.toml: the tuning loop. Asks the study for trials, runs them with the local
// executor (`parallel` at once), tells the study their outcomes, shows progress on stderr and
// the best parameters on stdout. SIGINT/SIGTERM stop it cleanly: running trials are killed
// and recorded as interrupted, and the same command resumes.
#include <signal.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "cli/builtin_metric.h"
#include "cli/command.h"
#include "cli/progress.h"
#include "cli/study_output.h"
#include "cli/study_source.h"
#include "qtune/exec/local_executor.h"
#include "qtune/store/open_store.h"
#include "qtune/study/study.h"

namespace qtune::cli {
namespace {

volatile std::sig_atomic_t g_stop_signal = 0;

extern "C" void on_stop_signal(int sig) { g_stop_signal = sig; }

// Installs the handler without SA_RESTART, and restores the previous ones on scope exit.
class StopSignals {
 public:
  StopSignals() {
    struct sigaction action = {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  struct sigaction old_int_ = {};
  struct sigaction old_term_ = {};
};

struct RunFlags {
  std::string file;
  std::string storage;
  bool quiet = false;
};

constexpr exec::Duration kPollLimit{200};

// Where trial `number`'s logs go: <study dir>/<name>.trials/<number>.
std::filesystem::path trial_dir(const study::StudyConfig& config, std::int64_t number) {
  const std::filesystem::path base = std::filesystem::absolute(config.file).parent_path();
  return base / (config.name + ".trials") / std::to_string(number);
}

study::Outcome to_study_outcome(const exec::TrialOutcome& outcome) {
  if (outcome.ok()) return study::Outcome::success(*outcome.value);
  return study::Outcome::failure(
      fmt::format("{}: {}", exec::failure_reason_name(outcome.reason), outcome.message), outcome.log_tail);
}

class RunLoop {
 public:
  RunLoop(study::Study& study, exec::Executor& executor, ProgressDisplay& display)
      : study_(study), executor_(executor), display_(display) {}

  // kCancelled when a signal stopped it.
  base::Status run() {
    while (true) {
      if (g_stop_signal != 0) return stop();
      bool finished = false;
      while (executor_.running() < executor_.slots()) {
        QTUNE_ASSIGN_OR_RETURN(study::Ask next, study_.ask());
        if (!next.trial) {
          finished = next.finished;
          break;
        }
        QTUNE_RETURN_IF_ERROR(start(*next.trial));
      }
      if (finished && executor_.running() == 0) return base::Status::ok();
      for (const exec::FinishedTrial& done : executor_.wait_any(kPollLimit)) {
        QTUNE_RETURN_IF_ERROR(record(done));
      }
      QTUNE_ASSIGN_OR_RETURN(study::Progress progress, study_.progress());
      display_.update(progress);
    }
  }

 private:
  base::Status start(const study::TrialToRun& trial) {
    exec::TrialSpec spec;
    spec.id = trial.id;
    spec.dir = trial_dir(study_.config(), trial.number);
    for (const store::Param& p : trial.params) spec.params.emplace_back(p.name, p.value);
    running_[trial.id] = trial;
    return executor_.start(spec);
  }

  base::Status record(const exec::FinishedTrial& done) {
    const study::TrialToRun trial = running_.at(done.id);
    running_.erase(done.id);
    if (done.outcome.reason == exec::FailureReason::kInterrupted) {
      QTUNE_RETURN_IF_ERROR(study_.mark_interrupted(done.id));
    } else {
      QTUNE_RETURN_IF_ERROR(study_.tell(done.id, to_study_outcome(done.outcome)));
    }
    QTUNE_ASSIGN_OR_RETURN(study::Progress progress, study_.progress());
    display_.trial_finished(trial.number, describe_params(trial.params), done.outcome, progress);
    return base::Status::ok();
  }

  base::Status stop() {
    const std::size_t running = executor_.running();
    display_.note(fmt::format("qtune run: {} received; stopping {} running trial{}", strsignal(g_stop_signal),
                              running, running == 1 ? "" : "s"));
    for (const exec::FinishedTrial& done : executor_.cancel_all()) QTUNE_RETURN_IF_ERROR(record(done));
    return base::Status::cancelled("stopped; running trials were recorded as interrupted, run the same "
                                   "command again to resume");
  }

  study::Study& study_;
  exec::Executor& executor_;
  ProgressDisplay& display_;
  std::map<store::TrialId, study::TrialToRun> running_;
};

int run(const RunFlags& flags) {
  auto config = study::load_study_config(flags.file);
  if (!config.is_ok()) return report_error("run", config.status());
  if (!config->trial) {
    return report_error("run", base::Status::invalid_argument(fmt::format(
                                   "{}: [trial] is missing; qtune run needs the command that runs a trial, "
                                   "e.g. [trial] command = [\"python3\", \"train.py\", \"{{K}}\"]",
                                   flags.file)));
  }
  if (!flags.storage.empty()) config->storage = flags.storage;
  auto store = store::open_store(config->storage);
  if (!store.is_ok()) return report_error("run", store.status());
  exec::LocalExecutorOptions options;
  options.parallel = config->budget.parallel;
  options.gpus = config->budget.gpus;
  options.builtin = builtin_metric_function();
  auto executor = exec::LocalExecutor::create(*config->trial, options);
  if (!executor.is_ok()) return report_error("run", executor.status());
  auto opened = study::Study::open(std::move(config).value(), **store);
  if (!opened.is_ok()) return report_error("run", opened.status());
  study::Study& study = **opened;

  ProgressDisplay display(stderr, flags.quiet);
  display.note(fmt::format("qtune run: study \"{}\" in {}; trial logs in {}", study.config().name,
                           study.config().storage, trial_dir(study.config(), 0).parent_path().string()));
  const StopSignals signals;
  g_stop_signal = 0;
  const base::Status status = RunLoop(study, **executor, display).run();
  display.finish();
  if (status.code() == base::StatusCode::kCancelled) {
    display.note("qtune run: " + status.message());
    return kExitInterrupted;
  }
  if (!status.is_ok()) return report_error("run", status);
  auto best = study.best();
  if (!best.is_ok()) return report_error("run", best.status());
  if (!*best) {
    std::fputs("qtune run: the study finished with no successful trial; see the trial logs\n", stderr);
    return kExitNoSuccess;
  }
  std::fputs(format_best(**best, OutputFormat::kTable).c_str(), stdout);
  return kExitOk;
}

}  // namespace

Command add_run_command(CLI::App& app) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* sub = app.add_subcommand("run", "run a study: tune the [trial] command; running it again resumes");
  sub->add_option("study_file", flags->file, "the study file (TOML)")->required();
  sub->add_option("--storage", flags->storage, "store URL, overriding [study] storage (env QTUNE_STORAGE)")
      ->envname("QTUNE_STORAGE");
  sub->add_flag("-q,--quiet", flags->quiet, "no progress on stderr");
  return {sub, [flags] { return run(*flags); }};
}

}  // namespace qtune::cli
