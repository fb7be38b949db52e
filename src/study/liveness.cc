#include "study/liveness.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <optional>

#include "base/process_stat.h"

namespace qtune::study {
namespace {

// Process start times are in clock ticks after a boot time in whole seconds, and a server's
// heartbeat clock may differ from this host's by seconds.
constexpr double kClockSlack = 30.0;

std::string host_name() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) return "localhost";
  return host;
}

// True only when `worker` is "[...@]host:pid" of this host and that process has ended: no
// such pid, a zombie, or a process that started after the trial's last heartbeat (the pid
// was reused: the owner had already sent that heartbeat).
bool gone_from_this_host(std::string_view worker, double heartbeat_at) {
  if (const auto at = worker.rfind('@'); at != std::string_view::npos) worker.remove_prefix(at + 1);
  const auto colon = worker.rfind(':');
  if (colon == std::string_view::npos || worker.substr(0, colon) != host_name()) return false;
  const std::string_view pid_text = worker.substr(colon + 1);
  pid_t pid = 0;
  const auto [end, error] =
      std::from_chars(pid_text.data(), pid_text.data() + pid_text.size(), pid);
  if (error != std::errc() || end != pid_text.data() + pid_text.size() || pid <= 0) return false;
  if (pid == ::getpid()) return false;
  const std::optional<base::ProcessStat> owner = base::live_process(pid);
  if (!owner) return ::kill(pid, 0) != 0 ? errno == ESRCH : true;
  const double started = base::process_start_time(owner->start_ticks);
  return started > 0 && started > heartbeat_at + kClockSlack;
}

}  // namespace

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
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::vector<store::TrialRecord> live;
  for (const store::TrialRecord& t : running) {
    if (now - t.heartbeat_at < stale_after.count() &&
        !gone_from_this_host(t.worker, t.heartbeat_at))
      live.push_back(t);
  }
  return live;
}

}  // namespace qtune::study
