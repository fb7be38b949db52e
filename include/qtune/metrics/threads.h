// How the metrics' compute threads behave on a shared machine (login nodes, GPU nodes).
//
// oneDNN runs on OpenMP (GNU libgomp), whose threads spin at every barrier for a while
// before sleeping (OMP_WAIT_POLICY unset). The Inception makes many small primitive calls,
// so with another busy process on the same cores the spinning threads take its CPU time
// and wait for each other: `qtune fid` slowed about 6x beside a 2-thread PyTorch process
// (PyTorch itself about 2x). Passive waiting (threads sleep at once) removes that; libgomp
// reads the policy only when it is loaded, before main, hence a restart of the process.
#pragma once

#include <cstddef>

namespace qtune::metrics {

// The CPUs this process may use: those of its affinity mask (sched_getaffinity: taskset,
// Slurm, cpusets), capped by the cgroup v2 CPU quota (cpu.max of its cgroup and every
// parent: quota / period, rounded up), at least 1. The default thread count of the metrics.
std::size_t available_cpus();

// Call first thing in main(). When OMP_WAIT_POLICY is unset, sets it to "passive" and
// re-executes the program (/proc/self/exe, same arguments and pid) so that OpenMP starts
// with it; in the restarted process, removes it from the environment again, so that the
// commands qtune starts (trials) do not inherit it. A policy the user set is kept. Returns
// normally (nothing changed) when the restart is not possible.
void restart_with_passive_openmp(char** argv);

}  // namespace qtune::metrics
