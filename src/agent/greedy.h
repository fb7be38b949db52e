// Action choice over a row of Q-values: greedy with uniformly random tie-breaking (written
// once, here), and epsilon-greedy on top of it.
#pragma once

#include <span>

#include "agent/rng.h"
#include "qtune/space/moves.h"

namespace qtune::agent {

// An action of maximal value, uniform among ties. The RNG is drawn once when there is a
// tie and not at all otherwise.
space::Action greedy_action(std::span<const double> q, Rng& rng);

// With probability epsilon an action uniform over all of them, else greedy_action().
space::Action epsilon_greedy_action(std::span<const double> q, double epsilon, Rng& rng);

}  // namespace qtune::agent
