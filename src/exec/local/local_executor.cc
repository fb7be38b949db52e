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
#include <thread>
#include <utility>

#include "exec/background_outcomes.h"
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
    pid_t pid = 0;
    std::filesystem::path workdir;
    TemplateValues values;
    Clock::time_point started;
    std::optional<Clock::time_point> term_sent;  // SIGTERM sent: SIGKILL after the grace
    std::optional<FailureReason> stopped_for;    // kTimeout or kInterrupted
  };

  TrialConfig config;
  LocalExecutorOptions options;
  std::vector<bool> slot_busy;
  std::vector<Running> running;
  std::vector<FinishedTrial> finished;  // launch failures, handed out by the next poll()
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

  static detail::TrialEnd end_of(const Running& trial, int status) {
    detail::TrialEnd end;
    end.elapsed = std::chrono::duration_cast<base::Duration>(Clock::now() - trial.started);
    if (WIFEXITED(status)) end.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) end.signal = WTERMSIG(status);
    end.stopped_for = trial.stopped_for;
    return end;
  }

  // Executor::poll(): the launch failures, what exited (reap), the scored outcomes.
  std::vector<FinishedTrial> poll() {
    std::vector<FinishedTrial> out = std::exchange(finished, {});
    reap(out);
    outcomes.collect(out);
    return out;
  }

  // Reaps what exited and enforces timeouts and grace periods.
  void reap(std::vector<FinishedTrial>& out) {
    const Clock::time_point now = Clock::now();
    for (auto it = running.begin(); it != running.end();) {
      int status = 0;
      const pid_t done = ::waitpid(it->pid, &status, WNOHANG);
      if (done == it->pid || (done < 0 && errno == ECHILD)) {
        if (done < 0) status = 0xff00;  // lost (someone else reaped it): report exit status 255
        // Whatever the trial left behind in its group goes with it.
        detail::signal_group(it->pid, SIGKILL);
        if (auto outcome =
                outcomes.finish(it->spec, it->workdir, it->values, end_of(*it, status))) {
          out.push_back({it->spec.id, std::move(*outcome)});
        }
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
  }

  static void stop(Running& trial, FailureReason reason, Clock::time_point now) {
    if (trial.term_sent) return;
    trial.stopped_for = reason;
    trial.term_sent = now;
    detail::signal_group(trial.pid, SIGTERM);
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
    detail::signal_group(trial.pid, SIGKILL);
    ::waitpid(trial.pid, nullptr, 0);
  }
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
  State::Running trial;
  trial.spec = spec;
  trial.slot = static_cast<std::size_t>(free_slot - s.slot_busy.begin());
  trial.values = std::move(prepared.values);
  trial.workdir = std::move(prepared.workdir);
  detail::SpawnRequest request;
  request.argv = detail::trial_argv(s.config, trial.values);
  request.workdir = trial.workdir;
  request.env = s.env_for(spec, trial.values, trial.slot);
  request.stdout_path = std::filesystem::absolute(spec.dir / "stdout.log");
  request.stderr_path = std::filesystem::absolute(spec.dir / "stderr.log");
  trial.started = Clock::now();
  const base::Result<pid_t> pid = detail::spawn_in_new_group(request);
  if (!pid.is_ok()) {
    s.finished.push_back(detail::launch_failure(spec, pid.status().message()));
    return base::Status::ok();
  }
  trial.pid = *pid;
  *free_slot = true;
  s.running.push_back(std::move(trial));
  return base::Status::ok();
}

std::vector<FinishedTrial> LocalExecutor::poll() { return state_->poll(); }

void LocalExecutor::release(TrialId id) {
  for (State::Running& trial : state_->running) {
    if (trial.spec.id == id) State::stop(trial, FailureReason::kInterrupted, Clock::now());
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

}  // namespace qtune::exec
