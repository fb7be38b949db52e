#include "cli/study_loop.h"

#include <fmt/format.h>
#include <signal.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "cli/builtin_metric.h"
#include "cli/command.h"
#include "cli/progress.h"
#include "cli/study_output.h"
#include "cli/study_source.h"
#include "qtune/exec/make_executor.h"
#include "qtune/store/open_store.h"
#include "qtune/study/study.h"
#include "study/liveness.h"

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

constexpr base::Duration kPollLimit{200};

// Where trial `number`'s logs go: <study dir>/<name>.trials/<number>.
std::filesystem::path trial_dir(const study::StudyConfig& config, std::int64_t number) {
  const std::filesystem::path base = std::filesystem::absolute(config.file).parent_path();
  return base / (config.name + ".trials") / std::to_string(number);
}

study::Outcome to_study_outcome(const exec::TrialOutcome& outcome) {
  if (outcome.ok()) return study::Outcome::success(*outcome.value);
  return study::Outcome::failure(
      fmt::format("{}: {}", exec::failure_reason_name(outcome.reason), outcome.message),
      outcome.log_tail);
}

class StudyLoop {
 public:
  StudyLoop(const StudyLoopOptions& options, study::Study& study, exec::Executor& executor,
            ProgressDisplay& display)
      : options_(options), study_(study), executor_(executor), display_(display) {}

