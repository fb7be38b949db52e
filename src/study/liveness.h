// Liveness of the processes that run a study's trials: the worker id every trial records,
// and which RUNNING trials belong to a process that still lives, so that `qtune run` can
// refuse a study that workers are running instead of taking their trials for dead.
//
// A RUNNING trial is live unless its worker id names this host and a process that has ended
// (no such pid, a zombie, or a pid reused by a process that started after the trial's last
// heartbeat), or its heartbeat_at is older than `stale_after`. So a `qtune run` killed on
// this host leaves no live trials behind, whatever its trials' processes still do: the next
// run takes those over (exec/local/local_executor.h); a live owner on this host, or any
// owner on another host until its heartbeat is stale, keeps its trials. Heartbeats are on the
// database clock and compared with this host's clock: for SQLite they are the same clock; for a
// server, hosts are assumed to agree within seconds (NTP), small beside minutes of staleness.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/base/result.h"
#include "qtune/store/store.h"

namespace qtune::study {

// "host:pid", or "JOB_TASK@host:pid" inside a Slurm job array (SLURM_ARRAY_JOB_ID and
// SLURM_ARRAY_TASK_ID), so that `qtune status` shows which array task ran a trial.
std::string this_worker_id();

// The RUNNING trials of `study` that look alive (see above).
base::Result<std::vector<store::TrialRecord>> live_trials(
    const store::Store& store, store::StudyId study, std::chrono::duration<double> stale_after);

}  // namespace qtune::study
