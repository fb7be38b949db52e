// Timeline: one lane per worker, each trial a bar from its start to its finish (or to now,
// while it runs), coloured by state.
#include <fmt/format.h>

#include <algorithm>
#include <map>

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
  std::map<std::string, std::size_t> lanes;
  double start = trials.front().started_at, end = start;
  for (const store::TrialRecord& t : trials) {
    lanes.try_emplace(t.worker.empty() ? "(unknown)" : t.worker, 0);
    start = std::min(start, t.started_at);
    end = std::max({end, t.started_at, t.finished_at.value_or(t.heartbeat_at)});
  }
  std::size_t lane = 0;
  for (auto& [name, index] : lanes) index = lane++;
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
  for (const auto& [name, index] : lanes) names.push_back(name);
  const Axis x_axis{"time since the first trial started (" + unit_name + ")", false, {}};
  const Axis y_axis{"worker", false, names};
  const Scale x(x_axis, {0.0, (end - start) / unit}, 160, width - 16);
  const Scale y(y_axis, {}, height - 50, 46);
  std::string out = svg_open(width, height, "Trials per worker over time");
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
  for (const auto& [name, index] : lanes) {
    out += fmt::format(R"(<text x="154" y="{:.1f}" class="tk" text-anchor="end">{}</text>)",
                       y(static_cast<double>(index)) + 4,
                       escape(name.size() > 24 ? "…" + name.substr(name.size() - 23) : name));
  }
  for (const store::TrialRecord& t : trials) {
    const std::size_t l = lanes[t.worker.empty() ? "(unknown)" : t.worker];
    const double x0 = x((t.started_at - start) / unit);
    const double x1 =
        x((t.finished_at.value_or(std::max(t.heartbeat_at, t.started_at)) - start) / unit);
    out += fmt::format(
        R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{}" fill="{}" stroke="#fff" stroke-width="0.5"><title>trial {} {}</title></rect>)",
        x0, y(static_cast<double>(l)) - lane_height * 0.35, std::max(1.5, x1 - x0),
        lane_height * 0.7, state_color(t.state), t.number, store::trial_state_name(t.state));
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
