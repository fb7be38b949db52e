// Hyperband: successive halving over the space's fidelity dimension (Li et al., 2018), the
// multi-fidelity baseline (kind = "hyperband"). It needs a fidelity (space::Dimension::
// fidelity, e.g. maxiter = { values = [10, 20, 40], fidelity = true }).
//
// Rungs are the fidelity's levels from the cheapest up (R levels, s_max = R - 1). Bracket s
// (s_max, s_max - 1, ..., 0, then again) draws n = ceil((s_max + 1) / (s + 1) * eta^s)
// configurations (the other dimensions; uniformly at random, never one drawn before) and
// measures them at rung s_max - s; each completed rung promotes its best floor(m / eta) (at
// least 1) of its m to the next rung, until the highest level. A rung completes when all of
// its measurements were told: the strategy is synchronous (ask returns nullopt while a rung
// waits), with at most `trajectories` proposals out at once. A configuration already measured
// at a level (an earlier bracket, or `qtune import`) is not measured again there. Failed
// trials rank last. Exhausted when every configuration was drawn and its brackets are done.
//
// recommend() is the best measured loss at the highest level measured so far (the top level
// once any configuration reached it), so the recommendation is a full-fidelity configuration.
//
// Snapshots hold the sequence of asks, tells and observes; restore() replays it on a fresh
// strategy, which by determinism ends in the same state.
#pragma once

#include <cstdint>
#include <memory>

#include "qtune/agent/strategy.h"
#include "qtune/agent/strategy_config.h"
#include "qtune/base/result.h"
#include "qtune/space/space.h"

namespace qtune::agent {

// kInvalidArgument when the space has no fidelity or an option is out of range.
base::Result<std::unique_ptr<Strategy>> make_hyperband(const space::Space& space,
                                                       const StrategyConfig& config,
                                                       std::uint64_t seed);

}  // namespace qtune::agent
