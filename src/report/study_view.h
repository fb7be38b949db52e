// What every section of the report reads: the trials with their values and levels, the
// parameters' levels (from the study file's space, else from the trials), the best trial.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "qtune/exec/template.h"
#include "qtune/report/report.h"
#include "qtune/study/results.h"

namespace qtune::report {

struct Parameter {
  std::string name;
  std::vector<std::string> levels;  // in the space's order (numbers ascending)
  bool numeric = true;
};

struct StudyView {
  const StudyData* data = nullptr;
  bool minimize = true;
  std::vector<Parameter> parameters;
  // Per trial (data->trials order): the level index of each parameter (-1: not a level),
  // and its value when COMPLETE with a finite value (NaN otherwise).
  std::vector<std::vector<int>> levels;
  std::vector<double> values;
  std::size_t non_finite = 0;            // COMPLETE trials whose value is not a finite number
  std::optional<study::BestTrial> best;  // among the finite values
  std::optional<std::size_t> best_index;

  // Which trials the plots draw one by one and the trials table lists: every trial up to
  // kMaxDrawn; beyond, the kMaxDrawn / 2 best by value, the best trial among them, and an
  // even spread of the others, so that a 10^5-trial study stays a page a browser opens at
  // once. Aggregates (slices, heat maps, importance, best so far, timeline) use every trial.
  static constexpr std::size_t kMaxDrawn = 3000;
  std::vector<bool> drawn;
  std::size_t drawn_count = 0;
  // Empty when every trial is drawn; else a sentence saying how many and which.
  std::string sample_note() const;

  const std::vector<store::TrialRecord>& trials() const { return data->trials; }
  // True when a is better than b in the study's direction.
  bool better(double a, double b) const { return minimize ? a < b : a > b; }
  // The direction's word for the value axis: "FID (lower is better)".
  std::string value_label() const;
};

StudyView make_study_view(const StudyData& data);

// A trial's placeholder values as `qtune run` gave them (its parameters, {trial_id},
// {trial_dir}) and the folder it ran in: exec's own expansion (exec::trial_values,
// trial_workdir) of study::trial_spec. Needs the study file (data.config).
struct TrialPlace {
  exec::TemplateValues values;
  std::filesystem::path workdir;
};
TrialPlace trial_place(const StudyData& data, const store::TrialRecord& trial);

// Seconds a finished trial took (finished_at - started_at); nullopt while it runs.
std::optional<double> trial_seconds(const store::TrialRecord& trial);

// Where a trial ran: its worker and a slot within it. The store records the worker, not the
// slot: trials of one worker that overlap in time get different slots, each the lowest free
// one when it started, as the local executor hands them out; with [budget] gpus and the local
// executor, slot i ran on GPU gpus[i % n]. Imported trials ran nowhere here: no lane.
struct Lane {
  std::string worker;  // "(unknown)" when not recorded
  std::size_t slot = 0;
  std::optional<int> gpu;
  bool operator<(const Lane& o) const {
    return worker != o.worker ? worker < o.worker : slot < o.slot;
  }
};
// Per trial (data->trials order); nullopt for an imported trial.
std::vector<std::optional<Lane>> trial_lanes(const StudyView& view);
// "host:123" with one slot; else "host:123 slot 1", or "host:123 GPU 3".
std::string lane_name(const Lane& lane, bool several_slots);
// When a trial stopped taking its slot: finished_at, or its last heartbeat while it runs.
double trial_end(const store::TrialRecord& trial);

// "12.5 s", "3.2 min", "4.1 h", "2.0 d".
std::string format_duration(double seconds);
// "2026-12-06 21:08:19 UTC".
std::string format_time(double epoch_seconds);

// How much of the spread of the measured values each parameter's levels explain: the
// between-level sum of squares over the total (one-way variance split, eta squared), with a
// 90% bootstrap interval over resampled trials.
struct Importance {
  std::string parameter;
  double fraction = 0;
  double lo = 0, hi = 0;
};
// Empty with fewer than 3 finite values or none of them different.
std::vector<Importance> variance_split(const StudyView& view, int resamples = 200,
                                       std::uint64_t seed = 1);

}  // namespace qtune::report
