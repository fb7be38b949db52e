#include <memory>

#include "agent/grid_search.h"
#include "agent/hyperband.h"
#include "agent/model/model_q_learning.h"
#include "agent/q_learning.h"
#include "agent/random_search.h"
#include "qtune/agent/strategy_config.h"

namespace qtune::agent {

base::Result<std::unique_ptr<Strategy>> make_strategy(const space::Space& space,
                                                      const StrategyConfig& config,
                                                      std::uint64_t seed) {
  QTUNE_RETURN_IF_ERROR(validate_strategy_config(config, space));
  switch (config.kind) {
    case StrategyKind::kRandom:
      return std::unique_ptr<Strategy>(
          std::make_unique<RandomSearch>(space, config.trajectories, seed));
    case StrategyKind::kGrid:
      return std::unique_ptr<Strategy>(std::make_unique<GridSearch>(space, config.trajectories));
    case StrategyKind::kHyperband:
      return make_hyperband(space, config, seed);
    case StrategyKind::kQLearning:
      break;
  }
  if (config.preset == Preset::kModel) return make_model_q_learning(space, config, seed);
  return std::unique_ptr<Strategy>(std::make_unique<QLearning>(space, config, seed));
}

}  // namespace qtune::agent
