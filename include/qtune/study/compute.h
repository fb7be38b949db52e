// Compute: the trial time a study has used, for [budget] compute.
//
// A trial's cost is its run time on the database clock (finished_at - started_at; a trial
// still running: its last heartbeat - started_at), for every trial qtune ran: complete,
// failed and pruned ones alike (they all held the machine), imported ones never. With
// [budget] gpus each trial holds one GPU, so the same sum is GPU-hours.
//
// The study ends when the next trial would likely exceed the budget: when what is spent, plus
// what the running trials will likely still take, plus one more typical trial, is over it.
// A typical trial is the median run time of the COMPLETE trials (of all finished ones before
// the first success); before any trial finished, trials start until the budget is spent.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "qtune/store/store.h"

namespace qtune::study {

struct ComputeUse {
  double spent_seconds = 0;               // finished trials' run time + running ones' so far
  double committed_seconds = 0;           // spent + what the running ones likely still take
  std::optional<double> typical_seconds;  // see above; nullopt before a trial finished
  std::size_t measured = 0;               // the trials `typical_seconds` is the median of
};

ComputeUse compute_use(const std::vector<store::TrialRecord>& trials);

// Whether one more trial would likely take the study past `budget_seconds`.
bool next_trial_exceeds(const ComputeUse& use, double budget_seconds);

}  // namespace qtune::study
