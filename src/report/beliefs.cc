// What the agent believes: its reward model's predicted value (mean and uncertainty) on
// pairwise slices through the best configuration, with the greedy policy's moves drawn as
// arrows where a move stays in the slice. Only the model-based strategy has a model.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>

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
  HeatGrid grid(fmt::format("{} by {} and {}", uncertainty ? "Uncertainty (sd)" : "Predicted value",
                            pa.name, pb.name),
                {pa.name, false, pa.levels}, {pb.name, false, pb.levels}, 440, 360);
  for (std::size_t j = 0; j < nb; ++j) {
    for (std::size_t i = 0; i < na; ++i) {
      const agent::Belief& belief = beliefs[j * na + i];
      const double v = uncertainty ? belief.sd : belief.mean;
      double t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
      // Colour: yellow is good (a low predicted loss, or a small uncertainty).
      if (uncertainty || view.minimize) t = 1 - t;
      grid.cell(i, j, t,
                fmt::format("{}={} {}={}: mean {} sd {}", pa.name, pa.levels[i], pb.name,
                            pb.levels[j], short_number(belief.mean), short_number(belief.sd)));
    }
  }
  // Greedy moves that stay in the slice: an arrow from the cell to where the move leads.
  if (!uncertainty) {
    const double cw = grid.cell_width(), ch = grid.cell_height();
    for (std::size_t k = 0; k < slice.states.size(); ++k) {
      const auto it = policy.find(slice.states[k]);
      if (it == policy.end() || it->second == it->first) continue;
      const std::vector<space::Index> to = space.decode(it->second);
      bool in_slice = true;
      for (std::size_t d = 0; d < to.size(); ++d)
        if (d != slice.a && d != slice.b && to[d] != best[d]) in_slice = false;
      if (!in_slice) continue;
      const double x0 = grid.cx(static_cast<double>(k % na)),
                   y0 = grid.cy(static_cast<double>(k / na));
      const double x1 = grid.cx(static_cast<double>(to[slice.a])),
                   y1 = grid.cy(static_cast<double>(to[slice.b]));
      const double len = std::hypot(x1 - x0, y1 - y0);
      if (len <= 0) continue;
      const double shrink = std::min(0.35 * std::min(cw, ch), len / 2) / len;
      grid.add(fmt::format(
          R"svg(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke="#d62728" stroke-width="2" marker-end="url(#arrow)"/>)svg",
          x0, y0, x1 - (x1 - x0) * shrink, y1 - (y1 - y0) * shrink));
    }
  }
  grid.outline(best[slice.a], best[slice.b]);  // the best configuration's cell
  const std::string lo_text = short_number(uncertainty ? lo : view.minimize ? hi : lo);
  const std::string hi_text = short_number(uncertainty ? hi : view.minimize ? lo : hi);
  return uncertainty
             ? grid.close("sd:", short_number(hi) + " (most)", short_number(lo) + " (least)")
             : grid.close("mean:", lo_text + " (worst)", hi_text + " (best)");
}

constexpr std::size_t kMaxQRows = 30;
constexpr std::size_t kMaxQColumns = 15;

// `text` cut to `chars` characters, with an ellipsis.
std::string fit(const std::string& text, std::size_t chars) {
  return text.size() <= chars ? text : text.substr(0, chars > 1 ? chars - 1 : 0) + "…";
}

