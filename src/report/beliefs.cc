// What the agent believes: its reward model's predicted value (mean and uncertainty) on
// pairwise slices through the best configuration, with the greedy policy's moves drawn as
// arrows where a move stays in the slice. Only the model-based strategy has a model.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "qtune/study/study.h"
#include "report/sections.h"
#include "report/svg.h"

namespace qtune::report {
namespace {

constexpr std::size_t kMaxBeliefPairs = 6;
constexpr std::size_t kMaxBeliefLevels = 40;

struct Slice {
  std::size_t a = 0, b = 0;            // the two parameters that vary
  std::vector<space::StateId> states;  // [j * na + i]: level i of a, level j of b
};

std::string slice_map(const StudyView& view, const Slice& slice,
                      const std::vector<agent::Belief>& beliefs, bool uncertainty,
                      const std::map<space::StateId, space::StateId>& policy,
                      const space::Space& space, const std::vector<space::Index>& best) {
  const Parameter& pa = view.parameters[slice.a];
  const Parameter& pb = view.parameters[slice.b];
  const std::size_t na = pa.levels.size(), nb = pb.levels.size();
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const agent::Belief& belief : beliefs) {
    const double v = uncertainty ? belief.sd : belief.mean;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  const int width = 440, height = 360;
  const Axis x_axis{pa.name, false, pa.levels}, y_axis{pb.name, false, pb.levels};
  const Scale x(x_axis, {}, 70, width - 16);
  const Scale y(y_axis, {}, height - 50, 52);
  std::string out =
      svg_open(width, height,
               fmt::format("{} by {} and {}", uncertainty ? "Uncertainty (sd)" : "Predicted value",
                           pa.name, pb.name));
  out += svg_axes(x, y, x_axis, y_axis, height);
  const double cw = std::abs(x(1) - x(0)), ch = std::abs(y(1) - y(0));
  for (std::size_t j = 0; j < nb; ++j) {
    for (std::size_t i = 0; i < na; ++i) {
      const agent::Belief& belief = beliefs[j * na + i];
      const double v = uncertainty ? belief.sd : belief.mean;
      double t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
      // Colour: yellow is good (a low predicted loss, or a small uncertainty).
      if (uncertainty || view.minimize) t = 1 - t;
      out += fmt::format(
          R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}"><title>{}={} {}={}: mean {} sd {}</title></rect>)",
          x(static_cast<double>(i)) - cw / 2, y(static_cast<double>(j)) - ch / 2, cw, ch,
          scale_color(t), escape(pa.name), escape(pa.levels[i]), escape(pb.name),
          escape(pb.levels[j]), short_number(belief.mean), short_number(belief.sd));
    }
  }
  // Greedy moves that stay in the slice: an arrow from the cell to where the move leads.
  if (!uncertainty) {
    for (std::size_t k = 0; k < slice.states.size(); ++k) {
      const auto it = policy.find(slice.states[k]);
      if (it == policy.end() || it->second == it->first) continue;
      const std::vector<space::Index> to = space.decode(it->second);
      bool in_slice = true;
      for (std::size_t d = 0; d < to.size(); ++d)
        if (d != slice.a && d != slice.b && to[d] != best[d]) in_slice = false;
      if (!in_slice) continue;
      const double x0 = x(static_cast<double>(k % na)), y0 = y(static_cast<double>(k / na));
      const double x1 = x(static_cast<double>(to[slice.a])),
                   y1 = y(static_cast<double>(to[slice.b]));
      const double len = std::hypot(x1 - x0, y1 - y0);
      if (len <= 0) continue;
      const double shrink = std::min(0.35 * std::min(cw, ch), len / 2) / len;
      out += fmt::format(
          R"svg(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke="#d62728" stroke-width="2" marker-end="url(#arrow)"/>)svg",
          x0, y0, x1 - (x1 - x0) * shrink, y1 - (y1 - y0) * shrink);
    }
  }
  // The best configuration's cell.
  out += fmt::format(
      R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="none" stroke="#d62728" stroke-width="2.5" stroke-dasharray="4 2"/>)",
      x(static_cast<double>(best[slice.a])) - cw / 2,
      y(static_cast<double>(best[slice.b])) - ch / 2, cw, ch);
  const std::string lo_text = short_number(uncertainty ? lo : view.minimize ? hi : lo);
  const std::string hi_text = short_number(uncertainty ? hi : view.minimize ? lo : hi);
  out += uncertainty ? svg_color_bar(width - 220, 30, 110, "sd:", short_number(hi) + " (most)",
                                     short_number(lo) + " (least)")
                     : svg_color_bar(width - 220, 30, 110, "mean:", lo_text + " (worst)",
                                     hi_text + " (best)");
  return out + "</svg>";
}

}  // namespace

