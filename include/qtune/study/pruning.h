// Pruning: stopping a running trial early from the intermediate values it prints
// ([trial] progress), by the rule of the study file's [pruning] table.
//
//   [pruning]
//   rule = "median"          # "median" (default), "asha" or "none"
//   min_trials = 5           # finished trials with progress before any trial is stopped
//   start_step = 0           # no trial is stopped before this step
//   warmup_fraction = 0.1    # ... nor before this fraction of a finished trial's last step
//                            # (the median over the finished trials)
//   noise = 2.0              # median: how many measured reading-noise sds (below) a trial
//                            # must be worse than the median by; 0 is the plain median rule
//   trend_window = 0.1       # median, noise > 0: the trial's trend is fitted over its points
//                            # in this last fraction of the finished trials' last step
//   reduction_factor = 3     # asha: at each rung only the best 1/reduction_factor go on
//   min_step = 1             # asha: the first rung; rung k is at min_step * factor^k
//
// The median rule (Optuna's MedianPruner, Katib's median stop): at a trial's last reported
// step s, with value v, take each finished (COMPLETE) trial's value at s (its last point at or
// before s) and their median m. The plain rule (noise = 0) stops the trial when v > m.
//
// The noise-aware rule (noise > 0) stops it only when both hold:
// - v > m + noise x sd, where sd is the noise of one reading, measured on the finished curves:
//   1.4826 x the median |v[i-1] - 2 v[i] + v[i+1]| / sqrt(6) (the second difference cancels a
//   smooth trend; for independent noise its sd is sqrt(6) sd);
// - its trend cannot bring it back: the least-squares slope of its points in the last
//   trend_window of the run (at least 3 points), extended in a straight line to the finished
//   trials' median last step, still ends above their median final value by more than
//   noise x sd. Curves flatten as they fall, so the straight line is optimistic: a slow
//   starter that is still falling steeply (curves that will cross) is kept.
// Why both: the plain rule stops slow starters whose curves later cross the fast ones, and
// reading noise near the median; docs/benchmarks.md "Pruning" measures what each costs.
//
// ASHA (asynchronous successive halving): at the highest rung r <= s, the trial's value at r
// is ranked among the values at r of every other trial that reached r (finished, pruned or
// running); it is stopped unless it is in the best 1/reduction_factor of them (and at least
// min_trials values are there).
//
// Values compare in the study's direction (a maximised metric is negated first).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/base/progress_point.h"
#include "qtune/base/result.h"
#include "qtune/store/store.h"

namespace qtune::study {

enum class PruningRule { kNone, kMedian, kAsha };

struct PruningConfig {
  PruningRule rule = PruningRule::kNone;  // kMedian once [pruning] is given
  std::uint32_t min_trials = 5;
  std::int64_t start_step = 0;
  double warmup_fraction = 0.1;
  double noise = 2.0;
  double trend_window = 0.1;
  std::uint32_t reduction_factor = 3;
  std::int64_t min_step = 1;
};

// "none" | "median" | "asha".
std::string_view pruning_rule_name(PruningRule rule);

// The [pruning] table of a study file's text (the default PruningConfig without one);
// kInvalidArgument "file:line: [pruning] key: what; what would be right".
base::Result<PruningConfig> parse_pruning(std::string_view toml_text, std::string_view file);

// One trial's intermediate values, in step order, in loss form (lower is better).
using Curve = std::vector<ProgressPoint>;

struct PruneDecision {
  bool prune = false;
  std::int64_t step = 0;  // the trial's last step
  double value = 0;       // its value there (loss form)
  double threshold = 0;   // the value it had to stay under (loss form); set when the rule acted
  std::string reason;     // one line, for the trial's record when pruned
};

// Whether the rule stops a trial whose curve is `trial` now. `finished`: the curves of the
// COMPLETE trials; `others`: those of every other trial (ASHA's rungs). All in loss form.
PruneDecision decide_pruning(const PruningConfig& config, const std::vector<Curve>& finished,
                             const std::vector<Curve>& others, const Curve& trial);

// What the strategy is told a PRUNED trial's loss is, in the units of the study's metric: the
// value the rule judged it against, translated to final values. Its intermediate value may
// be another quantity (a training loss printed per epoch, while the metric is FID) and, on a
// falling curve, is not what it would have ended at. The median rule stopped it as worse than
// the finished trials' median, so it is told the median of `complete_losses` (the final losses
// of the COMPLETE trials); ASHA stopped it outside the best 1/reduction_factor, so it is told
// that quantile of them (linear between order statistics). A censored measurement: it would
// have ended at least this bad. nullopt without complete losses.
std::optional<double> pruned_loss_bound(const PruningConfig& config,
                                        std::vector<double> complete_losses);

// The trial time pruning saved, in seconds: for each PRUNED trial, its run time scaled up to
// the median last step of the COMPLETE trials' curves, less the time it ran. 0 without pruned
// trials or finished curves. `progress` as Store::progress returns it.
double pruning_seconds_saved(const std::vector<store::TrialRecord>& trials,
                             const std::vector<store::TrialProgress>& progress);

}  // namespace qtune::study
