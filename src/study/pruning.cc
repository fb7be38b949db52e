#include "qtune/study/pruning.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "base/names.h"
#include "base/toml_reader.h"
#include "study/median.h"

namespace qtune::study {
namespace {

using detail::median;
using detail::quantile;

constexpr base::Names<PruningRule, 3> kRules{{{{PruningRule::kNone, "none"},
                                               {PruningRule::kMedian, "median"},
                                               {PruningRule::kAsha, "asha"}}}};

// The value of `curve` at `step`: its last point at or before it; nullopt before its first.
std::optional<double> value_at(const Curve& curve, std::int64_t step) {
  const auto after =
      std::upper_bound(curve.begin(), curve.end(), step,
                       [](std::int64_t s, const ProgressPoint& p) { return s < p.step; });
  if (after == curve.begin()) return std::nullopt;
  return std::prev(after)->value;
}

// The noise of one reading, measured on the finished curves: 1.4826 x the median absolute
// second difference (v[i-1] - 2 v[i] + v[i+1]: a smooth trend cancels, and for independent
// noise of sd s its sd is sqrt(6) s), divided by sqrt(6). 0 without three points in a curve.
double reading_noise(const std::vector<Curve>& finished) {
  std::vector<double> second;
  for (const Curve& c : finished) {
    for (std::size_t i = 1; i + 1 < c.size(); ++i)
      second.push_back(std::abs(c[i - 1].value - 2 * c[i].value + c[i + 1].value));
  }
  return second.empty() ? 0.0 : 1.4826 * median(second) / std::sqrt(6.0);
}

// The least-squares slope of the trial's last points: those after step `from`, at least 3.
std::optional<double> recent_slope(const Curve& trial, double from) {
  auto first = std::find_if(trial.begin(), trial.end(), [&](const ProgressPoint& p) {
    return static_cast<double>(p.step) > from;
  });
  if (trial.end() - first < 3) first = trial.size() >= 3 ? trial.end() - 3 : trial.begin();
  const auto n = static_cast<double>(trial.end() - first);
  if (n < 3) return std::nullopt;
  double mx = 0;
  double my = 0;
  for (auto p = first; p != trial.end(); ++p) {
    mx += static_cast<double>(p->step) / n;
    my += p->value / n;
  }
  double sxx = 0;
  double sxy = 0;
  for (auto p = first; p != trial.end(); ++p) {
    const double dx = static_cast<double>(p->step) - mx;
    sxx += dx * dx;
    sxy += dx * (p->value - my);
  }
  if (sxx <= 0) return std::nullopt;
  return sxy / sxx;
}

// `full`: the median last step of the finished curves.
PruneDecision median_rule(const PruningConfig& config, const std::vector<Curve>& finished,
                          const Curve& trial, double full, PruneDecision decision) {
  std::vector<double> at_step;
  std::vector<double> finals;
  for (const Curve& curve : finished) {
    const std::optional<double> v = value_at(curve, decision.step);
    if (!v) continue;
    at_step.push_back(*v);
    finals.push_back(curve.back().value);
  }
  if (at_step.size() < config.min_trials) return decision;
  const double m = median(at_step);
  if (config.noise <= 0) {  // the plain median rule
    decision.threshold = m;
    decision.prune = decision.value > m;
    decision.reason = fmt::format(
        "pruned at step {}: {:.6g} is worse than the median {:.6g} of {} finished "
        "trials",
        decision.step, decision.value, m, at_step.size());
    return decision;
  }
  const double noise = reading_noise(finished);
  const double margin = config.noise * noise;
  decision.threshold = m + margin;
  if (decision.value <= decision.threshold) return decision;
  // Still falling fast enough to reach the finished trials' median end? Then it stays.
  const std::optional<double> slope =
      recent_slope(trial, static_cast<double>(decision.step) - config.trend_window * full);
  if (!slope) return decision;
  const double reach =
      decision.value +
      std::min(0.0, *slope) * std::max(0.0, full - static_cast<double>(decision.step));
  const double median_final = median(finals);
  if (reach - margin <= median_final) return decision;
  decision.prune = true;
  decision.reason = fmt::format(
      "pruned at step {}: {:.6g} is worse than the median {:.6g} of {} finished trials by more "
      "than {} x noise {:.3g}, and its trend reaches only {:.6g} at step {:.0f} (their median "
      "end: {:.6g})",
      decision.step, decision.value, m, at_step.size(), config.noise, noise, reach, full,
      median_final);
  return decision;
}

PruneDecision asha_rule(const PruningConfig& config, const std::vector<Curve>& others,
                        const Curve& trial, PruneDecision decision) {
  std::int64_t rung = config.min_step;
  if (decision.step < rung) return decision;
  const auto factor = static_cast<std::int64_t>(config.reduction_factor);
  while (rung <= decision.step / factor) rung *= factor;
  const std::optional<double> mine = value_at(trial, rung);
  if (!mine) return decision;
  std::vector<double> values{*mine};
  for (const Curve& curve : others) {
    if (curve.empty() || curve.back().step < rung) continue;  // did not reach the rung
    if (const std::optional<double> v = value_at(curve, rung)) values.push_back(*v);
  }
  if (values.size() < std::max<std::size_t>(config.min_trials, 1)) return decision;
  std::sort(values.begin(), values.end());
  const std::size_t keep = std::max<std::size_t>(1, values.size() / config.reduction_factor);
  decision.threshold = values[keep - 1];
  decision.prune = *mine > decision.threshold;
  decision.reason = fmt::format(
      "pruned at step {}: at rung {} its value {:.6g} is not in the best {} of {} trials "
      "(1/{})",
      decision.step, rung, *mine, keep, values.size(), config.reduction_factor);
  return decision;
}

class Parser {
 public:
  explicit Parser(std::string_view file) : file_(file) {}

