// QLearning: the table-only Q-learning agent (preset "seed", and any q-learning config
// without the reward model), exactly as DESIGN "The algorithm" states.
//
// k trajectories share one sparse Q-table, one evaluation cache and one RNG. Episodes are
// numbered in the order trajectories start them (0 .. episodes-1); an episode begins at a
// random state or at the fixed start, and runs `steps` agent steps. Each step:
//   a  = epsilon-greedy over Q(s, .), epsilon_e = max(epsilon_min, epsilon * decay^e)
//   s' = Moves::apply(s, a)                               (clamped at the edges)
//   r  = -loss(s')  or  loss(s) - loss(s')               (reward negative | improvement)
//   Q(s,a) += alpha * (r + gamma * max_a' Q(s',a') - Q(s,a))
//   then planning_steps Dyna-Q replays of remembered (s,a) pairs drawn uniformly: the
//   moves are deterministic and known and the rewards are cached, so a replay is exact.
// A step onto an evaluated state (cache hit) happens inside ask() at no cost; a step onto an
// unevaluated one (or an episode's start, which is evaluated too) becomes a proposal, and
// the trajectory waits until it is told. A trajectory whose next state is already proposed
// by another trajectory waits for that proposal instead of duplicating it. When every
// episode has been started and finished, ask() returns nullopt.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <unordered_set>
#include <vector>

#include "agent/evaluation_cache.h"
#include "agent/q_table.h"
#include "agent/rng.h"
#include "qtune/agent/strategy.h"
#include "qtune/agent/strategy_config.h"

namespace qtune::agent {

class QLearning final : public Strategy {
 public:
  // `config` must have passed validate_strategy_config() for `space`.
  QLearning(const space::Space& space, const StrategyConfig& config, std::uint64_t seed);

  std::string_view name() const override { return "q-learning"; }
  std::optional<Proposal> ask() override;
  void tell(const Proposal& proposal, const Observation& observation) override;
  void observe(space::StateId state, const Observation& observation) override;
  std::optional<space::StateId> recommend() const override { return cache_.best(); }
  std::vector<QRow> q_table() const override { return q_.export_rows(); }
  const space::Moves* moves() const override { return &moves_; }
  std::optional<space::StateId> start_state() const override;
  std::optional<double> epsilon() const override;
  std::string snapshot() const override;
  base::Status restore(std::string_view snapshot) override;

 private:
  struct Trajectory {
    bool in_episode = false;
    std::uint32_t episode = 0;
    std::uint32_t step = 0;  // steps taken in the episode
    space::StateId state = 0;
    // Set while waiting for the evaluation of `waiting_on`; `action` leads there from
    // `state` (nullopt: `waiting_on` is the episode's start).
    std::optional<space::StateId> waiting_on;
    std::optional<space::Action> action;
  };
  struct Transition {
    space::StateId state;
    space::Action action;
    bool operator==(const Transition&) const = default;
  };
  struct TransitionHash {
    std::size_t operator()(const Transition& t) const;
  };

  // Runs trajectory t until it needs an evaluation (returned if it is a new proposal), waits
  // on another trajectory's proposal, or has no episode left.
  std::optional<Proposal> advance(std::uint32_t t);
  std::optional<Proposal> wait_for(std::uint32_t t, space::StateId state,
                                   std::optional<space::Action> action);
  double epsilon_of(std::uint32_t episode) const;
  double reward(space::StateId from, space::StateId to) const;
  // One Bellman update from experience, then the Dyna-Q replays.
  void learn(space::StateId from, space::Action action, space::StateId to);
  void backup(space::StateId from, space::Action action, space::StateId to);

  space::Space space_;
  space::Moves moves_;
  StrategyConfig config_;
  Rng rng_;
  QTable q_;
  EvaluationCache cache_;
  std::vector<Trajectory> trajectories_;
  std::uint32_t episodes_started_ = 0;
  std::map<space::StateId, std::uint32_t> pending_;  // proposed state -> trajectory that asked
  std::vector<Transition> transitions_;              // Dyna-Q memory, in order first seen
  std::unordered_set<Transition, TransitionHash> known_transitions_;
};

}  // namespace qtune::agent
