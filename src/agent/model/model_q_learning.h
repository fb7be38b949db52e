// Model-based q-learning, the default preset ("model") of the q-learning strategy.
//
// It stays Q-learning: a Q-table over grid states, improved by Bellman backups, acted on
// epsilon-greedily over index moves with random tie-breaking. What is learned from the
// evaluations is a reward model of the loss over the grid (a Gaussian process with a
// Matérn-5/2 ARD kernel, hyperparameters at their MAP value after every new evaluation).
// The reward of stepping onto an unmeasured state is its expected improvement over the
// incumbent (discounted by paid_discount: time runs in evaluations); stepping onto a
// measured state pays nothing and costs nothing (free_discount only breaks ties toward the
// shorter walk). The Q-table is planned from that model by value iteration over the known
// deterministic moves, Q(s,a) = W[T(s,a)], W = R + G ⊙ V, V = neighbourhood max of W.
//
// One decision: walk from the trajectory's state, for free, across measured states, to the
// unmeasured state the plan values most, and propose it; or, when a bandit over proposal
// rules (`rules`, proposal_portfolio.h) picks the coordinate rule, the unmeasured state of
// largest discounted EI that differs from the incumbent in one dimension (what wins on
// separable losses). The bandit learns which rule's proposals improve on the best loss on
// this study. Before that, d + 1 exploring
// starts at random states; episodes restart at a random unmeasured state after
// `restart_after` paid steps without a new best; when the model finds the measurement
// noise large against the gap between the best states, the incumbent is re-measured
// (Proposal::remeasure). k > 1 trajectories share the model; states handed out and not yet
// told count as measured at the model's mean (kriging believer). Grids larger than
// `window_states` are planned over a box around the walking state. recommend() is the
// measured state with the lowest posterior mean. See
// reference/qlearning-model-based.md for the method and docs/config.md for the options.
#pragma once

#include <cstdint>
#include <memory>

#include "qtune/agent/strategy.h"
#include "qtune/agent/strategy_config.h"
#include "qtune/base/result.h"
#include "qtune/space/space.h"

namespace qtune::agent {

// kInvalidArgument for options out of range (named with their valid range). The strategy
// keeps its own copy of `space`.
base::Result<std::unique_ptr<Strategy>> make_model_q_learning(const space::Space& space,
                                                              const StrategyConfig& config,
                                                              std::uint64_t seed);

}  // namespace qtune::agent
