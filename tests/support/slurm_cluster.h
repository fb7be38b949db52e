// The project's one-node Slurm cluster for tests: scripts/start-slurm (idempotent, safe to
// run from concurrent test processes), started at most once per process, with SLURM_CONF
// set in this process so sbatch/squeue/scancel (and qtune processes it starts) use it.
// It is left running for the next test process; the ctest cleanup slurm/stop (scripts/stop-slurm)
// stops it after the last of them.
#pragma once

#include <string>

namespace qtune::testing {

// SLURM_CONF's value, or "" after an ADD_FAILURE with the script's output: the Slurm tests
// fail when the cluster cannot start, they never skip.
std::string start_slurm_cluster();

// Stops the cluster's controller (slurmctld, SIGTERM, waited for), as a crash or maintenance
// would: sbatch and squeue then fail with "Unable to contact slurm controller". False when
// it was not running.
bool stop_slurm_controller();
// Starts it again (scripts/start-slurm); false, after an ADD_FAILURE, when that fails.
bool restart_slurm_controller();

}  // namespace qtune::testing
