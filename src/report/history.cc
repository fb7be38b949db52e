// Search history: each trial's value and the best so far, against the trial number and
// against the compute time spent; failed trials as red crosses on the bottom edge. A
// checkbox (CSS only, no script) switches the value axis to a log scale.
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "report/sections.h"
#include "report/svg.h"

namespace qtune::report {
namespace {

constexpr const char* kValueColor = "#3b6fb6";
constexpr const char* kBestColor = "#e07b00";
constexpr const char* kFailedColor = "#d62728";

std::string history_plot(const StudyView& view, const std::vector<double>& x, const Axis& x_axis,
                         bool log_y) {
  Plot plot;
  plot.title = "Value per trial and best so far vs " + x_axis.label;
  plot.x = x_axis;
  plot.y = {view.value_label(), log_y, {}};
  Series values{"trial value", kValueColor, Series::Kind::kPoints, {}, {}, {}, {}, {}};
  Series best{"best so far", kBestColor, Series::Kind::kStep, {}, {}, {}, {}, {}};
  Series failed{"failed trial", kFailedColor, Series::Kind::kCrosses, {}, {}, {}, {}, {}};
  double best_value = std::numeric_limits<double>::quiet_NaN();
  const auto& trials = view.trials();
  for (std::size_t i = 0; i < trials.size(); ++i) {
    if (!std::isfinite(x[i])) continue;
    const double v = view.values[i];
    const double before = best_value;
    if (std::isfinite(v) && (std::isnan(best_value) || view.better(v, best_value))) best_value = v;
    // The best-so-far steps: a point where it changes (and the last one), for every trial.
    if (!std::isnan(best_value) && (best_value != before || i + 1 == trials.size())) {
      best.x.push_back(x[i]);
      best.y.push_back(best_value);
    }
    if (!view.drawn[i]) continue;
    if (std::isfinite(v)) {
      values.x.push_back(x[i]);
      values.y.push_back(v);
      values.tips.push_back(fmt::format("trial {}: {}", trials[i].number, short_number(v)));
    } else if (trials[i].state == store::TrialState::kFailed) {
      failed.x.push_back(x[i]);
      failed.y.push_back(std::nan(""));
      failed.tips.push_back(
          fmt::format("trial {} failed: {}", trials[i].number, trials[i].failure_reason));
    }
  }
  plot.series = {values, best};
  if (!failed.x.empty()) plot.series.push_back(failed);
  return svg_plot(plot);
}

}  // namespace

std::string history_section(const StudyView& view) {
  const auto& trials = view.trials();
  if (trials.empty()) return note("No trials yet: nothing to plot.");
  std::string out;
  if (!view.best) out += note("No trial has a finite value yet; only failures are marked.");
  if (const std::string sampled = view.sample_note(); !sampled.empty()) out += note(sampled);

  std::vector<double> numbers, compute;
  double elapsed = 0;
  for (const store::TrialRecord& t : trials) {
    numbers.push_back(static_cast<double>(t.number));
    const auto seconds = trial_seconds(t);
    if (seconds) elapsed += *seconds;
    compute.push_back(seconds ? elapsed : std::nan(""));
  }
  // The compute axis in the unit that suits its length.
  double unit = 1;
  std::string unit_name = "s";
  if (elapsed > 7200)
    unit = 3600, unit_name = "h";
  else if (elapsed > 120)
    unit = 60, unit_name = "min";
  for (double& c : compute) c /= unit;

  bool any_positive = false;
  for (const double v : view.values) any_positive = any_positive || (std::isfinite(v) && v > 0);
  const Axis by_number{"trial number", false, {}};
  const Axis by_compute{"cumulative compute time (" + unit_name + ")", false, {}};
  out +=
      R"(<label class="toggle"><input type="checkbox" id="history-log"> log-scale value axis</label>)";
  out += R"(<div class="plots lin">)" + history_plot(view, numbers, by_number, false) +
         history_plot(view, compute, by_compute, false) + "</div>";
  out += R"(<div class="plots log">)";
  if (any_positive) {
    out += history_plot(view, numbers, by_number, true) +
           history_plot(view, compute, by_compute, true);
  } else {
    out += note("No positive value: a log scale cannot show these values.");
  }
  out += "</div>";
  out += note(
      "The compute time axis adds up the durations of the finished trials in trial order "
      "(parallel trials overlap in wall time). Failed trials have no value: they sit on the "
      "bottom edge.");
  return out;
}

}  // namespace qtune::report
