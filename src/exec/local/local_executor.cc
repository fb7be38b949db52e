#include "exec/local/local_executor.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <iterator>
#include <optional>
#include <set>
#include <thread>
#include <utility>

#include "base/process_stat.h"
#include "exec/background_outcomes.h"
#include "exec/exit_status.h"
#include "exec/local/descendants.h"
#include "exec/local/trial_process.h"
#include "exec/process.h"
#include "exec/trial_run.h"

namespace qtune::exec {
namespace {

using Clock = std::chrono::steady_clock;
constexpr base::Duration kPollInterval{20};

}  // namespace

struct LocalExecutor::State {
  struct Running {
    TrialSpec spec;
    std::size_t slot = 0;
    pid_t pid = 0;  // the spawned process (it waits for the program), also the group
    unsigned long long start_ticks = 0;
    bool adopted = false;  // an earlier run's process: not our child, polled through /proc
    std::filesystem::path workdir;
    TemplateValues values;
    Clock::time_point started;
    std::optional<Clock::time_point> term_sent;  // SIGTERM sent: SIGKILL after the grace
    std::optional<FailureReason> stopped_for;    // kTimeout, kInterrupted or kPruned
  };

  TrialConfig config;
  LocalExecutorOptions options;
  std::vector<bool> slot_busy;
  std::vector<Running> running;
  std::vector<FinishedTrial> finished;  // launch failures, handed out by the next poll()
  std::vector<TakenOver> taken_over;    // for take_taken_over()
  detail::OrphanReaper orphans;
  // Last: its thread stops before the members it reads (config, options) go.
  detail::BackgroundOutcomes outcomes{config, options.builtin};

  std::vector<std::string> env_for(const TrialSpec& spec, const TemplateValues& values,
                                   std::size_t slot) const {
    detail::Variables added = detail::trial_variables(config, spec, values);
    if (!options.gpus.empty()) {
      added.emplace_back("CUDA_VISIBLE_DEVICES",
                         std::to_string(options.gpus[slot % options.gpus.size()]));
    }
    return detail::environment_with(added);
  }

  // How the trial ended: its exit_status when the spawned process wrote one, else that
  // process's wait status (`status`, nullopt for an adopted process), which is the program's
  // own: the spawned process ends as the program did (process.h).
  static detail::TrialEnd end_of(const Running& trial, std::optional<int> status) {
    detail::TrialEnd end;
    end.elapsed = std::chrono::duration_cast<base::Duration>(Clock::now() - trial.started);
    end.stopped_for = trial.stopped_for;
    if (const auto recorded = detail::recorded_end(trial.spec.dir)) {
      if (recorded->kind == detail::RecordedEnd::Kind::kSignal) {
        end.signal = recorded->value;
      } else {
        end.exit_code = recorded->value;
      }
      return end;
    }
    if (!status) return end;
    if (WIFEXITED(*status)) end.exit_code = WEXITSTATUS(*status);
    if (WIFSIGNALED(*status)) end.signal = WTERMSIG(*status);
    return end;
  }

  // The outcome of a trial that ended, or nullopt when its metric goes to `outcomes`' thread.
  std::optional<TrialOutcome> outcome_of(const Running& trial, std::optional<int> status) {
    const detail::TrialEnd end = end_of(trial, status);
    // Taken over, then gone without an exit status: the process that records it was killed
    // with the trial (a kill of the whole group, as when its runner's session died with it).
    // Nothing says how the trial ended, so it is given back (interrupted) and runs again,
    // rather than failing a configuration for a cause outside it.
    if (!status && !trial.stopped_for && end.signal == 0 && end.exit_code < 0) {
      TrialOutcome outcome;
      outcome.reason = FailureReason::kInterrupted;
      outcome.message = fmt::format(
          "trial process {} (taken over from an earlier run) ended without an exit status; it "
          "runs again",
          trial.pid);
      outcome.log_tail = detail::trial_log_tail(trial.spec);
      outcome.elapsed = end.elapsed;
      return outcome;
    }
    return outcomes.finish(trial.spec, trial.workdir, trial.values, end);
  }

  // Executor::poll(): the launch failures, what exited (reap), the scored outcomes.
  std::vector<FinishedTrial> poll() {
    std::vector<FinishedTrial> out = std::exchange(finished, {});
    reap(out);
    outcomes.collect(out);
    return out;
  }

