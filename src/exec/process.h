// Starting a child process without a shell, in its own process group, with its standard
// streams redirected to files, optionally leaving a record of itself (pid, start time) that
// a later qtune can find. It is not killed when qtune dies. Private to exec.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "base/process_stat.h"
#include "qtune/base/result.h"

namespace qtune::exec::detail {

struct SpawnRequest {
  std::vector<std::string> argv;      // argv[0] is looked up in PATH unless it contains a '/'
                                      // (then relative to workdir)
  std::filesystem::path workdir;      // the child chdirs here before exec
  std::vector<std::string> env;       // the complete environment, "NAME=value"
  std::filesystem::path stdout_path;  // created or truncated
  std::filesystem::path stderr_path;
  // When set, the child writes "pid=P\nstart=S\npgid=G\n" + record_tail to record_tmp_path
  // and renames it to record_path before it execs (S: /proc/<pid>/stat field 22), so the
  // record exists even if qtune dies right after fork.
  std::filesystem::path record_path;
  std::filesystem::path record_tmp_path;
  std::string record_tail;
  // When set, the spawned process does not exec the program itself: it forks it, waits for
  // it and, when the program ended on its own, writes "exit=N" or "signal=N" (the exact wait
  // status) to exit_status_tmp_path and renames it to exit_status_path, then ends as the
  // program did (the same exit code, or the same signal). A SIGTERM/SIGINT/SIGHUP it gets
  // meanwhile (qtune stopping the trial) is not passed on, it only means: record nothing.
  // So a later qtune learns how a trial ended that it was not there to wait for.
  std::filesystem::path exit_status_path;
  std::filesystem::path exit_status_tmp_path;
};

// The child's pid, which is also its process group id. kIoError with the OS's reason
// ("python4: No such file or directory") if it could not be started.
base::Result<pid_t> spawn_in_new_group(const SpawnRequest& request);

// Sends `signal` to the process group `group`; a group that is gone is not an error.
void signal_group(pid_t group, int signal);

}  // namespace qtune::exec::detail
