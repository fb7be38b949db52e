// Kept apart from replay.cc so that a program using only tables and scoring does not pull
// in every strategy.
#include <utility>

#include "qtune/replay/replay.h"

namespace qtune::replay {

StrategyFactory strategy_factory(const space::Space& space, agent::StrategyConfig config) {
  return [&space, config = std::move(config)](std::uint64_t seed) {
    return agent::make_strategy(space, config, seed);
  };
}

}  // namespace qtune::replay
