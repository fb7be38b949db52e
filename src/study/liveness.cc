#include "study/liveness.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <optional>

#include "base/process_stat.h"

namespace qtune::study {
namespace {

// Process start times are in clock ticks after a boot time in whole seconds, and a server's
// heartbeat clock may differ from this host's by seconds.
constexpr double kClockSlack = 30.0;

// True only when `pid` on `host` is a process of this host that has ended: no such pid, a
// zombie, or a process that started after `heartbeat_at` (the pid was reused: the owner had
// already sent that heartbeat).
bool process_gone_from_this_host(std::string_view host, pid_t pid, double heartbeat_at) {
  if (host != host_name() || pid <= 0 || pid == ::getpid()) return false;
  const std::optional<base::ProcessStat> owner = base::live_process(pid);
  if (!owner) return ::kill(pid, 0) != 0 ? errno == ESRCH : true;
  const double started = base::process_start_time(owner->start_ticks);
  return started > 0 && started > heartbeat_at + kClockSlack;
}

// The same for a trial's worker id "[...@]host:pid"; false for any other id.
bool gone_from_this_host(std::string_view worker, double heartbeat_at) {
  if (const auto at = worker.rfind('@'); at != std::string_view::npos) worker.remove_prefix(at + 1);
  const auto colon = worker.rfind(':');
  if (colon == std::string_view::npos) return false;
  const std::string_view pid_text = worker.substr(colon + 1);
  pid_t pid = 0;
  const auto [end, error] =
      std::from_chars(pid_text.data(), pid_text.data() + pid_text.size(), pid);
  if (error != std::errc() || end != pid_text.data() + pid_text.size()) return false;
  return process_gone_from_this_host(worker.substr(0, colon), pid, heartbeat_at);
}

}  // namespace

std::string host_name() {
  if (const char* forced = std::getenv("QTUNE_HOSTNAME"); forced != nullptr && *forced != '\0')
    return forced;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) return "localhost";
  return host;
}

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

store::WorkerRecord this_worker(std::string id) {
  store::WorkerRecord worker;
  worker.worker = std::move(id);
  worker.host = host_name();
  worker.pid = ::getpid();
  const char* array = std::getenv("SLURM_ARRAY_JOB_ID");
  const char* task = std::getenv("SLURM_ARRAY_TASK_ID");
  const char* job = std::getenv("SLURM_JOB_ID");
  if (array != nullptr && task != nullptr) {
    worker.slurm_job = fmt::format("{}_{}", array, task);
  } else if (job != nullptr) {
    worker.slurm_job = job;
  }
  return worker;
}

bool owner_gone_from_this_host(const store::TrialRecord& trial,
                               const std::vector<store::WorkerRecord>& registered) {
  if (gone_from_this_host(trial.worker, trial.heartbeat_at)) return true;
  for (const store::WorkerRecord& w : registered) {
    if (w.worker == trial.worker)
      return process_gone_from_this_host(w.host, static_cast<pid_t>(w.pid), w.heartbeat_at);
  }
  return false;
}

bool trial_alive(const store::TrialRecord& trial, std::chrono::duration<double> stale_after,
                 double now, const std::vector<store::WorkerRecord>& registered) {
  return now - trial.heartbeat_at < stale_after.count() &&
         !owner_gone_from_this_host(trial, registered);
}

bool worker_alive(const store::WorkerRecord& worker, std::chrono::duration<double> stale_after,
                  double now) {
  return now - worker.heartbeat_at < stale_after.count() &&
         !process_gone_from_this_host(worker.host, static_cast<pid_t>(worker.pid),
                                      worker.heartbeat_at);
}

std::string this_worker_id() {
  const char* job = std::getenv("SLURM_ARRAY_JOB_ID");
  const char* task = std::getenv("SLURM_ARRAY_TASK_ID");
  if (job != nullptr && task != nullptr)
    return fmt::format("{}_{}@{}:{}", job, task, host_name(), getpid());
  return fmt::format("{}:{}", host_name(), getpid());
}

base::Result<std::vector<store::TrialRecord>> live_trials(
    const store::Store& store, store::StudyId study, std::chrono::duration<double> stale_after) {
  QTUNE_ASSIGN_OR_RETURN(const auto running, store.trials(study, store::TrialState::kRunning));
  if (running.empty()) return running;
  QTUNE_ASSIGN_OR_RETURN(const auto registered, store.workers(study));
  const double now = unix_now();
  std::vector<store::TrialRecord> live;
  for (const store::TrialRecord& t : running) {
    if (trial_alive(t, stale_after, now, registered)) live.push_back(t);
  }
  return live;
}

base::Result<std::vector<store::WorkerRecord>> live_workers(
    const store::Store& store, store::StudyId study, std::chrono::duration<double> stale_after,
    std::string_view except) {
  QTUNE_ASSIGN_OR_RETURN(const auto registered, store.workers(study));
  const double now = unix_now();
  std::vector<store::WorkerRecord> live;
  for (const store::WorkerRecord& w : registered) {
    if (w.worker != except && worker_alive(w, stale_after, now)) live.push_back(w);
  }
  return live;
}

}  // namespace qtune::study
