#include "exec/local/descendants.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "base/process_stat.h"
#include "base/text_file.h"
#include "exec/local/trial_process.h"
#include "exec/process.h"

namespace qtune::exec::detail {
namespace {

// Every process's /proc/<pid>/stat.
std::map<pid_t, base::ProcessStat> all_processes() {
  std::map<pid_t, base::ProcessStat> out;
  std::error_code error;
  // increment(error), not ++: /proc changes while it is listed, and nothing here may throw.
  for (std::filesystem::directory_iterator it("/proc", error), end; !error && it != end;
       it.increment(error)) {
    const std::filesystem::directory_entry& entry = *it;
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::optional<std::string> text = base::read_small_file(entry.path() / "stat");
    if (!text) continue;  // ended meanwhile
    if (const auto stat = base::parse_process_stat(text->data(), text->size()))
      out[stat->pid] = *stat;
  }
  return out;
}

// The value of QTUNE_TRIAL_DIR in a process's environment; empty if it has none (or ended,
// or is a zombie, whose environment is gone).
std::string trial_dir_of(pid_t pid) {
  const std::optional<std::string> env =
      base::read_small_file(std::filesystem::path("/proc") / std::to_string(pid) / "environ");
  if (!env) return {};
  static constexpr std::string_view kName = "QTUNE_TRIAL_DIR=";
  std::string_view rest(*env);
  while (!rest.empty()) {
    const std::size_t end = rest.find('\0');
    const std::string_view entry = rest.substr(0, end);
    if (entry.starts_with(kName)) return std::string(entry.substr(kName.size()));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return {};
}

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::vector<pid_t> trial_processes(pid_t root, const std::filesystem::path& trial_dir) {
  const std::map<pid_t, base::ProcessStat> processes = all_processes();
  const pid_t self = ::getpid();
  const std::string dir = trial_dir.string();
  std::vector<pid_t> out;
  for (const auto& [pid, stat] : processes) {
    if (pid == self || pid == root) continue;
    bool descends = false;
    pid_t up = stat.ppid;
    for (int depth = 0; depth < 64 && up > 1 && !descends; ++depth) {
      descends = up == root;
      const auto parent = processes.find(up);
      if (parent == processes.end()) break;
      up = parent->second.ppid;
    }
    if (descends || (stat.state != 'Z' && trial_dir_of(pid) == dir)) out.push_back(pid);
  }
  return out;
}

void OrphanReaper::end_trial(pid_t root, const std::filesystem::path& trial_dir) {
  // Found before the kill: killing breaks the chains of parents.
  const std::vector<pid_t> processes = trial_processes(root, trial_dir);
  signal_group(root, SIGKILL);
  for (const pid_t pid : processes) {
    ::kill(pid, SIGKILL);
    // Its parent may die first and hand it to us: ask again when reaping.
    orphans_.insert(pid);
  }
}

void OrphanReaper::reap(const std::set<pid_t>& trial_pids) {
  const pid_t self = ::getpid();
  if (const long long now = now_ms(); now - last_scan_ms_ >= 1000) {
    last_scan_ms_ = now;
    for (const auto& [pid, stat] : all_processes()) {
      if (stat.ppid == self && !trial_pids.contains(pid) && stat.state != 'Z' &&
          !trial_dir_of(pid).empty()) {
        orphans_.insert(pid);
      }
    }
  }
  for (auto it = orphans_.begin(); it != orphans_.end();) {
    const pid_t done = ::waitpid(*it, nullptr, WNOHANG);
    // Not (yet) our child, but it exists: its dying parent may still hand it to us.
    const bool elsewhere = done < 0 && errno == ECHILD && ::kill(*it, 0) == 0;
    if (done == 0 || elsewhere) {
      ++it;
    } else {
      it = orphans_.erase(it);
    }
  }
}

}  // namespace qtune::exec::detail
