#include "qtune/metrics/threads.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>

namespace qtune::metrics {
namespace {

// Set with OMP_WAIT_POLICY by the restart: the policy is ours, not the user's.
constexpr const char* kRestartMarker = "QTUNE_PASSIVE_OPENMP";

// The cgroup v2 path of this process ("0::/path" in /proc/self/cgroup), or "" when none.
std::string cgroup_path() {
  std::ifstream in("/proc/self/cgroup");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("0::", 0) == 0) return line.substr(3);
  }
  return {};
}

// CPUs allowed by "QUOTA PERIOD" in cpu.max ("max PERIOD": no limit -> 0).
std::size_t quota_cpus(const std::string& file) {
  std::ifstream in(file);
  std::string quota;
  long long period = 0;
  if (!(in >> quota >> period) || quota == "max" || period <= 0) return 0;
  char* end = nullptr;
  const long long q = std::strtoll(quota.c_str(), &end, 10);
  if (end == quota.c_str() || *end != '\0' || q <= 0) return 0;
  return static_cast<std::size_t>((q + period - 1) / period);
}

}  // namespace

std::size_t available_cpus() {
  std::size_t cpus = 0;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0)
    cpus = static_cast<std::size_t>(CPU_COUNT(&set));
  if (cpus == 0) {
    const long online = sysconf(_SC_NPROCESSORS_ONLN);
    cpus = online > 0 ? static_cast<std::size_t>(online) : 1;
  }
  // The cgroup's quota and its parents' (the tightest counts), up to the root.
  std::string path = cgroup_path();
  while (!path.empty()) {
    if (const std::size_t q = quota_cpus("/sys/fs/cgroup" + path + "/cpu.max"); q > 0)
      cpus = std::min(cpus, q);
    if (path == "/") break;
    const std::size_t slash = path.rfind('/');
    path = slash == 0 ? "/" : path.substr(0, slash);
  }
  return std::max<std::size_t>(cpus, 1);
}

void restart_with_passive_openmp(char** argv) {
  if (std::getenv(kRestartMarker) != nullptr) {
    // The restarted process: OpenMP has read the policy; keep it from the children.
    unsetenv("OMP_WAIT_POLICY");
    unsetenv(kRestartMarker);
    return;
  }
  if (std::getenv("OMP_WAIT_POLICY") != nullptr || argv == nullptr || argv[0] == nullptr) return;
  if (setenv("OMP_WAIT_POLICY", "passive", 1) != 0 || setenv(kRestartMarker, "1", 1) != 0) return;
  execv("/proc/self/exe", argv);
  // Not restarted (no /proc): go on as before, with the environment as it was.
  unsetenv("OMP_WAIT_POLICY");
  unsetenv(kRestartMarker);
}

}  // namespace qtune::metrics
