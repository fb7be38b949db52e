#include "agent/q_learning.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "agent/greedy.h"
#include "base/seed.h"
#include "qtune/base/result.h"

namespace qtune::agent {
namespace {
constexpr std::string_view kSnapshotKind = "q-learning";
constexpr std::uint32_t kQLearningSnapshotVersion = 1;
}  // namespace

std::size_t QLearning::TransitionHash::operator()(const Transition& t) const {
  return static_cast<std::size_t>(base::mix64(t.state * 0x100000001b3ULL + t.action));
}

QLearning::QLearning(const space::Space& space, const StrategyConfig& config, std::uint64_t seed)
    : space_(space),
      moves_(space::Moves::create(space_, config.actions).value()),
      config_(config),
      rng_(base::derive_seed(seed, "q-learning")),
      q_(moves_.count(), config.q_init, config.q_init_scale, base::derive_seed(seed, "q-init")),
      trajectories_(config.trajectories) {}

std::optional<space::StateId> QLearning::start_state() const {
  if (config_.start == StartKind::kFixed) return config_.start_state;
  return recommend();
}

double QLearning::epsilon_of(std::uint32_t episode) const {
  return std::max(config_.epsilon_min,
                  config_.epsilon * std::pow(config_.epsilon_decay, static_cast<double>(episode)));
}

std::optional<double> QLearning::epsilon() const {
  return epsilon_of(episodes_started_ == 0 ? 0 : episodes_started_ - 1);
}

std::optional<Proposal> QLearning::ask() {
  for (std::uint32_t t = 0; t < trajectories_.size(); ++t) {
    if (trajectories_[t].waiting_on) continue;
    if (std::optional<Proposal> proposal = advance(t)) return proposal;
  }
  return std::nullopt;
}

std::optional<Proposal> QLearning::advance(std::uint32_t t) {
  Trajectory& tr = trajectories_[t];
  while (true) {
    if (!tr.in_episode) {
      if (episodes_started_ == config_.episodes) return std::nullopt;
      tr.in_episode = true;
      tr.episode = episodes_started_++;
      tr.step = 0;
      tr.state =
          config_.start == StartKind::kFixed ? *config_.start_state : rng_.below(space_.size());
      if (!cache_.contains(tr.state)) return wait_for(t, tr.state, std::nullopt);
    }
    if (tr.step == config_.steps) {
      tr.in_episode = false;
      continue;
    }
    const space::Action a = epsilon_greedy_action(q_.row(tr.state), epsilon_of(tr.episode), rng_);
    const space::StateId next = moves_.apply(tr.state, a);
    if (!cache_.contains(next)) return wait_for(t, next, a);
    learn(tr.state, a, next);
    tr.state = next;
    ++tr.step;
  }
}

std::optional<Proposal> QLearning::wait_for(std::uint32_t t, space::StateId state,
                                            std::optional<space::Action> action) {
  trajectories_[t].waiting_on = state;
  trajectories_[t].action = action;
  if (pending_.contains(state)) return std::nullopt;  // another trajectory proposed it
  pending_.emplace(state, t);
  return Proposal{state, t, false};
}

void QLearning::tell(const Proposal& proposal, const Observation& observation) {
  const auto it = pending_.find(proposal.state);
  QTUNE_CHECK(it != pending_.end() && it->second == proposal.trajectory);
  pending_.erase(it);
  cache_.record(proposal.state, observation.loss, config_.failure_penalty);
  for (Trajectory& tr : trajectories_) {
    if (tr.waiting_on != proposal.state) continue;
    if (tr.action) {
      learn(tr.state, *tr.action, proposal.state);
      tr.state = proposal.state;
      ++tr.step;
    }
    tr.waiting_on.reset();
    tr.action.reset();
  }
}

void QLearning::observe(space::StateId state, const Observation& observation) {
  if (cache_.contains(state) || pending_.contains(state)) return;
  cache_.record(state, observation.loss, config_.failure_penalty);
}

double QLearning::reward(space::StateId from, space::StateId to) const {
  if (config_.reward == RewardKind::kNegative) return -cache_.loss(to);
  return cache_.loss(from) - cache_.loss(to);
}

void QLearning::backup(space::StateId from, space::Action action, space::StateId to) {
  q_.update(from, action, config_.alpha, reward(from, to) + config_.gamma * q_.max(to));
}

void QLearning::learn(space::StateId from, space::Action action, space::StateId to) {
  backup(from, action, to);
  if (config_.planning_steps == 0) return;
  if (known_transitions_.insert({from, action}).second) transitions_.push_back({from, action});
  for (std::uint32_t i = 0; i < config_.planning_steps; ++i) {
    const Transition& replay = transitions_[rng_.below(transitions_.size())];
    backup(replay.state, replay.action, moves_.apply(replay.state, replay.action));
  }
}

std::string QLearning::snapshot() const {
  base::ByteWriter out;
  out.str(kSnapshotKind);
  out.u32(kQLearningSnapshotVersion);
  out.u64(space_.size());
  out.u64(moves_.count());
  out.u64(trajectories_.size());
  rng_.save(out);
  out.u32(episodes_started_);
  for (const Trajectory& tr : trajectories_) {
    out.flag(tr.in_episode);
    out.u32(tr.episode);
    out.u32(tr.step);
    out.u64(tr.state);
    out.opt_u64(tr.waiting_on);
    out.opt_u32(tr.action);
  }
  out.u64(pending_.size());
  for (const auto& [state, t] : pending_) {
    out.u64(state);
    out.u32(t);
  }
  cache_.save(out);
  q_.save(out);
  out.u64(transitions_.size());
  for (const Transition& tr : transitions_) {
    out.u64(tr.state);
    out.u32(tr.action);
  }
  return out.take();
}

base::Status QLearning::restore(std::string_view snapshot) {
  base::ByteReader in(snapshot, "q-learning snapshot");
  QTUNE_ASSIGN_OR_RETURN(const std::string kind, in.str());
  QTUNE_ASSIGN_OR_RETURN(const std::uint32_t version, in.u32());
  QTUNE_ASSIGN_OR_RETURN(const std::uint64_t size, in.u64());
  QTUNE_ASSIGN_OR_RETURN(const std::uint64_t actions, in.u64());
  QTUNE_ASSIGN_OR_RETURN(const std::uint64_t trajectories, in.u64());
  if (kind != kSnapshotKind || version != kQLearningSnapshotVersion || size != space_.size() ||
      actions != moves_.count() || trajectories != trajectories_.size()) {
    return base::Status::corrupt(fmt::format(
        "q-learning snapshot: made by {} v{} for {} states, {} actions, {} trajectories; this is "
        "{} v{} for {} states, {} actions, {} trajectories",
        kind, version, size, actions, trajectories, kSnapshotKind, kQLearningSnapshotVersion,
        space_.size(), moves_.count(), trajectories_.size()));
  }
  Rng rng = rng_;
  QTUNE_RETURN_IF_ERROR(rng.load(in));
  QTUNE_ASSIGN_OR_RETURN(const std::uint32_t episodes_started, in.u32());
  if (episodes_started > config_.episodes) {
    return base::Status::corrupt(fmt::format("q-learning snapshot: {} episodes started of {}",
                                             episodes_started, config_.episodes));
  }
  std::vector<Trajectory> loaded(trajectories_.size());
  for (Trajectory& tr : loaded) {
    QTUNE_ASSIGN_OR_RETURN(tr.in_episode, in.flag());
    QTUNE_ASSIGN_OR_RETURN(tr.episode, in.u32());
    QTUNE_ASSIGN_OR_RETURN(tr.step, in.u32());
    QTUNE_ASSIGN_OR_RETURN(tr.state, in.u64());
    QTUNE_ASSIGN_OR_RETURN(tr.waiting_on, in.opt_u64());
    QTUNE_ASSIGN_OR_RETURN(tr.action, in.opt_u32());
    if (tr.state >= space_.size() || tr.waiting_on.value_or(0) >= space_.size() ||
        tr.action.value_or(0) >= moves_.count() || tr.step > config_.steps ||
        tr.episode >= config_.episodes) {
      return base::Status::corrupt(
          "q-learning snapshot: a trajectory is outside the space or schedule");
    }
  }
  std::map<space::StateId, std::uint32_t> pending;
  QTUNE_ASSIGN_OR_RETURN(const std::uint64_t pending_count, in.u64());
  for (std::uint64_t i = 0; i < pending_count; ++i) {
    QTUNE_ASSIGN_OR_RETURN(const std::uint64_t state, in.u64());
    QTUNE_ASSIGN_OR_RETURN(const std::uint32_t t, in.u32());
    if (state >= space_.size() || t >= trajectories_.size()) {
      return base::Status::corrupt("q-learning snapshot: a pending proposal is outside the space");
    }
    pending[state] = t;
  }
  EvaluationCache cache;
  QTUNE_RETURN_IF_ERROR(cache.load(in));
  QTable q = q_;
  QTUNE_RETURN_IF_ERROR(q.load(in));
  std::vector<Transition> transitions;
  QTUNE_ASSIGN_OR_RETURN(const std::uint64_t transition_count, in.u64());
  for (std::uint64_t i = 0; i < transition_count; ++i) {
    QTUNE_ASSIGN_OR_RETURN(const std::uint64_t state, in.u64());
    QTUNE_ASSIGN_OR_RETURN(const std::uint32_t action, in.u32());
    if (state >= space_.size() || action >= moves_.count()) {
      return base::Status::corrupt(
          "q-learning snapshot: a remembered transition is outside the space");
    }
    transitions.push_back({state, action});
  }
  QTUNE_RETURN_IF_ERROR(in.expect_end());
  rng_ = rng;
  episodes_started_ = episodes_started;
  trajectories_ = std::move(loaded);
  pending_ = std::move(pending);
  cache_ = std::move(cache);
  q_ = std::move(q);
  transitions_ = std::move(transitions);
  known_transitions_ = {transitions_.begin(), transitions_.end()};
  return base::Status::ok();
}

}  // namespace qtune::agent
