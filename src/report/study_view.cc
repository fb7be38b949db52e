#include "report/study_view.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>
#include <map>
#include <random>

#include "qtune/exec/trial_config.h"
#include "qtune/study/combined_metric.h"
#include "qtune/study/runner.h"

namespace qtune::report {
namespace {

std::optional<double> as_number(const std::string& text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::vector<Parameter> parameters_of(const StudyData& data) {
  std::vector<Parameter> out;
  if (data.config) {
    for (const space::Dimension& d : data.config->space.dimensions()) {
      Parameter p{d.name, {}, d.numeric()};
      for (const space::Value& v : d.values) p.levels.push_back(space::format_value(v));
      out.push_back(std::move(p));
    }
    return out;
  }
  // No study file: the levels the trials used, in their order of first use by name.
  std::map<std::string, std::vector<std::string>> seen;
  for (const store::TrialRecord& t : data.trials) {
    for (const store::Param& p : t.params) {
      auto [it, added] = seen.try_emplace(p.name);
      if (added) out.push_back({p.name, {}, true});
      if (std::find(it->second.begin(), it->second.end(), p.value) == it->second.end())
        it->second.push_back(p.value);
    }
  }
  for (Parameter& p : out) {
    p.levels = seen[p.name];
    p.numeric = std::all_of(p.levels.begin(), p.levels.end(),
                            [](const std::string& s) { return as_number(s).has_value(); });
    if (p.numeric) {
      std::sort(p.levels.begin(), p.levels.end(), [](const std::string& a, const std::string& b) {
        return *as_number(a) < *as_number(b);
      });
    } else {
      std::sort(p.levels.begin(), p.levels.end());
    }
  }
  return out;
}

double eta_squared(const std::vector<int>& level, const std::vector<double>& value,
                   std::size_t levels, const std::vector<std::size_t>& sample) {
  double mean = 0;
  for (const std::size_t i : sample) mean += value[i];
  mean /= static_cast<double>(sample.size());
  std::vector<double> sum(levels, 0);
  std::vector<double> count(levels, 0);
  double total = 0;
  for (const std::size_t i : sample) {
    total += (value[i] - mean) * (value[i] - mean);
    if (level[i] < 0) continue;
    sum[static_cast<std::size_t>(level[i])] += value[i];
    count[static_cast<std::size_t>(level[i])] += 1;
  }
  if (total <= 0) return 0;
  double between = 0;
  for (std::size_t l = 0; l < levels; ++l) {
    if (count[l] > 0) between += count[l] * std::pow(sum[l] / count[l] - mean, 2);
  }
  return std::clamp(between / total, 0.0, 1.0);
}

}  // namespace

std::string StudyView::value_label() const {
  std::string metric = "value";
  if (study::has_components(data->trials)) {
    return "combined loss now (lower is better)";
  }
  if (data->config && data->config->trial) {
    if (const auto* b = std::get_if<exec::BuiltinMetric>(&data->config->trial->metric))
      metric = std::string(exec::builtin_metric_name(b->kind));
  }
  return fmt::format("{} ({} is better)", metric, minimize ? "lower" : "higher");
}

std::string StudyView::sample_note() const {
  if (drawn_count == drawn.size()) return {};
  return fmt::format(
      "{} of {} trials drawn: the {} best and an even spread of the others (aggregates use "
      "every trial; qtune export lists them all).",
      drawn_count, drawn.size(), kMaxDrawn / 2);
}

namespace {

// StudyView::drawn: the best half by value, then an even spread of the rest.
void choose_drawn(StudyView& view) {
  const std::size_t n = view.values.size();
  view.drawn.assign(n, n <= StudyView::kMaxDrawn);
  view.drawn_count = n <= StudyView::kMaxDrawn ? n : 0;
  if (n <= StudyView::kMaxDrawn) return;
  std::vector<std::size_t> finite;
  for (std::size_t i = 0; i < n; ++i)
    if (std::isfinite(view.values[i])) finite.push_back(i);
  const std::size_t best = std::min(finite.size(), StudyView::kMaxDrawn / 2);
  std::partial_sort(
      finite.begin(), finite.begin() + static_cast<std::ptrdiff_t>(best), finite.end(),
      [&](std::size_t a, std::size_t b) { return view.better(view.values[a], view.values[b]); });
  for (std::size_t k = 0; k < best; ++k) view.drawn[finite[k]] = true;
  if (view.best_index) view.drawn[*view.best_index] = true;
  std::vector<std::size_t> rest;
  for (std::size_t i = 0; i < n; ++i)
    if (!view.drawn[i]) rest.push_back(i);
  const std::size_t room =
      StudyView::kMaxDrawn -
      std::min<std::size_t>(StudyView::kMaxDrawn, static_cast<std::size_t>(std::count(
                                                      view.drawn.begin(), view.drawn.end(), true)));
  for (std::size_t k = 0; k < room && !rest.empty(); ++k)
    view.drawn[rest[k * rest.size() / room]] = true;
  view.drawn_count =
      static_cast<std::size_t>(std::count(view.drawn.begin(), view.drawn.end(), true));
}

}  // namespace

StudyView make_study_view(const StudyData& data) {
  StudyView view;
  view.data = &data;
  view.minimize = data.record.direction == store::Direction::kMinimize;
  view.parameters = parameters_of(data);
  // A combined metric: every trial's loss now (study/combined_metric.h), not the loss told.
  const bool combined = study::has_components(data.trials);
  const std::vector<std::optional<double>> now =
      combined ? study::combined_loss_now(data.trials) : std::vector<std::optional<double>>{};
  if (combined) view.minimize = true;
  std::vector<store::TrialRecord> finite;
  for (std::size_t i = 0; i < data.trials.size(); ++i) {
    const store::TrialRecord& t = data.trials[i];
    const std::optional<double> value = combined ? now[i] : t.value;
    std::vector<int> level(view.parameters.size(), -1);
    for (std::size_t k = 0; k < view.parameters.size(); ++k) {
      const Parameter& p = view.parameters[k];
      for (const store::Param& param : t.params) {
        if (param.name != p.name) continue;
        const auto it = std::find(p.levels.begin(), p.levels.end(), param.value);
        if (it != p.levels.end()) level[k] = static_cast<int>(it - p.levels.begin());
      }
    }
    view.levels.push_back(std::move(level));
    const bool complete = t.state == store::TrialState::kComplete && value;
    if (complete && std::isfinite(*value)) {
      view.values.push_back(*value);
      finite.push_back(t);
    } else {
      if (complete) ++view.non_finite;
      view.values.push_back(std::nan(""));
    }
  }
  view.best = study::best_trial(finite, data.record.direction);
  if (view.best) {
    for (std::size_t i = 0; i < data.trials.size(); ++i)
      if (data.trials[i].number == view.best->number) view.best_index = i;
  }
  choose_drawn(view);
  return view;
}

TrialPlace trial_place(const StudyData& data, const store::TrialRecord& trial) {
  const exec::TrialSpec spec =
      study::trial_spec(*data.config, trial.id, trial.number, trial.params);
  TrialPlace place;
  place.values = exec::trial_values(spec);
  place.workdir = data.config->trial ? exec::trial_workdir(*data.config->trial, place.values)
                                     : data.config->file.parent_path();
  return place;
}

std::optional<double> trial_seconds(const store::TrialRecord& trial) {
  if (!trial.finished_at) return std::nullopt;
  return std::max(0.0, *trial.finished_at - trial.started_at);
}

double trial_end(const store::TrialRecord& trial) {
  return trial.finished_at.value_or(std::max(trial.heartbeat_at, trial.started_at));
}

std::vector<std::optional<Lane>> trial_lanes(const StudyView& view) {
  const auto& trials = view.trials();
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < trials.size(); ++i)
    if (!trials[i].imported()) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return trials[a].started_at < trials[b].started_at;
  });
  const StudyData& data = *view.data;
  std::vector<int> gpus;
  if (data.config &&
      (!data.config->trial || data.config->trial->executor == exec::ExecutorKind::kLocal))
    gpus = data.config->budget.gpus;
  std::map<std::string, std::vector<double>> busy_until;  // per worker, per slot
  std::vector<std::optional<Lane>> lanes(trials.size());
  for (const std::size_t i : order) {
    const store::TrialRecord& t = trials[i];
    Lane lane{t.worker.empty() ? "(unknown)" : t.worker, 0, std::nullopt};
    std::vector<double>& slots = busy_until[lane.worker];
    while (lane.slot < slots.size() && slots[lane.slot] > t.started_at) ++lane.slot;
    if (lane.slot == slots.size()) slots.push_back(0);
    slots[lane.slot] = trial_end(t);
    if (!gpus.empty()) lane.gpu = gpus[lane.slot % gpus.size()];
    lanes[i] = lane;
  }
  return lanes;
}

