#include "qtune/exec/local_executor.h"

#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <deque>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "process.h"

extern char** environ;  // NOLINT: POSIX

namespace qtune::exec {
namespace {

using Clock = std::chrono::steady_clock;
constexpr Duration kPollInterval{20};
constexpr std::size_t kTailLines = 20;
constexpr std::size_t kTailBytes = 4096;

// The last kTailLines lines (at most kTailBytes) of a log file.
std::string tail_of(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const std::streamoff start = std::max<std::streamoff>(0, size - static_cast<std::streamoff>(kTailBytes));
  in.seekg(start);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && text.back() == '\n') text.pop_back();
  std::size_t pos = text.size();
  for (std::size_t lines = 0; lines < kTailLines && pos != std::string::npos && pos > 0; ++lines) {
    pos = text.rfind('\n', pos - 1);
  }
  return pos == std::string::npos || pos == text.size() ? text : text.substr(pos + 1);
}

std::string upper(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev != nullptr ? fmt::format("SIG{}", abbrev) : fmt::format("signal {}", sig);
}

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
  std::deque<FinishedTrial> finished;  // launch failures, handed out by the next poll()

  TemplateValues values_for(const TrialSpec& spec) const {
    TemplateValues values;
    for (const auto& [name, value] : spec.params) values[name] = value;
    values[std::string(kTrialIdPlaceholder)] = std::to_string(spec.id);
    values[std::string(kTrialDirPlaceholder)] = spec.dir.string();
    return values;
  }

  std::vector<std::string> argv_for(const TemplateValues& values) const {
    std::vector<std::string> argv;
    if (!config.shell) {
      for (const Template& word : config.command) argv.push_back(word.expand(values));
      return argv;
    }
    std::string script;
    for (const Template& word : config.command) {
      if (!script.empty()) script += ' ';
      script += word.expand(values, &shell_quote);
    }
    return {"/bin/sh", "-c", script};
  }