  base::Result<PruningConfig> parse(const toml::table& table) const {
    PruningConfig config;
    config.rule = PruningRule::kMedian;
    for (const auto& [key, node] : table) {
      const std::string_view k = key.str();
      if (k == "rule") {
        const auto* text = node.as_string();
        const std::optional<PruningRule> rule =
            text != nullptr ? kRules.parse(text->get()) : std::nullopt;
        if (!rule) return error(node, k, fmt::format("use {}", kRules.list()));
        config.rule = *rule;
      } else if (k == "min_trials") {
        QTUNE_ASSIGN_OR_RETURN(const std::int64_t n, integer(node, k, 1, 1'000'000));
        config.min_trials = static_cast<std::uint32_t>(n);
      } else if (k == "start_step") {
        QTUNE_ASSIGN_OR_RETURN(config.start_step, integer(node, k, 0, INT64_MAX));
      } else if (k == "min_step") {
        QTUNE_ASSIGN_OR_RETURN(config.min_step, integer(node, k, 1, INT64_MAX));
      } else if (k == "reduction_factor") {
        QTUNE_ASSIGN_OR_RETURN(const std::int64_t n, integer(node, k, 2, 1000));
        config.reduction_factor = static_cast<std::uint32_t>(n);
      } else if (k == "warmup_fraction") {
        QTUNE_ASSIGN_OR_RETURN(config.warmup_fraction, number(node, k, 0.0, 1.0));
      } else if (k == "trend_window") {
        QTUNE_ASSIGN_OR_RETURN(config.trend_window, number(node, k, 0.0, 1.0));
      } else if (k == "noise") {
        QTUNE_ASSIGN_OR_RETURN(config.noise, number(node, k, 0.0, 100.0));
      } else {
        return error(node, k,
                     "unknown key; use rule, min_trials, start_step, warmup_fraction, noise, "
                     "trend_window, reduction_factor or min_step");
      }
    }
    return config;
  }

