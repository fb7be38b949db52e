// Every process a local trial started, also those that left its process group (setsid, a
// daemon's double fork), so that none outlives the trial. Private to exec/local.
//
// A process belongs to a trial when its chain of parents (/proc/<pid>/stat ppid) reaches
// the trial's process, or when its environment (/proc/<pid>/environ, inherited from the
// trial unless a program clears it) holds the trial's QTUNE_TRIAL_DIR. The second finds the
// processes whose parents died before them: they were re-parented to the nearest child
// subreaper (qtune's Runner is one: prctl(PR_SET_CHILD_SUBREAPER)) or to init, so the
// chain is broken. qtune reaps the ones re-parented to it (OrphanReaper).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <set>
#include <vector>

namespace qtune::exec::detail {

// The processes of the trial whose process is `root` (running or ended) and whose
// QTUNE_TRIAL_DIR is `trial_dir`; never qtune itself.
std::vector<pid_t> trial_processes(pid_t root, const std::filesystem::path& trial_dir);

// Reaps the trials' descendants that were re-parented to this process (a child subreaper).
// Only the ones it was told about or saw with a QTUNE_TRIAL_DIR in their environment: this
// process's other children (a Python caller's subprocesses) are never waited for.
class OrphanReaper {
 public:
  // SIGKILLs the trial's process group and every process of the trial (trial_processes),
  // and remembers those that are this process's children, to reap them.
  void end_trial(pid_t root, const std::filesystem::path& trial_dir);
  // Reaps `pid` once it ended, if it is (or becomes) this process's child.
  void watch(pid_t pid) { orphans_.insert(pid); }
  // Reaps what ended; `trial_pids` (the trials' own processes, waited for by the executor)
  // are left alone. Looks through /proc for new orphans at most once a second.
  void reap(const std::set<pid_t>& trial_pids);

 private:
  std::set<pid_t> orphans_;
  long long last_scan_ms_ = 0;
};

}  // namespace qtune::exec::detail
