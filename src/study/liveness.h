// Liveness of the processes that run a study's trials: the worker id every trial records,
// and which RUNNING trials belong to a process that still lives, so that `qtune run` can
// refuse a study that workers are running instead of taking their trials for dead.
//
// A RUNNING trial is live unless its worker (by its id "host:pid", or by the worker's
// registration, store::WorkerRecord) is a process of this host that has ended (no such pid, a
// zombie, or a pid reused by a process that started after the last heartbeat), or its
// heartbeat_at is older than `stale_after`. A registered worker is live by the same rule, so
// an idle one (no trial) keeps `qtune run` off the study too. So a `qtune run` killed on
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

// This host's name: QTUNE_HOSTNAME when set (tests play another login node with it), else
// gethostname().
std::string host_name();

// "host:pid", or "JOB_TASK@host:pid" inside a Slurm job array (SLURM_ARRAY_JOB_ID and
// SLURM_ARRAY_TASK_ID), so that `qtune status` shows which array task ran a trial.
std::string this_worker_id();

// This process as a registered worker of id `id` (store::WorkerRecord): host, pid and the
// Slurm job it runs in (SLURM_ARRAY_JOB_ID_SLURM_ARRAY_TASK_ID, else SLURM_JOB_ID).
store::WorkerRecord this_worker(std::string id);

// Whether a RUNNING trial looks alive (see above); `now` in Unix seconds. `registered`: the
// study's workers, for a trial whose worker id is not "host:pid" (--worker-id).
bool trial_alive(const store::TrialRecord& trial, std::chrono::duration<double> stale_after,
                 double now, const std::vector<store::WorkerRecord>& registered);
// Whether a registered worker looks alive: the same rule on its host, pid and heartbeat.
bool worker_alive(const store::WorkerRecord& worker, std::chrono::duration<double> stale_after,
                  double now);
// Whether a RUNNING trial's worker is a process of this host that has ended, by its id
// "host:pid" or by its registration (`registered`): its trial can be handed out again at
// once, without waiting for its heartbeat to go stale.
bool owner_gone_from_this_host(const store::TrialRecord& trial,
                               const std::vector<store::WorkerRecord>& registered);
// Unix seconds now, on this host's clock.
double unix_now();

// The RUNNING trials of `study` that look alive (see above).
base::Result<std::vector<store::TrialRecord>> live_trials(
    const store::Store& store, store::StudyId study, std::chrono::duration<double> stale_after);
// The registered workers of `study` that look alive, but for `except` (the caller's own id).
base::Result<std::vector<store::WorkerRecord>> live_workers(
    const store::Store& store, store::StudyId study, std::chrono::duration<double> stale_after,
    std::string_view except = {});

}  // namespace qtune::study
