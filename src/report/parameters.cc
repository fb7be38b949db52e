// Parameters: a slice plot per parameter (every trial's value at its level, with the level's
// mean and spread), parameter importance (variance split with a bootstrap interval), a heat
// map of the best value for each pair of parameters, and parallel coordinates of all trials.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "report/sections.h"
#include "report/svg.h"

namespace qtune::report {
namespace {

// Pairs beyond this many, and heat maps wider than this many levels, are left out.
constexpr std::size_t kMaxPairs = 15;
constexpr std::size_t kMaxHeatLevels = 40;

// A small fixed offset per trial so that trials at one level do not hide each other.
double jitter(std::int64_t number) {
  return (static_cast<double>((number * 7919) % 101) / 100.0 - 0.5) * 0.3;
}

struct ValueRange {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
};

ValueRange range_of(const StudyView& view) {
  ValueRange r;
  for (const double v : view.values) {
    if (!std::isfinite(v)) continue;
    r.lo = std::min(r.lo, v);
    r.hi = std::max(r.hi, v);
  }
  return r;
}

// 0 for the worst value, 1 for the best.
double goodness(const StudyView& view, const ValueRange& r, double v) {
  if (!(r.hi > r.lo)) return 1;
  const double t = (v - r.lo) / (r.hi - r.lo);
  return view.minimize ? 1 - t : t;
}

std::string slice_plot(const StudyView& view, std::size_t k) {
  const Parameter& p = view.parameters[k];
  Plot plot;
  plot.title = "Value vs " + p.name;
  plot.width = 460;
  plot.height = 320;
  plot.x = {p.name, false, p.levels};
  plot.y = {view.value_label(), false, {}};
  Series points{"trial", "#3b6fb6", Series::Kind::kPoints, {}, {}, {}, {}, {}};
  Series means{"level mean ± 1 sd", "#e07b00", Series::Kind::kErrorBars, {}, {}, {}, {}, {}};
  std::vector<std::vector<double>> at(p.levels.size());
  for (std::size_t i = 0; i < view.values.size(); ++i) {
    const int level = view.levels[i][k];
    if (level < 0 || !std::isfinite(view.values[i])) continue;
    at[static_cast<std::size_t>(level)].push_back(view.values[i]);
    if (!view.drawn[i]) continue;  // the mean and spread still count it
    points.x.push_back(level + jitter(view.trials()[i].number));
    points.y.push_back(view.values[i]);
    points.tips.push_back(
        fmt::format("trial {}: {}", view.trials()[i].number, short_number(view.values[i])));
  }
  for (std::size_t l = 0; l < at.size(); ++l) {
    if (at[l].empty()) continue;
    double mean = 0;
    for (const double v : at[l]) mean += v;
    mean /= static_cast<double>(at[l].size());
    double var = 0;
    for (const double v : at[l]) var += (v - mean) * (v - mean);
    const double sd = at[l].size() > 1 ? std::sqrt(var / static_cast<double>(at[l].size() - 1)) : 0;
    means.x.push_back(static_cast<double>(l));
    means.y.push_back(mean);
    means.lo.push_back(mean - sd);
    means.hi.push_back(mean + sd);
    means.tips.push_back(fmt::format("{} = {}: mean {} ± {} over {} trial(s)", p.name, p.levels[l],
                                     short_number(mean), short_number(sd), at[l].size()));
  }
  plot.series = {points, means};
  return svg_plot(plot);
}

std::string importance_table(const StudyView& view) {
  const std::vector<Importance> importance = variance_split(view);
  std::string out = "<h3>Parameter importance</h3>";
  if (importance.empty())
    return out + note("Importance needs at least 3 trials with different finite values.");
  out +=
      "<div class=\"scroll\"><table class=\"grid\"><tr><th>parameter</th><th>share of the variance "
      "explained "
      "(bar: estimate, line: 90% bootstrap interval)</th><th>estimate [90% interval]</th></tr>";
  for (const Importance& imp : importance) {
    out += fmt::format(
        "<tr><td>{}</td><td><div class=\"barbox\"><div class=\"bar\" style=\"width:{:.1f}%\">"
        "</div><div class=\"whisk\" style=\"left:{:.1f}%;width:{:.1f}%\"></div></div></td>"
        "<td>{:.0f}% [{:.0f}%, {:.0f}%]</td></tr>",
        escape(imp.parameter), 100 * imp.fraction, 100 * imp.lo, 100 * (imp.hi - imp.lo),
        100 * imp.fraction, 100 * imp.lo, 100 * imp.hi);
  }
  out += "</table></div>";
  return out + note(
                   "Method: a variance split. For each parameter, the share of the variance of the "
                   "measured values that its level means explain (between-level sum of squares "
                   "over the total sum of squares, eta squared), computed on its own; the interval "
                   "is the 5th to 95th percentile over 200 bootstrap resamples of the trials. "
                   "Shares of correlated parameters overlap, and an adaptive search samples "
                   "levels unevenly, so read them as a ranking, not as exact fractions.");
}

std::string heat_map(const StudyView& view, std::size_t a, std::size_t b, const ValueRange& r) {
  const Parameter& pa = view.parameters[a];
  const Parameter& pb = view.parameters[b];
  const std::size_t nx = pa.levels.size(), ny = pb.levels.size();
  std::vector<double> best(nx * ny, std::nan(""));
  for (std::size_t i = 0; i < view.values.size(); ++i) {
    const int la = view.levels[i][a], lb = view.levels[i][b];
    const double v = view.values[i];
    if (la < 0 || lb < 0 || !std::isfinite(v)) continue;
    double& cell = best[static_cast<std::size_t>(lb) * nx + static_cast<std::size_t>(la)];
    if (std::isnan(cell) || view.better(v, cell)) cell = v;
  }
  HeatGrid grid("Best value by " + pa.name + " and " + pb.name, {pa.name, false, pa.levels},
                {pb.name, false, pb.levels}, 440, 360);
  const bool labels = nx * ny <= 100;
  for (std::size_t j = 0; j < ny; ++j) {
    for (std::size_t i = 0; i < nx; ++i) {
      const double v = best[j * nx + i];
      if (std::isnan(v)) continue;
      grid.cell(i, j, goodness(view, r, v),
                fmt::format("{}={} {}={}: best {}", pa.name, pa.levels[i], pb.name, pb.levels[j],
                            short_number(v)),
                labels ? fmt::format("{:.3g}", v) : std::string());
    }
  }
  const std::string worst = short_number(view.minimize ? r.hi : r.lo);
  const std::string top = short_number(view.minimize ? r.lo : r.hi);
  return grid.close("best value:", worst + " (worst)", top + " (best)");
}

std::string parallel_coordinates(const StudyView& view, const ValueRange& r) {
  const std::size_t axes = view.parameters.size() + 1;
  const int width = 900, height = 380;
  const double left = 60, right = width - 110, top = 56, bottom = height - 44;
  const auto axis_x = [&](std::size_t k) {
    return axes == 1
               ? left
               : left + (right - left) * static_cast<double>(k) / static_cast<double>(axes - 1);
  };
  std::string out = svg_open(width, height, "Parallel coordinates: every completed trial");
  // Worst first, so the best lines are drawn on top.
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < view.values.size(); ++i)
    if (view.drawn[i] && std::isfinite(view.values[i])) order.push_back(i);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return goodness(view, r, view.values[a]) < goodness(view, r, view.values[b]);
  });
  const auto level_y = [&](std::size_t k, double level) {
    const double n = static_cast<double>(view.parameters[k].levels.size());
    return bottom - (bottom - top) * (n <= 1 ? 0.5 : level / (n - 1));
  };
  const auto value_y = [&](double v) {
    return r.hi > r.lo ? bottom - (bottom - top) * (v - r.lo) / (r.hi - r.lo) : (top + bottom) / 2;
  };
  for (const std::size_t i : order) {
    std::string path;
    bool complete = true;
    for (std::size_t k = 0; k < view.parameters.size(); ++k) {
      const int level = view.levels[i][k];
      if (level < 0) complete = false;
      if (!complete) break;
      path +=
          fmt::format("{}{:.1f} {:.1f}", path.empty() ? "M" : "L", axis_x(k), level_y(k, level));
    }
    if (!complete) continue;
    path += fmt::format("{}{:.1f} {:.1f}", path.empty() ? "M" : "L", axis_x(axes - 1),
                        value_y(view.values[i]));
    out += fmt::format(
        R"(<path d="{}" fill="none" stroke="{}" stroke-opacity="0.7" stroke-width="1.3"><title>trial {}: {}</title></path>)",
        path, scale_color(goodness(view, r, view.values[i])), view.trials()[i].number,
        short_number(view.values[i]));
  }
  for (std::size_t k = 0; k < axes; ++k) {
    const double ax = axis_x(k);
    out += fmt::format(R"(<line x1="{0:.1f}" x2="{0:.1f}" y1="{1}" y2="{2}" stroke="#333"/>)", ax,
                       top, bottom);
    const bool is_value = k + 1 == axes;
    out +=
        fmt::format(R"(<text x="{:.1f}" y="{}" class="al" text-anchor="middle">{}</text>)", ax,
                    bottom + 30, escape(is_value ? view.value_label() : view.parameters[k].name));
    if (is_value) {
      for (int t = 0; t <= 4; ++t) {
        const double v = r.lo + (r.hi - r.lo) * t / 4.0;
        out += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" class="tk">{}</text>)", ax + 4,
                           value_y(v) + 4, short_number(v));
      }
      continue;
    }
    const auto& levels = view.parameters[k].levels;
    const std::size_t every = std::max<std::size_t>(1, levels.size() / 10);
    for (std::size_t l = 0; l < levels.size(); l += every) {
      out += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" class="tk">{}</text>)", ax + 4,
                         level_y(k, static_cast<double>(l)) + 4, escape(levels[l]));
    }
  }
  const std::string worst = short_number(view.minimize ? r.hi : r.lo);
  const std::string top_text = short_number(view.minimize ? r.lo : r.hi);
  out += svg_color_bar(width - 260, 30, 140, "line colour = value:", worst + " (worst)",
                       top_text + " (best)");
  return out + "</svg>";
}

}  // namespace

