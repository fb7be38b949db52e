#include "qtune/study/runner.h"

#include <fmt/format.h>
#include <sys/prctl.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "qtune/exec/make_executor.h"
#include "qtune/store/open_store.h"
#include "study/liveness.h"
#include "study/progress_watch.h"
#include "study/stop_signals.h"

namespace qtune::study {
namespace {

constexpr base::Duration kPollLimit{200};
// How long a trial that died of SIGTERM or SIGINT waits for this process's own stop: Slurm
// signals every process of a job at once (scancel, time limit, preemption), and the trial's
// death may be seen first.
constexpr std::chrono::milliseconds kStopSettle{1'000};

// Whether a trial ended the way a stop signal ends a program: killed by SIGTERM or SIGINT, or
// exiting with the shell's status for them.
bool ended_like_a_stop(const exec::TrialOutcome& outcome) {
  if (outcome.reason == exec::FailureReason::kSignal)
    return outcome.signal == SIGTERM || outcome.signal == SIGINT;
  return outcome.reason == exec::FailureReason::kExitCode &&
         (outcome.exit_code == 128 + SIGTERM || outcome.exit_code == 128 + SIGINT);
}

Outcome to_study_outcome(const exec::TrialOutcome& outcome) {
  if (outcome.ok() && !outcome.components.empty()) return Outcome::combined(outcome.components);
  if (outcome.ok()) return Outcome::success(*outcome.value);
  return Outcome::failure(
      fmt::format("{}: {}", exec::failure_reason_name(outcome.reason), outcome.message),
      outcome.log_tail);
}

// Asks, starts, polls and tells until the study is over or a stop is requested.
class TrialLoop {
 public:
  // `stop_requested` returns the signal that stops the loop (0: request_stop() without
  // one), or -1 to go on.
  TrialLoop(const RunnerOptions& options, Study& study, exec::Executor& executor,
            RunObserver& observer, std::function<int()> stop_requested)
      : options_(options),
        study_(study),
        executor_(executor),
        observer_(observer),
        stop_requested_(std::move(stop_requested)),
        watch_(study, options.who, [&observer](const std::string& m) { observer.note(m); }) {}

  // kCancelled when a stop was requested.
  base::Status run() {
    while (true) {
      if (const int signal = stop_requested_(); signal >= 0) return stop(signal);
      QTUNE_RETURN_IF_ERROR(keep_alive());
      give_back_waiting_when_time_is_up();
      bool finished = false;
      while (executor_.running() < executor_.slots()) {
        QTUNE_ASSIGN_OR_RETURN(Ask next, study_.ask(worker()));
        if (!next.trial) {
          finished = next.finished;
          break;
        }
        if (const base::Status started = start(*next.trial); !started.is_ok())
          return give_back_all(started);
      }
      if (finished && executor_.running() == 0) return base::Status::ok();
      for (const exec::FinishedTrial& done : executor_.wait_any(kPollLimit)) {
        QTUNE_RETURN_IF_ERROR(record(done));
      }
      say_executor_notes();
      QTUNE_RETURN_IF_ERROR(watch_.poll(executor_));
      // The store is read only when something changed (a trial started or was recorded, a
      // heartbeat round): the observer is called every poll, the store is not.
      if (!progress_) {
        QTUNE_ASSIGN_OR_RETURN(progress_, study_.progress());
      }
      observer_.progress(*progress_);
    }
  }

 private:
  std::string_view worker() const {
    return options_.worker ? std::string_view(*options_.worker) : "";
  }

  // Every `heartbeat`: heartbeats for the trials running here (those another process took
  // for dead meanwhile are stopped: their result would not be ours to tell) and, for a
  // worker, the stale trials of dead ones marked interrupted so that ask() hands them out.
  base::Status keep_alive() {
    const auto now = std::chrono::steady_clock::now();
    if (last_beat_ && now - *last_beat_ < options_.heartbeat) return base::Status::ok();
    last_beat_ = now;
    progress_.reset();  // other workers may have moved the study on
    QTUNE_RETURN_IF_ERROR(study_.worker_heartbeat(worker()));
    QTUNE_ASSIGN_OR_RETURN(const std::vector<TrialId> lost, study_.heartbeat());
    for (const TrialId id : lost) {
      observer_.note(fmt::format(
          "{}: trial id {} was taken for dead (heartbeat older than the stale limit) and "
          "handed out again; giving it up here",
          options_.who, id));
      lost_.insert(id);
      executor_.release(id);
    }
    if (!options_.worker) return base::Status::ok();
    QTUNE_ASSIGN_OR_RETURN(const std::size_t stale, study_.interrupt_stale(options_.stale_after));
    if (stale > 0) {
      observer_.note(fmt::format(
          "{}: {} trial{} of dead workers (ended on this host, or no heartbeat for {}) will run "
          "again",
          options_.who, stale, stale == 1 ? "" : "s", base::format_duration(options_.stale_after)));
    }
    return base::Status::ok();
  }

  base::Status start(const TrialToRun& trial) {
    const exec::TrialSpec spec = trial_spec(study_.config(), trial.id, trial.number, trial.params);
    running_[trial.id] = trial;
    progress_.reset();
    const base::Status started = executor_.start(spec);
    if (started.is_ok()) {
      watch_.started(trial.id, trial.number, spec);
      // Taken over from an earlier run: it began then, not at this claim. kConflict: another
      // worker took it for dead meanwhile (the next heartbeat gives it up here).
      for (const exec::TakenOver& taken : executor_.take_taken_over()) {
        const base::Status set = study_.set_started_at(taken.id, taken.started_at);
        if (set.code() != base::StatusCode::kConflict) QTUNE_RETURN_IF_ERROR(set);
      }
      return started;
    }
    // It did not start (the executor's settings are refused): given back, so that it counts
    // against nothing and runs once the cause is fixed.
    running_.erase(trial.id);
    QTUNE_RETURN_IF_ERROR(study_.mark_interrupted(trial.id));
    return started;
  }

  // Stops after `error`: the running trials are cancelled and given back (interrupted).
  base::Status give_back_all(const base::Status& error) {
    for (const exec::FinishedTrial& done : executor_.cancel_all())
      QTUNE_RETURN_IF_ERROR(record(done));
    say_executor_notes();
    return error;
  }

  // max_time ends the run: no new trial starts (Study::ask), and trials the executor holds
  // without having started them (Slurm jobs still pending) are cancelled and given back.
  void give_back_waiting_when_time_is_up() {
    const auto& max_time = study_.config().budget.max_time;
    if (waiting_given_back_ || !max_time || std::chrono::steady_clock::now() - started_ < *max_time)
      return;
    waiting_given_back_ = true;
    observer_.note(fmt::format("{}: max_time {} is up; trials that have not started are given back",
                               options_.who, base::format_duration(*max_time)));
    executor_.cancel_waiting();
  }

  void say_executor_notes() {
    for (const std::string& note : executor_.take_notes())
      observer_.note(fmt::format("{}: {}", options_.who, note));
  }

  // Whether a trial killed by a signal died of this process's stop; after one that ended
  // like a stop, waits up to kStopSettle for the signal to reach this process too.
  bool stopping_after(const exec::TrialOutcome& outcome) const {
    const bool killed =
        outcome.reason == exec::FailureReason::kSignal || ended_like_a_stop(outcome);
    if (!killed) return false;
    if (stop_requested_() >= 0) return true;
    if (!ended_like_a_stop(outcome)) return false;
    const auto deadline = std::chrono::steady_clock::now() + kStopSettle;
    while (std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      if (stop_requested_() >= 0) return true;
    }
    return false;
  }

  base::Status record(const exec::FinishedTrial& finished) {
    exec::FinishedTrial done = finished;
    // A trial killed by the signal that stops this process (Slurm signals the whole job) is
    // interrupted, not failed: it runs again.
    const TrialToRun trial = running_.at(done.id);
    if (stopping_after(done.outcome)) {
      done.outcome.reason = exec::FailureReason::kInterrupted;
      exec::forget_recorded_end(
          trial_spec(study_.config(), trial.id, trial.number, trial.params).dir);
    }
    running_.erase(done.id);
    QTUNE_ASSIGN_OR_RETURN(const std::optional<Outcome> pruned, watch_.finished(done));
    if (lost_.erase(done.id) > 0) return base::Status::ok();
    Outcome told = pruned ? *pruned : to_study_outcome(done.outcome);
    told.seconds = std::chrono::duration<double>(done.outcome.elapsed).count();
    const base::Status recorded = done.outcome.reason == exec::FailureReason::kInterrupted
                                      ? study_.mark_interrupted(done.id)
                                      : study_.tell(done.id, told);
    if (recorded.code() == base::StatusCode::kConflict && options_.worker) {
      // Taken for dead between two heartbeats: another worker runs it now.
      observer_.note(fmt::format("{}: trial {} is not ours any more, its result is dropped ({})",
                                 options_.who, trial.number, recorded.message()));
      return base::Status::ok();
    }
    QTUNE_RETURN_IF_ERROR(recorded);
    QTUNE_ASSIGN_OR_RETURN(progress_, study_.progress());
    exec::TrialOutcome shown = done.outcome;
    if (pruned) shown.message = pruned->failure_reason;
    observer_.trial_finished(trial.number, trial.params, shown, *progress_);
    return base::Status::ok();
  }

  base::Status stop(int signal) {
    const std::size_t running = executor_.running();
    observer_.note(fmt::format(
        "{}: {}; stopping {} running trial{}", options_.who,
        signal > 0 ? fmt::format("{} received", strsignal(signal)) : std::string("stop requested"),
        running, running == 1 ? "" : "s"));
    for (const exec::FinishedTrial& done : executor_.cancel_all())
      QTUNE_RETURN_IF_ERROR(record(done));
    say_executor_notes();
    return base::Status::cancelled(
        "stopped; running trials were recorded as interrupted, run the same "
        "command again to resume");
  }

  const RunnerOptions& options_;
  Study& study_;
  exec::Executor& executor_;
  RunObserver& observer_;
  std::function<int()> stop_requested_;
  std::map<TrialId, TrialToRun> running_;
  std::set<TrialId> lost_;            // running here, but handed to another worker since
  std::optional<Progress> progress_;  // the study as last read; reset when it changes
  std::optional<std::chrono::steady_clock::time_point> last_beat_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  bool waiting_given_back_ = false;
  ProgressWatch watch_;  // [trial] progress and [pruning]
};

base::Status require_trial(const StudyConfig& config, std::string_view who) {
  if (config.trial) return base::Status::ok();
  return base::Status::invalid_argument(
      fmt::format("{}: [trial] is missing; {} needs the command that runs a trial, "
                  "e.g. [trial] command = [\"python3\", \"train.py\", \"{{K}}\"]",
                  config.file.string(), who));
}

base::Result<std::unique_ptr<exec::Executor>> executor_for(const StudyConfig& config,
                                                           const RunnerOptions& options) {
  exec::ExecutorOptions executor_options;
  executor_options.parallel = config.budget.parallel;
  executor_options.gpus = config.budget.gpus;
  executor_options.study_name = config.name;
  executor_options.builtin = options.builtin ? options.builtin : default_builtin_metric();
  return exec::make_executor(*config.trial, executor_options);
}

// A run without a worker id drives a study alone, and would take the trials of live workers
// for dead: refused.
base::Status refuse_if_workers_run(const StudyConfig& config, const store::Store& store,
                                   base::Duration stale_after) {
  QTUNE_ASSIGN_OR_RETURN(const std::optional<store::StudyRecord> stored,
                         store.find_study(config.name));
  if (!stored) return base::Status::ok();
  QTUNE_ASSIGN_OR_RETURN(const auto workers, live_workers(store, stored->id, stale_after));
  QTUNE_ASSIGN_OR_RETURN(const auto live, live_trials(store, stored->id, stale_after));
  if (!workers.empty()) {
    const store::WorkerRecord& w = workers.front();
    return base::Status::conflict(fmt::format(
        "study \"{}\" in {} is being run by other processes ({} live worker{}, e.g. {} on {}, "
        "pid {}{}, last heartbeat {:.0f} s ago, {} running trial{}); join them with `qtune worker "
        "{}`, or wait until they stop (a worker on another host counts as live until its "
        "heartbeat is {} old)",
        config.name, config.storage, workers.size(), workers.size() == 1 ? "" : "s", w.worker,
        w.host, w.pid, w.slurm_job.empty() ? "" : ", Slurm job " + w.slurm_job,
        unix_now() - w.heartbeat_at, live.size(), live.size() == 1 ? "" : "s", config.file.string(),
        base::format_duration(stale_after)));
  }
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

// When max_time ended the run before the study was over (trials given back, or budget left):
// what happened and what to do; "" otherwise.
base::Result<std::string> time_up_message(const Study& study) {
  if (!study.time_up()) return std::string();
  QTUNE_ASSIGN_OR_RETURN(const Progress p, study.progress());
  if (p.interrupted == 0 && p.budget && p.evaluations >= *p.budget) return std::string();
  return fmt::format(
      "[budget] max_time {} is up: this run ended with {} trial{} given back (INTERRUPTED: not "
      "started or not finished, counted as nothing), {} complete and {} failed{}; run the same "
      "command to continue",
      base::format_duration(*study.config().budget.max_time), p.interrupted,
      p.interrupted == 1 ? "" : "s", p.complete, p.failed,
      p.budget ? fmt::format(" of {} trials", *p.budget) : "");
}

// `qtune retry --failed`: the failed trials (those whose reason holds options.retry_reason)
// go back to INTERRUPTED, their folders forget the end they recorded (so that no executor
// takes an ended job or process over as their outcome), and the run hands them out first.
base::Status retry_failed(Study& study, const RunnerOptions& options, RunObserver& observer) {
  QTUNE_ASSIGN_OR_RETURN(const std::vector<store::TrialRecord> trials, study.trials());
  std::string numbers;
  std::size_t count = 0;
  for (const store::TrialRecord& t : trials) {
    if (t.state != store::TrialState::kFailed || t.imported()) continue;
    if (!options.retry_reason.empty() &&
        t.failure_reason.find(options.retry_reason) == std::string::npos)
      continue;
    exec::forget_recorded_end(trial_spec(study.config(), t.id, t.number, t.params).dir);
    QTUNE_RETURN_IF_ERROR(study.retry(t.id));
    numbers += (count++ == 0 ? "" : " ") + std::to_string(t.number);
  }
  observer.note(
      count == 0
          ? fmt::format("{}: no failed trial{} to retry", options.who,
                        options.retry_reason.empty()
                            ? std::string()
                            : fmt::format(" whose reason contains \"{}\"", options.retry_reason))
          : fmt::format("{}: retrying {} failed trial{} ({}); they run again first, the budget "
                        "is not touched",
                        options.who, count, count == 1 ? "" : "s", numbers));
  return base::Status::ok();
}

RunObserver& no_observer() {
  static RunObserver observer;
  return observer;
}

}  // namespace

std::filesystem::path trials_dir(const StudyConfig& config) {
  const std::filesystem::path base = std::filesystem::absolute(config.file).parent_path();
  return base / (config.name + ".trials");
}

exec::TrialSpec trial_spec(const StudyConfig& config, TrialId id, std::int64_t number,
                           const std::vector<store::Param>& params) {
  exec::TrialSpec spec;
  spec.id = id;
  spec.number = number;
  spec.dir = trials_dir(config) / std::to_string(number);
  for (const store::Param& p : params) spec.params.emplace_back(p.name, p.value);
  return spec;
}

Runner::Runner(RunnerOptions options, RunObserver* observer)
    : options_(std::move(options)), observer_(observer ? observer : &no_observer()) {
  if (options_.worker && options_.worker->empty()) options_.worker = this_worker_id();
}

void Runner::request_stop(int signal) { stop_.store(signal < 0 ? 0 : signal); }

base::Result<RunResult> Runner::run() {
  QTUNE_ASSIGN_OR_RETURN(StudyConfig config, load_study_config(options_.file));
  QTUNE_RETURN_IF_ERROR(require_trial(config, options_.who));
  if (!options_.storage.empty()) config.storage = store::StorageUrl(options_.storage);
  QTUNE_ASSIGN_OR_RETURN(const std::unique_ptr<store::Store> store,
                         store::open_store(config.storage.url()));
  QTUNE_ASSIGN_OR_RETURN(std::unique_ptr<exec::Executor> executor, executor_for(config, options_));
  if (!options_.worker)
    QTUNE_RETURN_IF_ERROR(refuse_if_workers_run(config, *store, options_.stale_after));
  QTUNE_ASSIGN_OR_RETURN(std::unique_ptr<Study> study,
                         options_.worker ? Study::open_shared(std::move(config), *store)
                                         : Study::open(std::move(config), *store));
  return run_with(*study, *executor);
}

base::Result<RunResult> Runner::run(Study& study) {
  QTUNE_RETURN_IF_ERROR(require_trial(study.config(), options_.who));
  QTUNE_ASSIGN_OR_RETURN(std::unique_ptr<exec::Executor> executor,
                         executor_for(study.config(), options_));
  return run_with(study, *executor);
}

base::Result<RunResult> Runner::run_with(Study& study, exec::Executor& executor) {
  // A child subreaper: what a trial starts and leaves behind (a setsid'd daemon whose parent
  // exited) becomes our child, not init's, and the local executor ends and reaps it with the
  // trial (exec/local/descendants.h).
  // The process's own setting comes back after the run (a Python caller's later subprocesses
  // are not ours to reap).
  int was_subreaper = 0;
  ::prctl(PR_GET_CHILD_SUBREAPER, &was_subreaper);
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  struct RestoreSubreaper {
    int value;
    ~RestoreSubreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, value); }
  } const restore_subreaper{was_subreaper};
  observer_->started(study.config(), trials_dir(study.config()));
  if (options_.retry_failed) QTUNE_RETURN_IF_ERROR(retry_failed(study, options_, *observer_));
  QTUNE_ASSIGN_OR_RETURN(const Progress at_start, study.progress());
  if (at_start.imported > 0) {
    observer_->note(fmt::format(
        "{} imported result{} (qtune import) seed the strategy; they are not run again and not "
        "counted in the budget",
        at_start.imported, at_start.imported == 1 ? "" : "s"));
  }
  std::optional<StopSignals> signals;
  if (options_.install_signal_handlers) signals.emplace();
  const auto stop_requested = [this, &signals]() -> int {
    if (signals && StopSignals::received() != 0) return StopSignals::received();
    return stop_.load();
  };
  const base::Status status =
      TrialLoop(options_, study, executor, *observer_, stop_requested).run();
  signals.reset();
  // Registered by the loop's first heartbeat; a registration left behind expires.
  if (const base::Status left = study.leave(options_.worker ? *options_.worker : std::string());
      !left.is_ok()) {
    observer_->note(
        fmt::format("{}: could not unregister from the study: {}", options_.who, left.to_string()));
  }
  if (status.code() == base::StatusCode::kCancelled) {
    stop_.store(-1);  // consumed: the next run goes on
    return RunResult{RunEnd::kInterrupted, std::nullopt, status.message()};
  }
  QTUNE_RETURN_IF_ERROR(status);
  QTUNE_ASSIGN_OR_RETURN(std::optional<BestTrial> best, study.best());
  QTUNE_ASSIGN_OR_RETURN(const std::string time_up, time_up_message(study));
  if (!best) {
    if (!time_up.empty()) return RunResult{RunEnd::kTimeUp, std::nullopt, time_up};
    return RunResult{RunEnd::kNoSuccess, std::nullopt, ""};
  }
  return RunResult{RunEnd::kFinished, std::move(best), time_up};
}

}  // namespace qtune::study