  // kCancelled when a signal stopped it.
  base::Status run() {
    while (true) {
      if (g_stop_signal != 0) return stop();
      QTUNE_RETURN_IF_ERROR(keep_alive());
      bool finished = false;
      while (executor_.running() < executor_.slots()) {
        QTUNE_ASSIGN_OR_RETURN(study::Ask next, study_.ask(worker()));
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
  std::string_view worker() const {
    return options_.worker ? std::string_view(*options_.worker) : "";
  }
  std::string prefix() const { return "qtune " + options_.command; }

  // Every `heartbeat`: heartbeats for the trials running here (those another process took
  // for dead meanwhile are stopped: their result would not be ours to tell) and, for a
  // worker, the stale trials of dead ones marked interrupted so that ask() hands them out.
  base::Status keep_alive() {
    const auto now = std::chrono::steady_clock::now();
    if (last_beat_ && now - *last_beat_ < options_.heartbeat) return base::Status::ok();
    last_beat_ = now;
    QTUNE_ASSIGN_OR_RETURN(const std::vector<TrialId> lost, study_.heartbeat());
    for (const TrialId id : lost) {
      display_.note(fmt::format(
          "{}: trial id {} was taken for dead (heartbeat older than the stale limit) and "
          "handed out again; giving it up here",
          prefix(), id));
      lost_.insert(id);
      executor_.release(id);
    }
    if (!options_.worker) return base::Status::ok();
    QTUNE_ASSIGN_OR_RETURN(const std::size_t stale, study_.interrupt_stale(options_.stale_after));
    if (stale > 0) {
      display_.note(fmt::format(
          "{}: {} trial{} of dead workers (no heartbeat for {}) will run again", prefix(), stale,
          stale == 1 ? "" : "s", base::format_duration(options_.stale_after)));
    }
    return base::Status::ok();
  }

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
    if (lost_.erase(done.id) > 0) return base::Status::ok();
    const base::Status recorded = done.outcome.reason == exec::FailureReason::kInterrupted
                                      ? study_.mark_interrupted(done.id)
                                      : study_.tell(done.id, to_study_outcome(done.outcome));
    if (recorded.code() == base::StatusCode::kConflict && options_.worker) {
      // Taken for dead between two heartbeats: another worker runs it now.
      display_.note(fmt::format("{}: trial {} is not ours any more, its result is dropped ({})",
                                prefix(), trial.number, recorded.message()));
      return base::Status::ok();
    }
    QTUNE_RETURN_IF_ERROR(recorded);
    QTUNE_ASSIGN_OR_RETURN(study::Progress progress, study_.progress());
    display_.trial_finished(trial.number, describe_params(trial.params), done.outcome, progress);
    return base::Status::ok();
  }

  base::Status stop() {
    const std::size_t running = executor_.running();
    display_.note(fmt::format("{}: {} received; stopping {} running trial{}", prefix(),
                              strsignal(g_stop_signal), running, running == 1 ? "" : "s"));
    for (const exec::FinishedTrial& done : executor_.cancel_all())
      QTUNE_RETURN_IF_ERROR(record(done));
    return base::Status::cancelled(
        "stopped; running trials were recorded as interrupted, run the same "
        "command again to resume");
  }

  const StudyLoopOptions& options_;
  study::Study& study_;
  exec::Executor& executor_;
  ProgressDisplay& display_;
  std::map<TrialId, study::TrialToRun> running_;
  std::set<TrialId> lost_;  // running here, but handed to another worker since
  std::optional<std::chrono::steady_clock::time_point> last_beat_;
};

// `run` drives a study alone, and would take the trials of live workers for dead: refused.
base::Status refuse_if_workers_run(const study::StudyConfig& config, const store::Store& store,
                                   base::Duration stale_after) {
  QTUNE_ASSIGN_OR_RETURN(const std::optional<store::StudyRecord> stored,
                         store.find_study(config.name));
  if (!stored) return base::Status::ok();
  QTUNE_ASSIGN_OR_RETURN(const auto live, study::live_trials(store, stored->id, stale_after));
  if (live.empty()) return base::Status::ok();
  return base::Status::conflict(fmt::format(
      "study \"{}\" in {} is being run by other processes ({} live trial{}, e.g. trial {} on "
      "worker {}); join "
      "them with `qtune worker {}`, or wait until they stop (a dead worker's trials count as live "
      "until their "
      "heartbeat is {} old)",
      config.name, config.storage, live.size(), live.size() == 1 ? "" : "s", live.front().number,
      live.front().worker, config.file.string(), base::format_duration(stale_after)));
}

}  // namespace

int run_study_loop(const StudyLoopOptions& options) {
  const std::string& command = options.command;
  auto config = study::load_study_config(options.file);
  if (!config.is_ok()) return report_error(command, config.status());
  if (!config->trial) {
    return report_error(command,
                        base::Status::invalid_argument(fmt::format(
                            "{}: [trial] is missing; qtune {} needs the command that runs a trial, "
                            "e.g. [trial] command = [\"python3\", \"train.py\", \"{{K}}\"]",
                            options.file, command)));
  }
  if (!options.storage.empty()) config->storage = store::StorageUrl(options.storage);
  auto store = store::open_store(config->storage.url());
  if (!store.is_ok()) return report_error(command, store.status());
  exec::ExecutorOptions executor_options;
  executor_options.parallel = config->budget.parallel;
  executor_options.gpus = config->budget.gpus;
  executor_options.study_name = config->name;
  executor_options.builtin = builtin_metric_function();
  auto executor = exec::make_executor(*config->trial, executor_options);
  if (!executor.is_ok()) return report_error(command, executor.status());
  if (!options.worker) {
    const base::Status refused = refuse_if_workers_run(*config, **store, options.stale_after);
    if (!refused.is_ok()) return report_error(command, refused);
  }
  auto opened = options.worker ? study::Study::open_shared(std::move(config).value(), **store)
                               : study::Study::open(std::move(config).value(), **store);
  if (!opened.is_ok()) return report_error(command, opened.status());
  study::Study& study = **opened;

  ProgressDisplay display(stderr, options.quiet);
  display.note(fmt::format("qtune {}: study \"{}\" in {}{}; trial logs in {}", command,
                           study.config().name, study.config().storage,
                           options.worker ? " as worker " + *options.worker : "",
                           trial_dir(study.config(), 0).parent_path().string()));
  const StopSignals signals;
  g_stop_signal = 0;
  const base::Status status = StudyLoop(options, study, **executor, display).run();
  display.finish();
  if (status.code() == base::StatusCode::kCancelled) {
    display.note(fmt::format("qtune {}: {}", command, status.message()));
    return kExitInterrupted;
  }
  if (!status.is_ok()) return report_error(command, status);
  auto best = study.best();
  if (!best.is_ok()) return report_error(command, best.status());
  if (!*best) {
    std::fputs(
        fmt::format("qtune {}: the study finished with no successful trial; see the trial logs\n",
                    command)
            .c_str(),
        stderr);
    return kExitNoSuccess;
  }
  std::fputs(format_best(**best, OutputFormat::kTable).c_str(), stdout);
  return kExitOk;
}

}  // namespace qtune::cli
