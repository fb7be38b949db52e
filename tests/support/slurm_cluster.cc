#include "support/slurm_cluster.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "support/run_process.h"
#include "support/temp_dir.h"

namespace qtune::testing {

std::string start_slurm_cluster() {
  static std::once_flag once;
  static std::string conf;
  std::call_once(once, [] {
    const ProcessResult started = run_process({(source_dir() / "scripts/start-slurm").string()});
    constexpr std::string_view kExport = "export SLURM_CONF=";
    const std::size_t at = started.out.rfind(kExport);
    if (started.exit_code != 0 || at == std::string::npos) {
      ADD_FAILURE() << "scripts/start-slurm failed (exit " << started.exit_code << "):\n"
                    << started.out << started.err;
      return;
    }
    conf = started.out.substr(at + kExport.size());
    conf = conf.substr(0, conf.find('\n'));
    ::setenv("SLURM_CONF", conf.c_str(), 1);
  });
  return conf;
}

bool stop_slurm_controller() {
  const char* root = std::getenv("QTUNE_SLURM_ROOT");
  const std::string pid_file =
      std::string(root != nullptr ? root : "/tmp/qtune-slurm") + "/run/slurmctld.pid";
  const pid_t pid = static_cast<pid_t>(std::atoi(read_file(pid_file).c_str()));
  if (pid <= 0 || ::kill(pid, SIGTERM) != 0) return false;
  for (int i = 0; i < 200 && ::kill(pid, 0) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return ::kill(pid, 0) != 0;
}

bool restart_slurm_controller() {
  const ProcessResult started = run_process({(source_dir() / "scripts/start-slurm").string()});
  if (started.exit_code == 0) return true;
  ADD_FAILURE() << "scripts/start-slurm failed (exit " << started.exit_code << "):\n"
                << started.out << started.err;
  return false;
}

}  // namespace qtune::testing