std::string beliefs_section(const StudyView& view) {
  const StudyData& data = *view.data;
  if (data.study == nullptr || !data.config)
    return note("Give the study file to see what the strategy learned.");
  if (!view.best || !view.best_index) return note("No trial has a finite value yet.");
  const space::Space& space = data.config->space;
  if (space.dims() < 2) return note("One parameter only: no pairwise slices.");
  const space::StateId best_state = data.trials[*view.best_index].state_id;
  if (best_state >= space.size()) return note("The best trial's state is not in the space.");
  const std::vector<space::Index> best = space.decode(best_state);
  // Every slice's states first, then one call: each call refits the reward model.
  std::vector<Slice> slices;
  std::vector<space::StateId> states;
  for (std::size_t a = 0; a < space.dims() && slices.size() < kMaxBeliefPairs; ++a) {
    for (std::size_t b = a + 1; b < space.dims() && slices.size() < kMaxBeliefPairs; ++b) {
      if (space.dimension(a).size() > kMaxBeliefLevels ||
          space.dimension(b).size() > kMaxBeliefLevels)
        continue;
      Slice slice{a, b, {}};
      std::vector<space::Index> idx = best;
      for (space::Index j = 0; j < space.dimension(b).size(); ++j) {
        for (space::Index i = 0; i < space.dimension(a).size(); ++i) {
          idx[a] = i;
          idx[b] = j;
          slice.states.push_back(space.encode(idx));
        }
      }
      states.insert(states.end(), slice.states.begin(), slice.states.end());
      slices.push_back(std::move(slice));
    }
  }
  if (states.empty()) states.push_back(best_state);
  const std::vector<agent::Belief> beliefs = data.study->beliefs(states);
  if (beliefs.size() != states.size())
    return note(
        "This study's strategy has no reward model to show (only model-based q-learning, the "
        "default preset, has one).");
  std::map<space::StateId, space::StateId> policy;
  for (const study::PolicyStep& step : data.study->results().policy) policy[step.state] = step.next;

  std::string out =
      "<svg width=\"0\" height=\"0\" style=\"position:absolute\"><defs><marker id=\"arrow\" "
      "viewBox=\"0 0 10 10\" refX=\"8\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" "
      "orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" fill=\"#d62728\"/></marker>"
      "</defs></svg>";
  out += fmt::format(
      "<p>The reward model's predicted {} on slices through the best configuration (dashed "
      "cell): two parameters vary, the others stay at their best levels. Red arrows: the greedy "
      "policy's move from a state it visited, where the move stays in the slice.</p>",
      escape(view.value_label()));
  std::size_t at = 0;
  for (const Slice& slice : slices) {
    const std::vector<agent::Belief> part(
        beliefs.begin() + static_cast<std::ptrdiff_t>(at),
        beliefs.begin() + static_cast<std::ptrdiff_t>(at + slice.states.size()));
    at += slice.states.size();
    out += "<div class=\"plots\">" + slice_map(view, slice, part, false, policy, space, best) +
           slice_map(view, slice, part, true, policy, space, best) + "</div>";
  }
  return out;
}

}  // namespace qtune::report