  // Whether the trial's process ended; `status` gets the wait status of our own child.
  static bool ended(const Running& trial, std::optional<int>& status) {
    if (trial.adopted) {
      const std::optional<base::ProcessStat> stat = base::live_process(trial.pid);
      return !stat || stat->start_ticks != trial.start_ticks;
    }
    int wait_status = 0;
    const pid_t done = ::waitpid(trial.pid, &wait_status, WNOHANG);
    if (done == trial.pid) status = wait_status;
    if (done < 0 && errno == ECHILD) status = 0xff00;  // lost (reaped elsewhere): status 255
    return done == trial.pid || (done < 0 && errno == ECHILD);
  }

  // Reaps what exited and enforces timeouts and grace periods.
  void reap(std::vector<FinishedTrial>& out) {
    const Clock::time_point now = Clock::now();
    std::set<pid_t> trial_pids;
    for (const Running& trial : running) trial_pids.insert(trial.pid);
    for (auto it = running.begin(); it != running.end();) {
      std::optional<int> status;
      if (ended(*it, status)) {
        // Whatever the trial left behind goes with it (descendants.h).
        orphans.end_trial(it->pid, it->spec.dir);
        // Stopped by qtune: a later run starts it afresh instead of taking over this end.
        std::error_code ignored;
        if (it->stopped_for) std::filesystem::remove(it->spec.dir / detail::kProcessFile, ignored);
        if (auto outcome = outcome_of(*it, status))
          out.push_back({it->spec.id, std::move(*outcome)});
        slot_busy[it->slot] = false;
        it = running.erase(it);
        continue;
      }
      if (!it->term_sent && config.timeout.count() > 0 && now - it->started > config.timeout) {
        stop(*it, FailureReason::kTimeout, now);
      } else if (it->term_sent && now - *it->term_sent > config.kill_grace) {
        detail::signal_group(it->pid, SIGKILL);
      }
      ++it;
    }
    orphans.reap(trial_pids);
  }

  static void stop(Running& trial, FailureReason reason, Clock::time_point now) {
    if (trial.term_sent) return;
    trial.stopped_for = reason;
    trial.term_sent = now;
    detail::signal_group(trial.pid, SIGTERM);
  }

  // A trial handed out again whose earlier process (an earlier run's, or released) still runs
  // on this host with the same command: true when it was taken over (or its recorded end
  // was). An earlier process with another command is ended. `slot` is free.
  bool take_over(const TrialSpec& spec, const detail::PreparedTrial& prepared,
                 const std::string& tail, std::size_t slot) {
    const std::optional<detail::ProcessRecord> record = detail::read_process_record(spec.dir);
    if (!record || record->host != detail::this_host()) return false;
    const bool same_command =
        "host=" + record->host + "\ncommand=" + record->command + "\n" == tail;
    const bool alive = detail::is_alive(*record);
    if (alive && !same_command) {
      orphans.end_trial(record->pid, spec.dir);
      return false;
    }
    Running trial;
    trial.spec = spec;
    trial.slot = slot;
    trial.pid = record->pid;
    trial.start_ticks = record->start_ticks;
    trial.adopted = true;
    trial.values = prepared.values;
    trial.workdir = prepared.workdir;
    const double age = base::process_age_seconds(record->start_ticks);
    trial.started = Clock::now() -
                    std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(age));
    if (alive) {
      taken_over.push_back({spec.id, detail::unix_seconds_now() - age});
      slot_busy[slot] = true;
      running.push_back(std::move(trial));
      return true;
    }
    if (!same_command || !detail::recorded_end(spec.dir)) return false;
    // Ended while no qtune watched it: its recorded end is the outcome, no run again. Its
    // /proc entry is gone: it started when its record was written.
    taken_over.push_back(
        {spec.id, detail::unix_seconds_now() -
                      detail::file_age_seconds(spec.dir / detail::kProcessFile).value_or(0)});
    if (auto outcome = outcome_of(trial, std::nullopt)) {
      outcome->elapsed = detail::recorded_run_time(spec.dir);
      finished.push_back({spec.id, std::move(*outcome)});
    }
    return true;
  }
};

LocalExecutor::LocalExecutor(TrialConfig config, LocalExecutorOptions options)
    : PollingExecutor(kPollInterval), state_(std::make_unique<State>()) {
  state_->slot_busy.assign(options.parallel, false);
  state_->config = std::move(config);
  state_->options = std::move(options);
}

base::Result<std::unique_ptr<LocalExecutor>> LocalExecutor::create(TrialConfig config,
                                                                   LocalExecutorOptions options) {
  if (options.parallel == 0) {
    return base::Status::invalid_argument("local executor: parallel is 0; use 1 or more slots");
  }
  return std::unique_ptr<LocalExecutor>(new LocalExecutor(std::move(config), std::move(options)));
}

LocalExecutor::~LocalExecutor() {
  for (const State::Running& trial : state_->running) {
    state_->orphans.end_trial(trial.pid, trial.spec.dir);
    if (!trial.adopted) ::waitpid(trial.pid, nullptr, 0);
  }
  state_->orphans.reap({});
}

