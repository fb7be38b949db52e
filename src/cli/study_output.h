// Output formats of the read-only commands (stdout): the best trial, the study status and
// the trials table, as a human table, JSON or CSV.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/base/result.h"
#include "qtune/exec/executor.h"
#include "qtune/space/space.h"
#include "qtune/store/store.h"
#include "qtune/study/results.h"

namespace qtune::cli {

enum class OutputFormat { kTable, kJson, kCsv };

// "table" | "json" | "csv"; kInvalidArgument naming the allowed ones otherwise.
base::Result<OutputFormat> parse_output_format(std::string_view text);

// JSON parameter values are typed: ints as ints, floats as floats, strings as strings, from
// the study's [space] when the caller has it (`space`), else read from the stored text.
// Times are ISO-8601 UTC ("2026-05-01T12:00:00.250Z").

// Table:  "best value: 0.1234 (trial 7)\n  K = 4\n  ...";
// JSON:   {"number": 7, "value": 0.1234, "measurements": 1, "params": {"K": 4, ...}}
// A combined metric: "best combined loss now: ..." and a line "  metrics: fid 12.5, ...";
// JSON "components": {"fid": 12.5, ...}.
std::string format_best(const study::BestTrial& best, OutputFormat format,
                        const space::Space* space = nullptr);

// `qtune best --pareto`: the trials at positions `front` of `trials` (study::pareto_front).
// Table: "Pareto front over fid (lower is better), alexnet2 (higher is better): 2 of 9 complete
// trials" then per trial "  trial 3: fid 12.5, alexnet2 0.81; loss now 0.2 (K=4, ...)";
// JSON: {"components": [{"name", "maximize"}], "complete": 9, "trials": [{"number", "value"
// (the loss told), "loss_now", "components": {...}, "params": {...}}]}; CSV: number, loss_now,
// the components, the parameters.
std::string format_pareto(const std::vector<store::TrialRecord>& trials,
                          const std::vector<std::size_t>& front, OutputFormat format,
                          const space::Space* space = nullptr);

// What `qtune status` shows beside the trials: the registered workers, each trial's latest
// Slurm job id (by trial number; trials of the local executor have none), the trial time
// pruning saved (study::pruning_seconds_saved) and, with [budget] compute, the trial time
// spent (study::compute_use) and the budget.
struct StatusExtras {
  std::vector<store::WorkerRecord> workers;
  std::map<std::int64_t, std::string> slurm_jobs;  // by trial number
  // The RUNNING trials' jobs as squeue sees them, by trial number ("NOT_QUEUED": squeue no
  // longer lists it); slurm_error: why squeue could not say.
  std::map<std::int64_t, exec::SlurmJobState> slurm_states;
  std::string slurm_error;
  double now = 0;  // Unix seconds, for the heartbeats' age
  double pruning_seconds_saved = 0;
  double compute_spent_seconds = 0;
  std::optional<double> compute_budget_seconds;
};

// Table: a summary (counts, the pruned trials and the trial time pruning saved, compute hours
// spent and left, best), the workers (host, pid, Slurm job, heartbeat age, running trials)
// and one line per trial; JSON: {"study", "trials" (the count), "counts",
// "pruning_hours_saved", "compute" (with a budget: {"hours_spent", "hours_budget",
// "hours_left"}), "best", "workers", "trial_list" (each trial as `export` writes it, with
// "slurm_job", and for a running one "slurm_state" and "slurm_reason"), "slurm_error" when
// squeue failed}; CSV: the trials.
std::string format_status(const store::StudyRecord& study,
                          const std::vector<store::TrialRecord>& trials, OutputFormat format,
                          const space::Space* space = nullptr, const StatusExtras& extras = {});

// number,state,<param names...>,value,failure_reason,started_at,finished_at,worker,attempt,
// source per trial; with a combined metric then loss_now and one column per component (their
// names, the built-in metrics', which no dimension may take).
std::string trials_csv(const std::vector<store::TrialRecord>& trials);
// A JSON array of trials with params, state, value, (a combined metric's) components and
// loss_now, failure_reason, log_tail, times, worker, attempt, retries and source.
std::string trials_json(const std::vector<store::TrialRecord>& trials,
                        const space::Space* space = nullptr);
// Seconds since the Unix epoch as ISO-8601 UTC with milliseconds.
std::string iso_time(double seconds);

}  // namespace qtune::cli