 private:
  base::Status error(const toml::node& node, std::string_view key, std::string_view what) const {
    return base::toml_error(file_, node, fmt::format("[pruning] {}: {}", key, what));
  }
  base::Result<std::int64_t> integer(const toml::node& node, std::string_view key, std::int64_t min,
                                     std::int64_t max) const {
    const auto* i = node.as_integer();
    if (i == nullptr || i->get() < min || i->get() > max)
      return error(node, key, fmt::format("expected an integer in {}..{}", min, max));
    return i->get();
  }
  base::Result<double> number(const toml::node& node, std::string_view key, double min,
                              double max) const {
    const std::optional<double> v = node.value<double>();
    if (!v || !std::isfinite(*v) || *v < min || *v > max)
      return error(node, key, fmt::format("expected a number in {}..{}", min, max));
    return *v;
  }

  std::string_view file_;
};

}  // namespace

std::string_view pruning_rule_name(PruningRule rule) { return kRules.name(rule); }

base::Result<PruningConfig> parse_pruning(std::string_view toml_text, std::string_view file) {
  QTUNE_ASSIGN_OR_RETURN(const toml::table root, base::parse_toml(toml_text, file));
  QTUNE_ASSIGN_OR_RETURN(const toml::table* table, base::toml_table(root, "pruning", file));
  if (table == nullptr) return PruningConfig{};
  return Parser(file).parse(*table);
}

PruneDecision decide_pruning(const PruningConfig& config, const std::vector<Curve>& finished,
                             const std::vector<Curve>& others, const Curve& trial) {
  PruneDecision decision;
  if (config.rule == PruningRule::kNone || trial.empty()) return decision;
  decision.step = trial.back().step;
  decision.value = trial.back().value;
  if (decision.step < config.start_step) return decision;
  std::vector<double> last_steps;
  for (const Curve& curve : finished) {
    if (!curve.empty()) last_steps.push_back(static_cast<double>(curve.back().step));
  }
  if (last_steps.size() < config.min_trials || last_steps.empty()) return decision;
  if (static_cast<double>(decision.step) < config.warmup_fraction * median(last_steps))
    return decision;
  if (config.rule == PruningRule::kAsha) return asha_rule(config, others, trial, decision);
  return median_rule(config, finished, trial, median(last_steps), std::move(decision));
}

std::optional<double> pruned_loss_bound(const PruningConfig& config,
                                        std::vector<double> complete_losses) {
  if (complete_losses.empty()) return std::nullopt;
  const double fraction =
      config.rule == PruningRule::kAsha ? 1.0 / static_cast<double>(config.reduction_factor) : 0.5;
  return quantile(std::move(complete_losses), fraction);
}

double pruning_seconds_saved(const std::vector<store::TrialRecord>& trials,
                             const std::vector<store::TrialProgress>& progress) {
  std::map<TrialId, const store::TrialProgress*> by_trial;
  for (const store::TrialProgress& p : progress) by_trial[p.trial] = &p;
  std::vector<double> final_steps;
  for (const store::TrialRecord& t : trials) {
    const auto found = by_trial.find(t.id);
    if (t.state == store::TrialState::kComplete && found != by_trial.end() &&
        !found->second->points.empty())
      final_steps.push_back(static_cast<double>(found->second->points.back().step));
  }
  if (final_steps.empty()) return 0;
  const double full = median(final_steps);
  double saved = 0;
  for (const store::TrialRecord& t : trials) {
    const auto found = by_trial.find(t.id);
    if (t.state != store::TrialState::kPruned || !t.finished_at || found == by_trial.end() ||
        found->second->points.empty())
      continue;
    const auto step = static_cast<double>(found->second->points.back().step);
    const double ran = *t.finished_at - t.started_at;
    if (step > 0 && full > step && ran > 0) saved += ran * (full / step - 1);
  }
  return saved;
}

}  // namespace qtune::study