std::string lane_name(const Lane& lane, bool several_slots) {
  if (lane.gpu) return fmt::format("{} GPU {}", lane.worker, *lane.gpu);
  return several_slots ? fmt::format("{} slot {}", lane.worker, lane.slot) : lane.worker;
}

std::string format_duration(double seconds) {
  if (seconds < 120) return fmt::format("{:.1f} s", seconds);
  if (seconds < 7200) return fmt::format("{:.1f} min", seconds / 60);
  if (seconds < 172800) return fmt::format("{:.1f} h", seconds / 3600);
  return fmt::format("{:.1f} d", seconds / 86400);
}

std::string format_time(double epoch_seconds) {
  const auto t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:%Y-%m-%d %H:%M:%S} UTC", tm);
}

std::vector<Importance> variance_split(const StudyView& view, int resamples, std::uint64_t seed) {
  std::vector<std::size_t> finite;
  for (std::size_t i = 0; i < view.values.size(); ++i)
    if (std::isfinite(view.values[i])) finite.push_back(i);
  if (finite.size() < 3) return {};
  const auto [lo_it, hi_it] = std::minmax_element(
      finite.begin(), finite.end(),
      [&](std::size_t a, std::size_t b) { return view.values[a] < view.values[b]; });
  if (view.values[*lo_it] == view.values[*hi_it]) return {};
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::size_t> pick(0, finite.size() - 1);
  std::vector<std::vector<std::size_t>> samples(static_cast<std::size_t>(resamples));
  for (auto& s : samples) {
    s.resize(finite.size());
    for (std::size_t& i : s) i = finite[pick(rng)];
  }
  std::vector<Importance> out;
  for (std::size_t k = 0; k < view.parameters.size(); ++k) {
    std::vector<int> level(view.levels.size());
    for (std::size_t i = 0; i < level.size(); ++i) level[i] = view.levels[i][k];
    const std::size_t n = view.parameters[k].levels.size();
    Importance imp{view.parameters[k].name, eta_squared(level, view.values, n, finite), 0, 0};
    std::vector<double> boot;
    for (const auto& s : samples) boot.push_back(eta_squared(level, view.values, n, s));
    std::sort(boot.begin(), boot.end());
    if (!boot.empty()) {
      imp.lo = boot[static_cast<std::size_t>(0.05 * static_cast<double>(boot.size() - 1))];
      imp.hi = boot[static_cast<std::size_t>(0.95 * static_cast<double>(boot.size() - 1))];
    }
    out.push_back(imp);
  }
  std::stable_sort(out.begin(), out.end(), [](const Importance& a, const Importance& b) {
    return a.fraction > b.fraction;
  });
  return out;
}

}  // namespace qtune::report