std::size_t LocalExecutor::slots() const { return state_->slot_busy.size(); }
std::size_t LocalExecutor::running() const {
  return state_->running.size() + state_->outcomes.pending();
}

base::Status LocalExecutor::start(const TrialSpec& spec) {
  State& s = *state_;
  const auto free_slot = std::find(s.slot_busy.begin(), s.slot_busy.end(), false);
  if (free_slot == s.slot_busy.end()) {
    return base::Status::unavailable(fmt::format(
        "local executor: all {} slots are busy; poll() until one is free", s.slot_busy.size()));
  }
  QTUNE_ASSIGN_OR_RETURN(detail::PreparedTrial prepared, detail::prepare_trial(s.config, spec));
  if (prepared.failure) {
    s.finished.push_back(std::move(*prepared.failure));
    return base::Status::ok();
  }
  const std::size_t slot = static_cast<std::size_t>(free_slot - s.slot_busy.begin());
  const std::vector<std::string> argv = detail::trial_argv(s.config, prepared.values);
  const std::string tail = detail::record_tail(argv, prepared.workdir);
  if (s.take_over(spec, prepared, tail, slot)) return base::Status::ok();
  // A fresh start: what an earlier process left is not this one's.
  std::error_code ignored;
  std::filesystem::remove(spec.dir / detail::kProcessFile, ignored);
  std::filesystem::remove(spec.dir / detail::kExitStatusFile, ignored);
  State::Running trial;
  trial.spec = spec;
  trial.slot = slot;
  trial.values = std::move(prepared.values);
  trial.workdir = std::move(prepared.workdir);
  detail::SpawnRequest request;
  request.argv = argv;
  request.workdir = trial.workdir;
  request.env = s.env_for(spec, trial.values, trial.slot);
  request.stdout_path = std::filesystem::absolute(spec.dir / "stdout.log");
  request.stderr_path = std::filesystem::absolute(spec.dir / "stderr.log");
  request.record_path = std::filesystem::absolute(spec.dir / detail::kProcessFile);
  request.record_tmp_path =
      std::filesystem::absolute(spec.dir / (std::string(detail::kProcessFile) + ".tmp"));
  request.record_tail = tail;
  request.exit_status_path = std::filesystem::absolute(spec.dir / detail::kExitStatusFile);
  request.exit_status_tmp_path =
      std::filesystem::absolute(spec.dir / (std::string(detail::kExitStatusFile) + ".tmp"));
  trial.started = Clock::now();
  const base::Result<pid_t> pid = detail::spawn_in_new_group(request);
  if (!pid.is_ok()) {
    s.finished.push_back(detail::launch_failure(spec, pid.status().message()));
    return base::Status::ok();
  }
  trial.pid = *pid;  // start_ticks matter only for an adopted process (not our child)
  *free_slot = true;
  s.running.push_back(std::move(trial));
  return base::Status::ok();
}

std::vector<FinishedTrial> LocalExecutor::poll() { return state_->poll(); }

void LocalExecutor::prune(TrialId id) {
  for (State::Running& trial : state_->running) {
    if (trial.spec.id == id) State::stop(trial, FailureReason::kPruned, Clock::now());
  }
}

// The process runs on for the trial's new owner, which takes it over (take_over).
void LocalExecutor::release(TrialId id) {
  State& s = *state_;
  for (auto it = s.running.begin(); it != s.running.end(); ++it) {
    if (it->spec.id != id) continue;
    s.finished.push_back(detail::released_trial(
        id, "released: left running for the trial's new owner",
        std::chrono::duration_cast<base::Duration>(Clock::now() - it->started)));
    s.slot_busy[it->slot] = false;
    if (!it->adopted) s.orphans.watch(it->pid);  // our child: reaped once it ends
    s.running.erase(it);
    return;
  }
}

std::vector<FinishedTrial> LocalExecutor::cancel_all() {
  for (State::Running& trial : state_->running)
    State::stop(trial, FailureReason::kInterrupted, Clock::now());
  std::vector<FinishedTrial> out = poll();
  while (!state_->running.empty()) {
    std::this_thread::sleep_for(kPollInterval);
    std::vector<FinishedTrial> more = poll();
    std::move(more.begin(), more.end(), std::back_inserter(out));
  }
  // Trials that ended before the cancel keep their outcome: their metric is waited for.
  state_->outcomes.collect_all(out);
  return out;
}

std::vector<TakenOver> LocalExecutor::take_taken_over() {
  return std::exchange(state_->taken_over, {});
}

}  // namespace qtune::exec
