#include "qtune/study/results.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

#include "qtune/study/combined_metric.h"

namespace qtune::study {
namespace {

space::Action greedy_action(const std::vector<double>& q) {
  return static_cast<space::Action>(std::max_element(q.begin(), q.end()) - q.begin());  // first max
}

// CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180).
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

}  // namespace

bool is_reserved_column(std::string_view name) {
  const auto in = [&](const auto& columns) {
    return std::find(columns.begin(), columns.end(), name) != columns.end();
  };
  return name == "status" || in(kTrialKeyColumns) || in(kTrialRecordColumns);
}

std::optional<BestTrial> best_trial(const std::vector<store::TrialRecord>& trials,
                                    store::Direction direction) {
  // A combined metric: the COMPLETE trials with components, by their loss now.
  std::optional<std::vector<std::optional<double>>> now;
  if (has_components(trials)) {
    now = combined_loss_now(trials);
    direction = store::Direction::kMinimize;
  }
  struct Measured {
    const store::TrialRecord* first = nullptr;
    double sum = 0;
    std::size_t count = 0;
  };
  std::unordered_map<space::StateId, Measured> by_state;
  std::vector<space::StateId> order;  // states in order of their first trial
  for (std::size_t i = 0; i < trials.size(); ++i) {
    const store::TrialRecord& t = trials[i];
    const std::optional<double> value = now ? (*now)[i] : t.value;
    if (t.state != store::TrialState::kComplete || !value) continue;
    Measured& m = by_state[t.state_id];
    if (m.first == nullptr) {
      m.first = &t;
      order.push_back(t.state_id);
    }
    m.sum += *value;
    ++m.count;
  }
  const Measured* best = nullptr;
  double best_mean = 0;
  for (const space::StateId s : order) {
    const Measured& m = by_state[s];
    const double mean = m.sum / static_cast<double>(m.count);
    const bool better =
        best == nullptr ||
        (direction == store::Direction::kMinimize ? mean < best_mean : mean > best_mean);
    if (better) {
      best = &m;
      best_mean = mean;
    }
  }
  if (best == nullptr) return std::nullopt;
  return BestTrial{
      best->first->number, best->first->state_id,
      best->first->params, best_mean,
      best->count,         now ? best->first->components : std::vector<MetricComponent>{}};
}

StrategyResults strategy_results(const agent::Strategy& strategy) {
  StrategyResults r;
  r.recommendation = strategy.recommend();
  const space::Moves* moves = strategy.moves();
  if (moves == nullptr) return r;
  r.q_table = strategy.q_table();
  for (space::Action a = 0; a < moves->count(); ++a) r.actions.push_back(moves->describe(a));

  std::unordered_map<space::StateId, const agent::QRow*> rows;
  for (const agent::QRow& row : r.q_table) {
    if (row.q.empty()) continue;
    rows.emplace(row.state, &row);
    const space::Action a = greedy_action(row.q);
    r.policy.push_back({row.state, a, moves->describe(a), moves->apply(row.state, a), row.q[a]});
  }

  std::optional<space::StateId> state = strategy.start_state();
  std::unordered_set<space::StateId> seen;
  while (state && seen.insert(*state).second) {
    r.rollout.push_back(*state);
    const auto row = rows.find(*state);
    if (row == rows.end()) break;
    state = moves->apply(*state, greedy_action(row->second->q));
  }
  return r;
}

std::string q_table_csv(const StrategyResults& results, const space::Space& space) {
  std::string out = "state";
  for (const space::Dimension& dim : space.dimensions()) out += "," + csv_field(dim.name);
  for (const std::string& action : results.actions) out += "," + csv_field(action);
  out += '\n';
  for (const agent::QRow& row : results.q_table) {
    out += std::to_string(row.state);
    for (std::size_t k = 0; k < space.dims(); ++k)
      out += "," + csv_field(space::format_value(space.value(row.state, k)));
    for (double q : row.q) out += fmt::format(",{:.17g}", q);
    out += '\n';
  }
  return out;
}

std::string q_table_json(const StrategyResults& results, const space::Space& space) {
  nlohmann::json dims = nlohmann::json::array();
  for (const space::Dimension& dim : space.dimensions()) dims.push_back(dim.name);
  nlohmann::json rows = nlohmann::json::array();
  for (const agent::QRow& row : results.q_table) {
    nlohmann::json params = nlohmann::json::object();
    for (std::size_t k = 0; k < space.dims(); ++k) {
      params[space.dimension(k).name] = space::format_value(space.value(row.state, k));
    }
    nlohmann::json entry = {{"state", row.state}, {"params", params}, {"q", row.q}};
    if (!row.q.empty()) entry["greedy"] = greedy_action(row.q);
    rows.push_back(std::move(entry));
  }
  return nlohmann::json{{"dimensions", dims}, {"actions", results.actions}, {"rows", rows}}.dump(
             2) +
         "\n";
}

}  // namespace qtune::study
