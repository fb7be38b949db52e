// Results of a study: the best measured configuration, and what the strategy has learned:
// its recommendation, the greedy policy per visited state, the greedy walk (roll-out) from the
// start state, and the Q-table as CSV or JSON.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/agent/strategy.h"
#include "qtune/store/store.h"

namespace qtune::study {

// The columns of `qtune export --format csv` besides one per parameter: kTrialKeyColumns,
// then the parameters, then kTrialRecordColumns. `qtune import` also reads a "status" column.
// A dimension may take none of these names (is_reserved_column), or an export would not
// read back.
inline constexpr std::array<std::string_view, 2> kTrialKeyColumns = {"number", "state"};
inline constexpr std::array<std::string_view, 7> kTrialRecordColumns = {
    "value", "failure_reason", "started_at", "finished_at", "worker", "attempt", "source"};
bool is_reserved_column(std::string_view name);

struct BestTrial {
  std::int64_t number = 0;
  space::StateId state = 0;
  std::vector<store::Param> params;
  double value = 0;  // the raw metric; the mean when the configuration was measured again
  std::size_t measurements = 1;  // COMPLETE trials of this configuration
  // A combined metric: the components of the first trial, whose `value` is the loss now.
  std::vector<MetricComponent> components{};
};

// The configuration whose COMPLETE trials have the lowest (minimize) or highest (maximize)
// mean value (one trial: its value; repeated measurements, imported or run: their mean),
// named by its first trial; on a tie the earliest. nullopt without a COMPLETE trial. With a
// combined metric (some COMPLETE trial has components), the COMPLETE trials with components
// ranked by their loss now (combined_metric.h: lowest wins, `direction` aside), and `value` is
// that loss.
std::optional<BestTrial> best_trial(const std::vector<store::TrialRecord>& trials,
                                    store::Direction direction);

// The greedy action of one visited state.
struct PolicyStep {
  space::StateId state = 0;
  space::Action action = 0;  // argmax of the state's Q row; the lowest action on a tie
  std::string move;          // Moves::describe(action): "K+1 batch_size-1" or "stay"
  space::StateId next = 0;   // where the action leads
  double q = 0;              // its value
};

struct StrategyResults {
  std::optional<space::StateId> recommendation;
  std::vector<PolicyStep> policy;  // per visited state, in state order; empty without a Q-table
  std::vector<space::StateId> rollout;  // from start_state(), following the policy until a
                                        // state repeats or has no Q row; empty without a Q-table
  std::vector<std::string> actions;     // Moves::describe of every action, column order
  std::vector<agent::QRow> q_table;
};

StrategyResults strategy_results(const agent::Strategy& strategy);

// "state,<dimension names...>,<action descriptions...>" then one row per visited state
// (parameter values as text, Q-values with 17 significant digits).
std::string q_table_csv(const StrategyResults& results, const space::Space& space);
// {"dimensions": [...], "actions": [...], "rows": [{"state": id, "params": {name: text},
//  "q": [...], "greedy": action}]}
std::string q_table_json(const StrategyResults& results, const space::Space& space);

}  // namespace qtune::study
