// A reward from several metrics ([trial] metric = { combine = [...] }): how a trial's
// components (MetricComponent: a built-in metric's value, weight and direction) become one
// loss, and which trials no other beats on every component (the Pareto front).
//
// The loss is scale-free: each component is replaced by its mid-rank among the trials it is
// compared with, as a fraction (the share of them that are better, ties counted half, the
// trial itself included), so FID in the hundreds and a 2-way score near 0.8 weigh alike; the
// loss is the weighted mean of these fractions, in (0, 1), lower better. A trial alone scores
// 0.5; the best of n on every component scores 1/(2n).
//
// Ranks move as trials arrive. The strategy is told one number per trial, once: the loss
// against the COMPLETE trials finished before it (told_combined_loss), stored as the trial's
// value and never revised (finished trials are immutable, and a strategy's snapshot is the
// sum of what it was told). Readers rank on the loss now (combined_loss_now): every COMPLETE
// trial against all of them, with its stored components. So `qtune best` may name another
// trial than the strategy's told values would; docs/config.md "Rewards from several metrics"
// says why that is the right answer to "which is best".
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/base/metric_component.h"
#include "qtune/store/store.h"

namespace qtune::study {

// The loss to tell for a new trial with `components`, ranked among `finished` (the study's
// trials; only COMPLETE ones with components count, and not the new trial itself) and itself.
double told_combined_loss(const std::vector<MetricComponent>& components,
                          const std::vector<store::TrialRecord>& finished);

// For each of `trials`, its loss now: a COMPLETE trial with components ranked among all the
// COMPLETE trials with components; nullopt for every other trial.
std::vector<std::optional<double>> combined_loss_now(const std::vector<store::TrialRecord>& trials);

// True when some COMPLETE trial has components (the study combines metrics).
bool has_components(const std::vector<store::TrialRecord>& trials);

// The names of the components the trials have, in the order of their first appearance: the
// columns `status`, `export` and the report show.
std::vector<std::string> component_names(const std::vector<store::TrialRecord>& trials);

// The value of component `name` of trial `t`, nullopt when it has none.
std::optional<double> component_value(const store::TrialRecord& t, std::string_view name);

// The positions in `trials` of the non-dominated COMPLETE trials, in their order: a trial is
// dominated when another is at least as good on every component and better on one. Compared
// on the components of the latest COMPLETE trial with components (a trial lacking one of them
// is left out); each trial on its own (a configuration measured twice is two points). Trials
// with equal components all stay. Empty when no trial has components.
std::vector<std::size_t> pareto_front(const std::vector<store::TrialRecord>& trials);

}  // namespace qtune::study