  std::vector<std::string> env_for(const TrialSpec& spec, const TemplateValues& values,
                                   std::size_t slot) const {
    std::vector<std::pair<std::string, std::string>> added = {
        {"QTUNE_TRIAL_ID", std::to_string(spec.id)},
        {"QTUNE_TRIAL_DIR", spec.dir.string()},
    };
    for (const auto& [name, value] : spec.params) added.emplace_back("QTUNE_PARAM_" + upper(name), value);
    for (const auto& [name, value] : config.env) added.emplace_back(name, value.expand(values));
    if (!options.gpus.empty()) {
      added.emplace_back("CUDA_VISIBLE_DEVICES", std::to_string(options.gpus[slot % options.gpus.size()]));
    }
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string_view entry(*e);
      const std::string_view name = entry.substr(0, entry.find('='));
      const bool overridden = std::any_of(added.begin(), added.end(), [&](const auto& a) { return a.first == name; });
      if (!overridden) env.emplace_back(entry);
    }
    for (const auto& [name, value] : added) env.push_back(name + "=" + value);
    return env;
  }

  std::filesystem::path workdir_for(const TemplateValues& values) const {
    const std::filesystem::path dir(config.workdir.expand(values));
    const std::filesystem::path base = config.base_dir.empty() ? std::filesystem::current_path() : config.base_dir;
    return std::filesystem::absolute(dir.is_absolute() ? dir : base / dir).lexically_normal();
  }

  FinishedTrial launch_failure(const TrialSpec& spec, std::string message) const {
    TrialOutcome outcome;
    outcome.reason = FailureReason::kLaunch;
    outcome.message = std::move(message);
    std::ofstream(spec.dir / "stderr.log", std::ios::app) << "qtune: " << outcome.message << '\n';
    outcome.log_tail = outcome.message;
    return {spec.id, std::move(outcome)};
  }

  TrialOutcome outcome_of(const Running& trial, int status) const {
    TrialOutcome outcome;
    outcome.elapsed = std::chrono::duration_cast<Duration>(Clock::now() - trial.started);
    if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
    if (trial.stopped_for == FailureReason::kTimeout) {
      outcome.reason = FailureReason::kTimeout;
      outcome.message = fmt::format("timeout after {}", format_duration(config.timeout));
    } else if (trial.stopped_for == FailureReason::kInterrupted) {
      outcome.reason = FailureReason::kInterrupted;
      outcome.message = "interrupted by qtune";
    } else if (outcome.signal != 0) {
      outcome.reason = FailureReason::kSignal;
      outcome.message = fmt::format("killed by {}", signal_name(outcome.signal));
    } else if (outcome.exit_code != 0) {
      outcome.reason = FailureReason::kExitCode;
      outcome.message = fmt::format("exit status {}", outcome.exit_code);
    } else {
      const MetricReading reading =
          read_metric(config.metric, {trial.spec.dir / "stdout.log", trial.workdir, trial.values}, options.builtin);
      outcome.reason = reading.reason;
      outcome.message = reading.message;
      if (reading.reason == FailureReason::kNone) outcome.value = reading.value;
    }
    if (!outcome.ok()) {
      outcome.log_tail = tail_of(trial.spec.dir / "stderr.log");
      if (outcome.log_tail.empty()) outcome.log_tail = tail_of(trial.spec.dir / "stdout.log");
    }
    return outcome;
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
        out.push_back({it->spec.id, outcome_of(*it, status)});
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
    : state_(std::make_unique<State>()) {
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
std::size_t LocalExecutor::running() const { return state_->running.size(); }

base::Status LocalExecutor::start(const TrialSpec& spec) {
  State& s = *state_;
  const auto free_slot = std::find(s.slot_busy.begin(), s.slot_busy.end(), false);
  if (free_slot == s.slot_busy.end()) {
    return base::Status::unavailable(
        fmt::format("local executor: all {} slots are busy; poll() until one is free", s.slot_busy.size()));
  }
  std::error_code error;
  std::filesystem::create_directories(spec.dir, error);
  if (error) {
    return base::Status::io_error(fmt::format("{}: cannot create the trial directory: {}", spec.dir.string(), error.message()));
  }
  State::Running trial;
  trial.spec = spec;
  trial.slot = static_cast<std::size_t>(free_slot - s.slot_busy.begin());
  trial.values = s.values_for(spec);
  trial.workdir = s.workdir_for(trial.values);
  if (!std::filesystem::is_directory(trial.workdir, error)) {
    s.finished.push_back(s.launch_failure(spec, fmt::format("workdir {} does not exist", trial.workdir.string())));
    return base::Status::ok();
  }
  detail::SpawnRequest request;
  request.argv = s.argv_for(trial.values);
  request.workdir = trial.workdir;
  request.env = s.env_for(spec, trial.values, trial.slot);
  request.stdout_path = std::filesystem::absolute(spec.dir / "stdout.log");
  request.stderr_path = std::filesystem::absolute(spec.dir / "stderr.log");
  trial.started = Clock::now();
  const base::Result<pid_t> pid = detail::spawn_in_new_group(request);
  if (!pid.is_ok()) {
    s.finished.push_back(s.launch_failure(spec, pid.status().message()));
    return base::Status::ok();
  }
  trial.pid = *pid;
  *free_slot = true;
  s.running.push_back(std::move(trial));
  return base::Status::ok();
}

std::vector<FinishedTrial> LocalExecutor::poll() {
  std::vector<FinishedTrial> out(std::make_move_iterator(state_->finished.begin()),
                                 std::make_move_iterator(state_->finished.end()));
  state_->finished.clear();
  state_->reap(out);
  return out;
}

std::vector<FinishedTrial> LocalExecutor::wait_any(Duration limit) {
  const Clock::time_point deadline = Clock::now() + limit;
  while (true) {
    std::vector<FinishedTrial> out = poll();
    if (!out.empty() || state_->running.empty() || Clock::now() >= deadline) return out;
    std::this_thread::sleep_for(std::min<Duration>(kPollInterval, std::chrono::duration_cast<Duration>(deadline - Clock::now())));
  }
}

void LocalExecutor::cancel(TrialId id) {
  for (State::Running& trial : state_->running) {
    if (trial.spec.id == id) State::stop(trial, FailureReason::kInterrupted, Clock::now());
  }
}

std::vector<FinishedTrial> LocalExecutor::cancel_all() {
  for (State::Running& trial : state_->running) State::stop(trial, FailureReason::kInterrupted, Clock::now());
  std::vector<FinishedTrial> out = poll();
  while (!state_->running.empty()) {
    std::this_thread::sleep_for(kPollInterval);
    std::vector<FinishedTrial> more = poll();
    std::move(more.begin(), more.end(), std::back_inserter(out));
  }
  return out;
}

}  // namespace qtune::exec
