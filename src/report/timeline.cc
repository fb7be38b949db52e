// Timeline: one lane per worker and slot (GPU), each trial a bar from its start to its finish
// (or its last heartbeat, while it runs), coloured by state; imported trials have none.
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>
#include <optional>

#include "report/sections.h"
#include "report/svg.h"

namespace qtune::report {
namespace {

std::string state_color(store::TrialState state) {
  switch (state) {
    case store::TrialState::kComplete:
      return "#2e7d32";
    case store::TrialState::kFailed:
      return "#d62728";
    case store::TrialState::kRunning:
      return "#3b6fb6";
    case store::TrialState::kInterrupted:
      return "#888888";
    case store::TrialState::kPruned:
      return "#e08a00";
  }
  return "#888888";
}

}  // namespace

std::string timeline_section(const StudyView& view) {
  const auto& trials = view.trials();
  if (trials.empty()) return note("No trials yet.");
  const std::vector<std::optional<Lane>> trial_lane = trial_lanes(view);
  std::map<std::string, std::size_t> slots_of;  // per worker
  for (const auto& lane : trial_lane)
    if (lane) slots_of[lane->worker] = std::max(slots_of[lane->worker], lane->slot + 1);
  std::map<Lane, std::size_t> lanes;
  double start = std::numeric_limits<double>::infinity(), end = -start;
  for (std::size_t i = 0; i < trials.size(); ++i) {
    if (!trial_lane[i]) continue;
    lanes.try_emplace(*trial_lane[i], 0);
    start = std::min(start, trials[i].started_at);
    end = std::max({end, trials[i].started_at, trial_end(trials[i])});
  }
  if (lanes.empty()) return note("Only imported trials: they ran elsewhere, no timeline.");
  std::size_t lane = 0;
  for (auto& [key, index] : lanes) index = lane++;
  double unit = 1;
  std::string unit_name = "s";
  if (end - start > 7200)
    unit = 3600, unit_name = "h";
  else if (end - start > 120)
    unit = 60, unit_name = "min";

  const int lane_height = 26;
  const int width = 900;
  const int height = 110 + lane_height * static_cast<int>(lanes.size());
  std::vector<std::string> names;
  for (const auto& [key, index] : lanes) names.push_back(lane_name(key, slots_of[key.worker] > 1));
  const Axis x_axis{"time since the first trial started (" + unit_name + ")", false, {}};
  const Axis y_axis{"worker and slot", false, names};
  const Scale x(x_axis, {0.0, (end - start) / unit}, 160, width - 16);
  const Scale y(y_axis, {}, height - 50, 46);
  std::string out = svg_open(width, height, "Trials per worker and slot over time");
  // Worker names are long ("host:pid"): the lane labels get a wider margin than svg_axes'.
  out += fmt::format(R"(<rect x="160" y="46" width="{}" height="{}" class="area"/>)", width - 176,
                     height - 96);
  for (const Scale::Tick& t : x.ticks()) {
    out += fmt::format(R"(<line x1="{0:.1f}" x2="{0:.1f}" y1="46" y2="{1}" class="grid"/>)",
                       x(t.value), height - 46);
    out += fmt::format(R"(<text x="{:.1f}" y="{}" class="tk" text-anchor="middle">{}</text>)",
                       x(t.value), height - 34, escape(t.text));
  }
  out += fmt::format(R"(<text x="{}" y="{}" class="al" text-anchor="middle">{}</text>)",
                     (160 + width - 16) / 2, height - 8, escape(x_axis.label));
  for (std::size_t l = 0; l < names.size(); ++l) {
    const std::string& name = names[l];
    out += fmt::format(R"(<text x="154" y="{:.1f}" class="tk" text-anchor="end">{}</text>)",
                       y(static_cast<double>(l)) + 4,
                       escape(name.size() > 24 ? "…" + name.substr(name.size() - 23) : name));
  }
  // Bars in start order per lane; a bar under 2 units wide that touches the one before is
  // drawn with it as one, coloured by the state most of its trials ended in (a 10^5-trial
  // study draws a few thousand rectangles); its tip counts the states.
  std::vector<std::vector<std::size_t>> by_lane(lanes.size());
  for (std::size_t i = 0; i < trials.size(); ++i)
    if (trial_lane[i]) by_lane[lanes[*trial_lane[i]]].push_back(i);
  struct Bar {
    double x0 = 0, x1 = 0;
    std::int64_t first = 0, last = 0;
    std::map<store::TrialState, std::size_t> states;
  };
  const auto draw = [&](const Bar& bar, std::size_t l) {
    std::size_t count = 0;
    store::TrialState state = bar.states.begin()->first;
    std::string states;
    for (const auto& [s, n] : bar.states) {
      count += n;
      if (n > bar.states.at(state)) state = s;
      states += fmt::format("{}{} {}", states.empty() ? "" : ", ", n, store::trial_state_name(s));
    }
    const std::string what =
        count == 1 ? fmt::format("trial {} {}", bar.first, store::trial_state_name(state))
                   : fmt::format("trials {} to {}: {}", bar.first, bar.last, states);
    out += fmt::format(
        R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{}" fill="{}" stroke="#fff" stroke-width="0.5"><title>{}</title></rect>)",
        bar.x0, y(static_cast<double>(l)) - lane_height * 0.35, std::max(1.5, bar.x1 - bar.x0),
        lane_height * 0.7, state_color(state), what);
  };
  for (std::size_t l = 0; l < by_lane.size(); ++l) {
    std::vector<std::size_t>& order = by_lane[l];
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return trials[a].started_at < trials[b].started_at;
    });
    std::optional<Bar> pending;
    for (const std::size_t i : order) {
      const store::TrialRecord& t = trials[i];
      const double x0 = x((t.started_at - start) / unit), x1 = x((trial_end(t) - start) / unit);
      if (pending && x1 - x0 < 2 && x0 <= pending->x1 + 1) {
        pending->x1 = std::max(pending->x1, x1);
        pending->last = t.number;
        ++pending->states[t.state];
        continue;
      }
      if (pending) draw(*pending, l);
      pending = Bar{x0, x1, t.number, t.number, {{t.state, 1}}};
    }
    if (pending) draw(*pending, l);
  }
  double lx = 164;
  for (const store::TrialState s :
       {store::TrialState::kComplete, store::TrialState::kPruned, store::TrialState::kFailed,
        store::TrialState::kRunning, store::TrialState::kInterrupted}) {
    const std::string name(store::trial_state_name(s));
    out += fmt::format(R"(<rect x="{:.0f}" y="28" width="12" height="10" fill="{}"/>)", lx,
                       state_color(s));
    out += fmt::format(R"(<text x="{:.0f}" y="37" class="lg">{}</text>)", lx + 16, name);
    lx += 30 + 7.5 * static_cast<double>(name.size());
  }
  return "<div class=\"scroll\">" + out + "</svg></div>";
}

}  // namespace qtune::report
