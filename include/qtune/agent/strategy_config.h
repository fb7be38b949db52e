// StrategyConfig: every option of every strategy, with its default, parsed from the
// [strategy] table of a study file. docs/config.md lists the same options for users;
// keep both in step.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/agent/strategy.h"
#include "qtune/base/result.h"
#include "qtune/space/moves.h"
#include "qtune/space/space.h"

namespace qtune::agent {

enum class StrategyKind { kQLearning, kRandom, kGrid, kHyperband };
// Q-learning presets: kModel (default) plans the Q-table from a learned reward model;
// kSeed is the table-only agent exactly as first specified.
enum class Preset { kModel, kSeed };
enum class RewardKind { kNegative, kImprovement };  // r = -loss(s')  |  r = loss(s) - loss(s')
enum class QInit { kZero, kRandom, kOptimistic };
enum class StartKind { kRandom, kFixed };

// How model-based q-learning picks its next unmeasured state (ModelOptions::rules):
// kWalk walks the planned Q-table from the trajectory's state (the plan's greedy walk);
// kCoordinate moves one dimension of the incumbent (the measured state with the lowest
// posterior mean) to the unmeasured level of largest expected improvement, discounted by
// coordinate_discount per index step beyond the first (a categorical level is one step);
// kExplore proposes a random unmeasured state.
enum class ProposalRule { kWalk, kCoordinate, kExplore };

// Options of the model-based preset only (docs/config.md, "Model-based q-learning options").
struct ModelOptions {
  std::uint32_t exploring_starts = 0;  // random first evaluations; 0: d + 1
  double paid_discount = 0.5;          // discount of a step onto an unmeasured state, [0, 1)
  double free_discount = 0.98;         // discount of a step onto a measured state, [0, 1)
  // Paid steps of a trajectory without a new best loss before its episode restarts at a
  // random unmeasured state; 0: never.
  std::uint32_t restart_after = 0;
  bool remeasure = true;                // re-measure the incumbent when noise hides it
  std::uint32_t max_measurements = 3;   // per state, re-measurements included, >= 1
  std::uint32_t window_states = 32768;  // larger grids are planned over a window this big
  std::uint32_t fit_iterations = 60;    // quasi-Newton steps per hyperparameter fit
  // Learn a cost model from the costs told (trial durations; replay's --cost) and plan for
  // cost-cooled EI (agent/model/cost_cooling.h); false: costs are ignored.
  bool cost_aware = true;
  // The proposal rules a bandit chooses between by their success on this study
  // (agent/model/proposal_portfolio.h); one rule: always that one.
  std::vector<ProposalRule> rules = {ProposalRule::kWalk, ProposalRule::kCoordinate};
  double rule_discount = 1.0;        // the bandit's discount of past outcomes per outcome, (0, 1]
  double coordinate_discount = 0.7;  // of a coordinate move per index step beyond one, [0, 1]
};

struct StrategyConfig {
  StrategyKind kind = StrategyKind::kQLearning;
  Preset preset = Preset::kModel;

  // Q-learning (both presets). Defaults are the seed preset's values.
  double alpha = 0.1;           // learning rate, (0, 1]
  double gamma = 0.95;          // discount, [0, 1)
  double epsilon = 0.1;         // exploration rate, [0, 1]
  double epsilon_decay = 0.99;  // multiplied into epsilon after each episode, (0, 1]
  double epsilon_min = 0.01;    // floor of epsilon, [0, epsilon]
  std::uint32_t episodes = 100;
  std::uint32_t steps = 50;  // agent steps per episode (free steps count too)
  space::MoveSet actions = space::MoveSet::kJoint;
  RewardKind reward = RewardKind::kNegative;
  QInit q_init = QInit::kZero;
  double q_init_scale = 1.0;  // spread of kRandom, value of kOptimistic
  StartKind start = StartKind::kRandom;
  std::optional<space::StateId> start_state;  // set iff start == kFixed
  std::uint32_t planning_steps = 0;  // Dyna-Q replays of remembered transitions per real step
  std::uint32_t trajectories = 1;    // k parallel trajectories sharing one Q-table
  // Loss given to a failed trial. nullopt: the worst loss measured so far plus the
  // measured range (and 1.0 before two successes).
  std::optional<double> failure_penalty;
  ModelOptions model;  // preset = "model" only
  // Successive halving's keep ratio (kind = "hyperband"): 1/eta of a rung is promoted, > 1.
  double eta = 3.0;

  // Not [strategy] keys: what the caller knows of the budget. The compute budget in the
  // units of Observation::cost (seconds: the study's [budget] compute; replay's
  // --compute-budget); nullopt: none. The cost-aware model cools its cost penalty as the
  // budget is spent (docs/config.md, "Cost-aware search").
  std::optional<double> compute_budget;
};

// "q-learning" | "random" | "grid" | "hyperband" (the [strategy] key `kind`, and replay's
// --strategy).
base::Result<StrategyKind> parse_strategy_kind(std::string_view text);
std::string_view strategy_kind_name(StrategyKind kind);

// Checks every option against its valid range and `space` (start state inside it, joint
// actions for at most Moves::kMaxJointDims dimensions). Messages start with the option:
//   "alpha 0 is out of range; use 0 < alpha <= 1".
base::Status validate_strategy_config(const StrategyConfig& config, const space::Space& space);

// Parses [strategy]; `space` resolves start = { K = 4, ... }. Unknown keys, wrong types and
// out-of-range values are kInvalidArgument naming file:line, the key and the valid form.
// The seed preset sets the options above to their seed values before the table's own keys
// apply, so any of them can still be overridden.
// `toml_text` is a study file's text; its [strategy] table is read (none: the defaults).
// `override_keys` replace the table's kind and preset (`qtune replay --strategy/--preset`).
struct StrategyOverride {
  std::optional<std::string> kind;
  std::optional<std::string> preset;
};
base::Result<StrategyConfig> parse_strategy(std::string_view toml_text, const space::Space& space,
                                            std::string_view file,
                                            const StrategyOverride& override_keys = {});

// Builds the configured strategy after validate_strategy_config(). `seed` is the study seed;
// streams are derived from it. Safe to call from several threads at once.
base::Result<std::unique_ptr<Strategy>> make_strategy(const space::Space& space,
                                                      const StrategyConfig& config,
                                                      std::uint64_t seed);

}  // namespace qtune::agent