// A strategy without a reward model (the seed preset's tabular Q-learning): its Q-table as a
// heat map, one row per visited state (the greedy walk's states first, then the others by
// their best Q), one column per move, the greedy move outlined.
std::string q_table_map(const study::StrategyResults& results, const space::Space& space) {
  std::vector<const agent::QRow*> rows;
  std::vector<bool> taken(results.q_table.size(), false);
  for (const space::StateId state : results.rollout) {
    for (std::size_t r = 0; r < results.q_table.size(); ++r) {
      if (!taken[r] && results.q_table[r].state == state) {
        rows.push_back(&results.q_table[r]);
        taken[r] = true;
      }
    }
  }
  std::vector<const agent::QRow*> others;
  for (std::size_t r = 0; r < results.q_table.size(); ++r)
    if (!taken[r] && !results.q_table[r].q.empty()) others.push_back(&results.q_table[r]);
  const auto best_q = [](const agent::QRow* row) {
    return *std::max_element(row->q.begin(), row->q.end());
  };
  std::stable_sort(others.begin(), others.end(), [&](const agent::QRow* a, const agent::QRow* b) {
    return best_q(a) > best_q(b);
  });
  rows.insert(rows.end(), others.begin(), others.end());
  const std::size_t shown = std::min(rows.size(), kMaxQRows);
  rows.resize(shown);
  // Columns: every move when they fit; else (joint moves: 3^d) the moves greedy in a shown
  // row, then the others by their largest Q among the shown rows, up to kMaxQColumns.
  std::vector<std::size_t> columns;
  const std::size_t actions = results.actions.size();
  const auto greedy = [](const std::vector<double>& q) {
    return static_cast<std::size_t>(std::max_element(q.begin(), q.end()) - q.begin());
  };
  if (actions <= kMaxQColumns) {
    for (std::size_t a = 0; a < actions; ++a) columns.push_back(a);
  } else {
    std::vector<double> top(actions, -std::numeric_limits<double>::infinity());
    std::vector<bool> is_greedy(actions, false);
    for (const agent::QRow* row : rows) {
      for (std::size_t a = 0; a < row->q.size() && a < actions; ++a)
        if (std::isfinite(row->q[a])) top[a] = std::max(top[a], row->q[a]);
      if (const std::size_t g = greedy(row->q); g < actions) is_greedy[g] = true;
    }
    std::vector<std::size_t> order(actions);
    for (std::size_t a = 0; a < actions; ++a) order[a] = a;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return is_greedy[a] != is_greedy[b] ? is_greedy[a] : top[a] > top[b];
    });
    columns.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(kMaxQColumns));
    std::sort(columns.begin(), columns.end());
  }
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const agent::QRow* row : rows) {
    for (const std::size_t a : columns) {
      if (a >= row->q.size() || !std::isfinite(row->q[a])) continue;
      lo = std::min(lo, row->q[a]);
      hi = std::max(hi, row->q[a]);
    }
  }
  const int left = 250, cell_w = 74;
  const int width = std::max(560, left + 16 + cell_w * static_cast<int>(columns.size()));
  const int height = 110 + 22 * static_cast<int>(shown);
  // Compact labels: a state's values in dimension order; a move as one sign per dimension
  // (+ up one level, - down one, . stays), read from its description ("K+1 batch_size-1").
  std::vector<std::string> state_labels, full_labels, move_labels, names;
  for (const space::Dimension& d : space.dimensions()) names.push_back(d.name);
  for (const agent::QRow* row : rows) {
    full_labels.push_back(space.describe(row->state));
    std::string values;
    for (std::size_t d = 0; d < space.dims(); ++d)
      values += (d == 0 ? "" : ", ") + space::format_value(space.value(row->state, d));
    state_labels.push_back(fit(values, (left - 24) / 7));
  }
  for (const std::size_t a : columns) {
    std::string signs(space.dims(), '.');
    std::istringstream words(results.actions[a]);
    for (std::string word; words >> word;) {
      if (word.size() < 3) continue;
      const auto d = space.find(word.substr(0, word.size() - 2));
      if (d) signs[*d] = word[word.size() - 2];
    }
    move_labels.push_back(signs);
  }
  HeatGrid grid("Q-table: visited states by move",
                {fmt::format("move: one sign per parameter ({}): + up a level, - down, . stays",
                             fmt::join(names, ", ")),
                 false, move_labels},
                {fmt::format("state ({})", fmt::join(names, ", ")), false, state_labels}, width,
                height, left);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const std::vector<double>& q = rows[r]->q;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const std::size_t a = columns[c];
      if (a >= q.size() || !std::isfinite(q[a])) continue;
      grid.cell(
          c, r, hi > lo ? (q[a] - lo) / (hi - lo) : 0.5,
          fmt::format("{}: {}: Q = {}", full_labels[r], results.actions[a], short_number(q[a])),
          short_number(q[a]));
      if (a == greedy(q)) grid.outline(c, r);
    }
  }
  std::string out = fmt::format(
      "<p>This strategy learns a Q-table, not a reward model: the value of each move from each "
      "state it visited (higher is better; the dashed cell is the greedy move). {} of {} visited "
      "states shown: the greedy walk from the start first, then the others by their best "
      "Q.{}</p>",
      shown, results.q_table.size(),
      columns.size() < actions
          ? fmt::format(" {} of {} moves shown: every greedy one, then those with the largest Q.",
                        columns.size(), actions)
          : std::string());
  return out + "<div class=\"scroll\">" +
         grid.close("Q:", short_number(lo) + " (lowest)", short_number(hi) + " (highest)") +
         "</div>";
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
  const study::StrategyResults results = data.study->results();
  if (beliefs.size() != states.size()) {
    if (!results.q_table.empty()) return q_table_map(results, space);
    return note(
        "This study's strategy has neither a reward model nor a Q-table to show (model-based "
        "q-learning, the default, has a model; the seed preset a Q-table).");
  }
  std::map<space::StateId, space::StateId> policy;
  for (const study::PolicyStep& step : results.policy) policy[step.state] = step.next;

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