std::string parameters_section(const StudyView& view) {
  if (view.parameters.empty()) return note("No parameters known: no study file and no trials.");
  if (!view.best) return note("No trial has a finite value yet: nothing to compare.");
  std::string out = "<h3>Slices: the value at each level of one parameter</h3>";
  if (const std::string sampled = view.sample_note(); !sampled.empty()) out += note(sampled);
  out += "<div class=\"plots\">";
  for (std::size_t k = 0; k < view.parameters.size(); ++k) out += slice_plot(view, k);
  out += "</div>";
  out += importance_table(view);

  const ValueRange r = range_of(view);
  out += "<h3>Best value for each pair of parameters</h3>";
  if (view.parameters.size() < 2) {
    out += note("One parameter only: no pairs.");
  } else {
    out += "<div class=\"plots\">";
    std::size_t pairs = 0, skipped = 0;
    for (std::size_t a = 0; a < view.parameters.size(); ++a) {
      for (std::size_t b = a + 1; b < view.parameters.size(); ++b) {
        if (pairs >= kMaxPairs || view.parameters[a].levels.size() > kMaxHeatLevels ||
            view.parameters[b].levels.size() > kMaxHeatLevels) {
          ++skipped;
          continue;
        }
        out += heat_map(view, a, b, r);
        ++pairs;
      }
    }
    out += "</div>";
    if (skipped > 0)
      out += note(fmt::format("{} pair(s) left out (at most {} pairs, {} levels a side).", skipped,
                              kMaxPairs, kMaxHeatLevels));
    out += note("Empty cells: no completed trial there yet.");
  }
  out += "<h3>Parallel coordinates</h3><div class=\"scroll\">" + parallel_coordinates(view, r) +
         "</div>";
  return out;
}

}  // namespace qtune::report
