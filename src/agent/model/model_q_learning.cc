#include "agent/model/model_q_learning.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "agent/model/cost_cooling.h"
#include "agent/model/expected_improvement.h"
#include "agent/model/kernel.h"
#include "agent/model/planning_window.h"
#include "agent/model/proposal_portfolio.h"
#include "agent/model/reward_model.h"
#include "agent/model/value_iteration.h"
#include "agent/rng.h"
#include "base/bytes.h"
#include "base/seed.h"

namespace qtune::agent {
namespace {

using space::StateId;

// Version 2 added the costs (version 1 snapshots are read as having none); version 3 the
// proposal portfolio (older snapshots start it afresh); version 4 the imported states (older
// snapshots have none).
constexpr std::uint32_t kModelSnapshotVersion = 4;
constexpr std::string_view kSnapshotName = "model q-learning snapshot";
// Below this standardised noise the objective is treated as noise-free: no re-measuring.
constexpr double kNoiseFloor = 0.05;
// At most this fraction of the evaluations are deliberate re-measurements.
constexpr double kMaxRemeasureShare = 0.25;
// A homoscedastic GP's fitted noise runs low where the loss is rough or its noise varies over
// the grid (ae4: 0.001-0.07 standard deviations fitted, 0.13 between the training seeds of its
// best tenth): the MAP explains noise by short lengthscales. Repeats measure the noise
// directly, so once this many times the exploring starts were measured with no state
// measured twice, the incumbent is re-measured once (the probe; a deterministic script shows
// no spread and is never re-measured again).
constexpr std::uint64_t kProbeAfterStarts = 5;
constexpr int kRandomStateTries = 64;

struct Trajectory {
  std::optional<StateId> current;  // nullopt: begin at the recommendation
  std::optional<Proposal> pending;
  std::uint32_t paid_since_best = 0;
  std::optional<std::uint32_t> rule;  // the portfolio rule of the pending proposal
};

// The entry of (state, posterior mean) pairs with the lowest mean; `means` is not empty.
const std::pair<StateId, double>& lowest(const std::vector<std::pair<StateId, double>>& means) {
  return *std::min_element(means.begin(), means.end(),
                           [](const auto& a, const auto& b) { return a.second < b.second; });
}

class ModelQLearning final : public Strategy {
 public:
  ModelQLearning(const space::Space& space, const StrategyConfig& config, std::uint64_t seed)
      : space_(space),
        moves_(space::Moves::create(space_, config.actions).value()),
        config_(config),
        rng_(base::derive_seed(seed, "model-q-learning")),
        model_(space_, config.failure_penalty),
        cost_model_(space_, std::nullopt),
        trajectories_(config.trajectories),
        epsilon_(config.epsilon),
        portfolio_rng_(base::derive_seed(seed, "proposal-portfolio")),
        portfolio_(config.model.rules.size(), config.model.rule_discount) {
    if (const auto k = space_.fidelity()) {
      const std::vector<Eigen::Index> columns = model::feature_dimensions(space_);
      fidelity_column_ = static_cast<Eigen::Index>(
          std::find(columns.begin(), columns.end(), static_cast<Eigen::Index>(*k)) -
          columns.begin());
      top_level_ = space_.fidelity_order().back();
      const std::size_t n = space_.dimension(*k).size();
      top_feature_ = n > 1 ? static_cast<double>(top_level_) / static_cast<double>(n - 1) : 0.0;
    }
  }

  std::string_view name() const override { return "q-learning"; }
  std::optional<Proposal> ask() override;
  void tell(const Proposal& proposal, const Observation& observation) override;
  void observe(StateId state, const Observation& observation) override;
  std::optional<StateId> recommend() const override;
  std::vector<QRow> q_table() const override;
  const space::Moves* moves() const override { return &moves_; }
  std::optional<double> epsilon() const override { return epsilon_; }
  std::vector<Belief> beliefs(std::span<const StateId> states) const override;
  std::string snapshot() const override;
  base::Status restore(std::string_view snapshot) override;

 private:
  Proposal decide(std::uint32_t t);
  Proposal hand_out(std::uint32_t t, StateId state, bool remeasure);
  std::optional<StateId> remeasure_candidate() const;
  // The standardised noise the decisions use: the larger of the model's fitted noise and the
  // spread of repeated measurements (kProbeAfterStarts says why both).
  double noise_sd() const;
  // The unmeasured state that differs from the incumbent in one dimension of largest EI,
  // discounted by the steps it moves and cost-cooled like the plan's (ProposalRule::
  // kCoordinate); nullopt with a fidelity or when every such state is known.
  std::optional<StateId> coordinate_move(const model::GaussianProcess& gp);
  // The index of ProposalRule::kWalk in config_.model.rules; nullopt when it is not there.
  std::optional<std::uint32_t> walk_rule() const;
  void plan(StateId centre);
  space::Action choose_action(StateId s);
  double planned_value(StateId state) const;
  StateId random_unknown();
  StateId random_unknown_neighbour(StateId s);
  bool known(StateId s) const { return counts_.contains(s) || pending_.contains(s); }
  std::uint64_t known_count() const { return counts_.size() + pending_.size(); }
  std::uint32_t exploring_starts() const;
  // Measured states with at least one success and their posterior means, by state id.
  std::vector<std::pair<StateId, double>> measured_means(const model::GaussianProcess& gp) const;
  // The measured state with the lowest posterior mean.
  StateId incumbent(const model::GaussianProcess& gp) const;
  void rebuild_derived();
  // A measurement's cost (Observation::cost), for the cost model and the budget spent.
  void record_cost(StateId state, std::optional<double> cost);
  // Costs are planned for once two positive ones were told (docs/config.md, "Cost-aware
  // search").
  bool cost_aware() const {
    return config_.model.cost_aware && cost_model_.measurements().size() >= 2;
  }
  // What divides the EI of the states at feature rows `x` while costs are planned for
  // (cost-cooled EI, cost_cooling.h); empty when they are not.
  Eigen::VectorXd cost_penalties(const Eigen::MatrixXd& x) const;
  // The median of the positive costs told: the reference cost of cost_penalty.
  double median_cost() const;
  // With a fidelity: the fidelity's feature column and the top level's feature value.
  Eigen::MatrixXd at_top_fidelity(Eigen::MatrixXd features) const;
  bool top_fidelity(StateId s) const {
    return !space_.fidelity() || space_.index(s, *space_.fidelity()) == top_level_;
  }

  space::Space space_;
  space::Moves moves_;
  StrategyConfig config_;
  Rng rng_;
  model::RewardModel model_;
  model::RewardModel cost_model_;                  // of log cost, fitted like the reward model
  std::vector<std::pair<StateId, double>> costs_;  // every cost told, in order
  double spent_ = 0.0;
  // With a fidelity: its feature column, the top level's value index and feature value.
  Eigen::Index fidelity_column_ = 0;
  space::Index top_level_ = 0;
  double top_feature_ = 0.0;
  std::vector<Trajectory> trajectories_;
  double epsilon_;
  std::uint32_t starts_given_ = 0;
  std::optional<double> best_loss_;
  // Derived from the measurements and trajectories (rebuilt on restore).
  std::unordered_map<StateId, std::uint32_t> counts_;  // measurements per state
  std::unordered_set<StateId> succeeded_;              // states with a successful measurement
  std::unordered_set<StateId> pending_;                // unmeasured states handed out
  // States first learned through observe() (qtune import): never re-measured, since imported
  // configurations never run again (docs/config.md, "Importing results").
  std::set<StateId> imported_;
  // The last plan: its window (by centre), V (the next plan's warm start) and W.
  std::optional<StateId> plan_centre_;
  std::optional<model::PlanningWindow> window_;
  Eigen::MatrixXd window_features_;
  std::vector<double> v_, w_;
  // The bandit over config_.model.rules, on a stream of its own (one rule: never drawn).
  Rng portfolio_rng_;
  model::ProposalPortfolio portfolio_;
};

std::uint32_t ModelQLearning::exploring_starts() const {
  const std::uint64_t wanted =
      config_.model.exploring_starts > 0 ? config_.model.exploring_starts : space_.dims() + 1;
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(wanted, space_.size()));
}

std::optional<Proposal> ModelQLearning::ask() {
  for (std::uint32_t t = 0; t < trajectories_.size(); ++t) {
    if (trajectories_[t].pending) continue;
    if (known_count() >= space_.size()) {  // every state measured or handed out
      if (counts_.empty()) return std::nullopt;
      model_.update({}, static_cast<int>(config_.model.fit_iterations));
      if (const auto s = remeasure_candidate()) return hand_out(t, *s, true);
      return std::nullopt;
    }
    return decide(t);
  }
  return std::nullopt;
}

Proposal ModelQLearning::decide(std::uint32_t t) {
  Trajectory& trajectory = trajectories_[t];
  if (starts_given_ < exploring_starts() || counts_.empty()) {
    ++starts_given_;
    return hand_out(t, random_unknown(), false);
  }
  const std::vector<StateId> believed(pending_.begin(), pending_.end());
  std::vector<StateId> sorted_believed = believed;
  std::sort(sorted_believed.begin(),
            sorted_believed.end());  // row order must not depend on hashing
  model_.update(sorted_believed, static_cast<int>(config_.model.fit_iterations));
  if (cost_aware()) cost_model_.update({}, static_cast<int>(config_.model.fit_iterations));
  if (const auto s = remeasure_candidate()) return hand_out(t, *s, true);

  if (config_.model.restart_after > 0 &&
      trajectory.paid_since_best >= config_.model.restart_after) {
    // A new episode from a random unmeasured state: escapes a basin the model exploits.
    trajectory.paid_since_best = 0;
    epsilon_ = std::max(config_.epsilon_min, epsilon_ * config_.epsilon_decay);
    const StateId start = random_unknown();
    trajectory.current = start;
    return hand_out(t, start, false);
  }
  // Under measurement noise large against the gaps between the best states the incumbent is
  // uncertain, and moves anchored on it chase a lucky draw: the walk proposes (when it is a
  // rule) and the bandit is not consulted.
  const std::optional<std::uint32_t> walk = walk_rule();
  const bool noisy = walk && noise_sd() >= kNoiseFloor;
  const auto rule = noisy ? *walk : static_cast<std::uint32_t>(portfolio_.choose(portfolio_rng_));
  trajectory.rule = noisy ? std::nullopt : std::optional<std::uint32_t>(rule);
  switch (config_.model.rules[rule]) {
    case ProposalRule::kCoordinate:
      if (const auto next = coordinate_move(model_.posterior())) {
        trajectory.current = *next;
        return hand_out(t, *next, false);
      }
      // Every coordinate neighbour known, or a fidelity or costs: the walk proposes, and its
      // outcome is the walk's (none when the walk is not one of the rules).
      trajectory.rule = walk_rule();
      break;
    case ProposalRule::kExplore: {
      const StateId next = random_unknown();
      trajectory.current = next;
      return hand_out(t, next, false);
    }
    case ProposalRule::kWalk:
      break;
  }
  if (!trajectory.current) {
    trajectory.current = incumbent(model_.posterior());
  }
  StateId s = *trajectory.current;
  plan(s);
  std::unordered_set<StateId> visited{s};
  for (;;) {
    const StateId next = moves_.apply(s, choose_action(s));
    if (!known(next)) {
      trajectory.current = next;
      return hand_out(t, next, false);
    }
    if (!visited.insert(next).second) {
      // The plan parked (a stay or a cycle over measured states): EI has underflowed.
      const StateId escape = random_unknown_neighbour(s);
      trajectory.current = escape;
      return hand_out(t, escape, false);
    }
    s = next;  // a free step onto a measured state
    if (!window_->local(s)) plan(s);
  }
}

Proposal ModelQLearning::hand_out(std::uint32_t t, StateId state, bool remeasure) {
  Proposal proposal{state, t, remeasure};
  trajectories_[t].pending = proposal;
  if (!remeasure) pending_.insert(state);
  return proposal;
}

std::vector<std::pair<StateId, double>> ModelQLearning::measured_means(
    const model::GaussianProcess& gp) const {
  std::vector<StateId> states(succeeded_.begin(), succeeded_.end());
  std::sort(states.begin(), states.end());
  const Eigen::MatrixXd x = model::state_features(space_, states);
  Eigen::VectorXd mean(x.rows()), var(x.rows());
  gp.predict(x, mean, var);
  std::vector<std::pair<StateId, double>> out;
  for (std::size_t i = 0; i < states.size(); ++i)
    out.emplace_back(states[i], mean[static_cast<Eigen::Index>(i)]);
  return out;
}

double ModelQLearning::noise_sd() const {
  return std::max(model_.noise_sd(), model_.replicate_noise_sd().value_or(0.0));
}

std::optional<StateId> ModelQLearning::remeasure_candidate() const {
  if (!config_.model.remeasure) return std::nullopt;
  const std::size_t measurements = model_.measurements().size();
  // The noise probe: no state measured twice yet and enough measurements for the incumbent
  // to lie in a good region, where the noise that decides the recommendation is.
  const bool probe = !model_.replicate_noise_sd() &&
                     measurements >= kProbeAfterStarts * std::uint64_t{exploring_starts()};
  const double noise = noise_sd();
  if (!probe && noise < kNoiseFloor) return std::nullopt;
  const std::size_t remeasures = measurements - counts_.size();
  if (static_cast<double>(remeasures + 1) >
      kMaxRemeasureShare * static_cast<double>(measurements)) {
    return std::nullopt;
  }
  auto means = measured_means(model_.posterior());
  // With a fidelity only the top level is worth re-measuring: it is what is recommended.
  // Imported configurations never run again.
  std::erase_if(means, [this](const auto& m) {
    return !top_fidelity(m.first) || imported_.contains(m.first);
  });
  if (means.size() < 2) return std::nullopt;
  std::partial_sort(means.begin(), means.begin() + 2, means.end(),
                    [](const auto& a, const auto& b) { return a.second < b.second; });
  const StateId incumbent = means[0].first;
  const std::uint32_t count = counts_.at(incumbent);
  if (count >= config_.model.max_measurements) return std::nullopt;
  for (const Trajectory& tr : trajectories_) {
    if (tr.pending && tr.pending->state == incumbent) return std::nullopt;
  }
  // The incumbent's own noise still exceeds its lead over the runner-up (or the probe): one
  // more measurement of it says more than a new state would.
  const double gap = means[1].second - means[0].second;
  if (!probe && noise / std::sqrt(static_cast<double>(count)) <= gap) return std::nullopt;
  return incumbent;
}

std::optional<std::uint32_t> ModelQLearning::walk_rule() const {
  const auto& rules = config_.model.rules;
  const auto it = std::find(rules.begin(), rules.end(), ProposalRule::kWalk);
  if (it == rules.end()) return std::nullopt;
  return static_cast<std::uint32_t>(it - rules.begin());
}

std::optional<StateId> ModelQLearning::coordinate_move(const model::GaussianProcess& gp) {
  // A fidelity's cheap levels are valued through their top-level counterparts, which is the
  // walk's plan: with a fidelity the walk proposes.
  if (space_.fidelity()) return std::nullopt;
  const auto means = measured_means(gp);
  if (means.empty()) return std::nullopt;
  const auto& [incumbent, incumbent_mean] = lowest(means);
  const std::vector<space::Index> from = space_.decode(incumbent);
  std::vector<StateId> candidates;
  std::vector<double> weights;  // a move of j index steps is j paid steps of the plan
  for (std::size_t k = 0; k < space_.dims(); ++k) {
    const auto levels = static_cast<std::int64_t>(space_.dimension(k).size());
    const auto at = static_cast<std::int64_t>(from[k]);
    for (std::int64_t i = 0; i < levels; ++i) {
      if (i == at) continue;
      std::vector<space::Index> moved = from;
      moved[k] = static_cast<space::Index>(i);
      const StateId s = space_.encode(moved);
      // A categorical level is one step away.
      const double steps =
          space_.dimension(k).numeric() ? static_cast<double>(std::abs(i - at)) : 1.0;
      const double weight = std::pow(config_.model.coordinate_discount, steps - 1.0);
      // A weight of 0 (coordinate_discount = 0 beyond one step) rules the move out, rather than
      // tying it with every move of no improvement.
      if (known(s) || weight == 0.0) continue;
      candidates.push_back(s);
      weights.push_back(weight);
    }
  }
  if (candidates.empty()) return std::nullopt;
  const Eigen::MatrixXd x = model::state_features(space_, candidates);
  Eigen::VectorXd mean(x.rows()), var(x.rows());
  gp.predict(x, mean, var);
  const Eigen::VectorXd penalty = cost_penalties(x);
  double best_ei = -1.0;
  std::vector<StateId> ties;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const auto e = static_cast<Eigen::Index>(i);
    double ei =
        model::expected_improvement(mean[e], std::sqrt(var[e]), incumbent_mean) * weights[i];
    if (penalty.size() > 0) ei /= penalty[e];
    if (ei > best_ei) {
      best_ei = ei;
      ties.assign(1, candidates[i]);
    } else if (ei == best_ei) {
      ties.push_back(candidates[i]);
    }
  }
  return ties[portfolio_rng_.below(ties.size())];
}

Eigen::VectorXd ModelQLearning::cost_penalties(const Eigen::MatrixXd& x) const {
  if (!cost_aware()) return {};
  const Eigen::VectorXd cost = cost_model_.predict_mean_losses(x).array().exp().matrix();
  const double reference = median_cost();
  const double exponent = model::cost_exponent(config_.compute_budget, spent_);
  Eigen::VectorXd penalty(cost.size());
  for (Eigen::Index i = 0; i < cost.size(); ++i) {
    penalty[i] = model::cost_penalty(cost[i], reference, exponent);
  }
  return penalty;
}

void ModelQLearning::plan(StateId centre) {
  model::PlanningWindow window(space_, centre, config_.model.window_states);
  const bool same_box = window_ && window_->origin() == window.origin() &&
                        window_->box().extents == window.box().extents;
  if (!same_box) {
    window_features_ = window.features();
    v_.assign(window.size(), 0.0);  // no warm start across boxes
  }
  window_ = std::move(window);
  plan_centre_ = centre;
  const std::size_t n = window_->size();
  const model::GaussianProcess& gp = model_.posterior();
  Eigen::VectorXd mean(static_cast<Eigen::Index>(n)), var(static_cast<Eigen::Index>(n));
  gp.predict(window_features_, mean, var);

  // The incumbent of EI: the best posterior mean over measured and believed states.
  std::vector<StateId> known_states;
  for (const auto& [s, c] : counts_) known_states.push_back(s);
  known_states.insert(known_states.end(), pending_.begin(), pending_.end());
  const Eigen::MatrixXd kx = model::state_features(space_, known_states);
  Eigen::VectorXd kmean(kx.rows()), kvar(kx.rows());
  gp.predict(kx, kmean, kvar);
  const double incumbent = kmean.minCoeff();

  // Multi-fidelity (a fidelity dimension): a state at level l is worth the EI of its
  // top-level twin, scaled by how much l tells about the top (the kernel's correlation
  // along the fidelity) and by how much a measurement there would still reduce the
  // uncertainty: augmented EI (Huang et al., 2006). The incumbent is the best top-level
  // twin of the known states.
  const bool multi = space_.fidelity().has_value();
  Eigen::VectorXd top_mean, top_var;
  double top_incumbent = incumbent;
  std::vector<double> correlation;
  if (multi) {
    top_mean.resize(static_cast<Eigen::Index>(n));
    top_var.resize(static_cast<Eigen::Index>(n));
    gp.predict(at_top_fidelity(window_features_), top_mean, top_var);
    Eigen::VectorXd ktmean(kx.rows()), ktvar(kx.rows());
    gp.predict(at_top_fidelity(kx), ktmean, ktvar);
    top_incumbent = ktmean.minCoeff();
    const double lengthscale = gp.lengthscales()[fidelity_column_];
    correlation.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double d =
          (window_features_(static_cast<Eigen::Index>(i), fidelity_column_) - top_feature_) /
          lengthscale;
      correlation[i] = model::matern52(d * d, 1.0);
    }
  }
  // Cost-aware (costs told): value per cost, cooled as the budget is spent (cost_cooling.h).
  const Eigen::VectorXd penalty = cost_penalties(window_features_);
  const double noise_sd = std::sqrt(gp.noise_var());

  std::vector<double> r(n), g(n, config_.model.paid_discount);
  std::vector<bool> is_known(n, false);
  for (StateId s : known_states) {
    if (const auto i = window_->local(s)) is_known[*i] = true;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const auto e = static_cast<Eigen::Index>(i);
    if (is_known[i]) {
      r[i] = 0.0;
      g[i] = config_.model.free_discount;
    } else if (multi) {
      const double shrink = 1.0 - noise_sd / std::sqrt(var[e] + noise_sd * noise_sd);
      r[i] = model::expected_improvement(top_mean[e], std::sqrt(top_var[e]), top_incumbent) *
             correlation[i] * shrink;
    } else {
      r[i] = model::expected_improvement(mean[e], std::sqrt(var[e]), incumbent);
    }
    if (penalty.size() > 0 && !is_known[i]) r[i] /= penalty[e];
  }
  w_.resize(n);
  const auto hood = config_.actions == space::MoveSet::kJoint ? model::Neighbourhood::kJoint
                                                              : model::Neighbourhood::kSingle;
  model::value_iteration(window_->box(), hood, r, g, v_, w_);
}

double ModelQLearning::planned_value(StateId state) const {
  const auto i = window_->local(state);
  return i ? w_[*i] : 0.0;
}

space::Action ModelQLearning::choose_action(StateId s) {
  const auto count = static_cast<space::Action>(moves_.count());
  if (rng_.uniform() < epsilon_) return static_cast<space::Action>(rng_.below(count));
  double best = -std::numeric_limits<double>::infinity();
  std::vector<space::Action> ties;
  for (space::Action a = 0; a < count; ++a) {
    const double q = planned_value(moves_.apply(s, a));
    if (q > best) {
      best = q;
      ties.assign(1, a);
    } else if (q == best) {
      ties.push_back(a);
    }
  }
  return ties[rng_.below(ties.size())];
}

StateId ModelQLearning::random_unknown() {
  QTUNE_CHECK(known_count() < space_.size());
  for (int i = 0; i < kRandomStateTries; ++i) {
    const StateId s = rng_.below(space_.size());
    if (!known(s)) return s;
  }
  // A nearly exhausted grid: scan from a random place.
  const StateId offset = rng_.below(space_.size());
  for (StateId i = 0;; ++i) {
    const StateId s = (offset + i) % space_.size();
    if (!known(s)) return s;
  }
}

StateId ModelQLearning::random_unknown_neighbour(StateId s) {
  std::vector<StateId> candidates;
  for (space::Action a = 0; a < moves_.count(); ++a) {
    const StateId t = moves_.apply(s, a);
    if (!known(t) && std::find(candidates.begin(), candidates.end(), t) == candidates.end()) {
      candidates.push_back(t);
    }
  }
  if (candidates.empty()) return random_unknown();
  return candidates[rng_.below(candidates.size())];
}

void ModelQLearning::tell(const Proposal& proposal, const Observation& observation) {
  QTUNE_CHECK(proposal.trajectory < trajectories_.size());
  Trajectory& trajectory = trajectories_[proposal.trajectory];
  QTUNE_CHECK(trajectory.pending && trajectory.pending->state == proposal.state);
  trajectory.pending.reset();
  pending_.erase(proposal.state);
  if (trajectory.rule) {
    const bool improved = observation.loss && (!best_loss_ || *observation.loss < *best_loss_);
    portfolio_.reward(*trajectory.rule, improved);
    trajectory.rule.reset();
  }
  model_.add({proposal.state, observation.loss});
  record_cost(proposal.state, observation.cost);
  ++counts_[proposal.state];
  if (observation.loss) succeeded_.insert(proposal.state);
  if (observation.loss && (!best_loss_ || *observation.loss < *best_loss_)) {
    best_loss_ = observation.loss;
    trajectory.paid_since_best = 0;
  } else if (!proposal.remeasure) {
    ++trajectory.paid_since_best;
  }
}

void ModelQLearning::observe(StateId state, const Observation& observation) {
  if (pending_.contains(state)) return;  // its tell records the measurement
  if (!counts_.contains(state)) {
    imported_.insert(state);
    // A new state measured from outside stands in for an exploring start.
    if (starts_given_ < exploring_starts()) ++starts_given_;
  }
  model_.add({state, observation.loss});
  record_cost(state, observation.cost);
  ++counts_[state];
  if (observation.loss) succeeded_.insert(state);
  if (observation.loss && (!best_loss_ || *observation.loss < *best_loss_)) {
    best_loss_ = observation.loss;
  }
}

void ModelQLearning::record_cost(StateId state, std::optional<double> cost) {
  if (!cost || !std::isfinite(*cost) || *cost < 0.0) return;
  costs_.emplace_back(state, *cost);
  spent_ += *cost;
  if (*cost > 0.0) cost_model_.add({state, std::log(*cost)});
}

double ModelQLearning::median_cost() const {
  std::vector<double> positive;
  for (const auto& [s, c] : costs_) {
    if (c > 0.0) positive.push_back(c);
  }
  if (positive.empty()) return 0.0;
  const auto mid = positive.begin() + static_cast<std::ptrdiff_t>(positive.size() / 2);
  std::nth_element(positive.begin(), mid, positive.end());
  return *mid;
}

Eigen::MatrixXd ModelQLearning::at_top_fidelity(Eigen::MatrixXd features) const {
  features.col(fidelity_column_).setConstant(top_feature_);
  return features;
}

StateId ModelQLearning::incumbent(const model::GaussianProcess& gp) const {
  const auto means = measured_means(gp);
  if (means.empty()) {  // nothing succeeded yet: the measured state with the lowest id
    StateId lowest = space_.size();
    for (const auto& [s, c] : counts_) lowest = std::min(lowest, s);
    return lowest;
  }
  return lowest(means).first;
}

std::optional<StateId> ModelQLearning::recommend() const {
  if (succeeded_.empty()) return std::nullopt;
  const model::GaussianProcess gp = model_.posterior_without_refit();
  if (space_.fidelity()) {  // the best measured top-level configuration, once there is one
    auto means = measured_means(gp);
    std::erase_if(means, [this](const auto& m) { return !top_fidelity(m.first); });
    if (!means.empty()) return lowest(means).first;
  }
  return incumbent(gp);
}

std::vector<Belief> ModelQLearning::beliefs(std::span<const StateId> states) const {
  if (model_.measurements().empty()) return {};
  std::vector<Belief> out;
  for (const auto& [mean, sd] : model_.predict_losses(states)) out.push_back({mean, sd});
  return out;
}

std::vector<QRow> ModelQLearning::q_table() const {
  if (!window_) return {};
  std::vector<StateId> states;
  for (const auto& [s, c] : counts_) states.push_back(s);
  for (const Trajectory& tr : trajectories_) {
    if (tr.current && !counts_.contains(*tr.current)) states.push_back(*tr.current);
  }
  std::sort(states.begin(), states.end());
  std::vector<QRow> rows;
  for (StateId s : states) {
    QRow row{s, std::vector<double>(moves_.count())};
    for (space::Action a = 0; a < moves_.count(); ++a) row.q[a] = planned_value(moves_.apply(s, a));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string ModelQLearning::snapshot() const {
  base::ByteWriter out;
  out.u32(kModelSnapshotVersion);
  rng_.save(out);
  out.u64(model_.measurements().size());
  for (const model::Measurement& m : model_.measurements()) {
    out.u64(m.state);
    out.opt_f64(m.loss);
  }
  const Eigen::VectorXd& theta = model_.theta();
  out.f64s(std::span<const double>(theta.data(), static_cast<std::size_t>(theta.size())));
  out.u64(model_.fitted_rows());
  out.u32(starts_given_);
  out.f64(epsilon_);
  out.opt_f64(best_loss_);
  out.u32(static_cast<std::uint32_t>(trajectories_.size()));
  for (const Trajectory& tr : trajectories_) {
    out.opt_u64(tr.current);
    out.opt_u64(tr.pending ? std::optional<StateId>(tr.pending->state) : std::nullopt);
    out.flag(tr.pending && tr.pending->remeasure);
    out.u32(tr.paid_since_best);
  }
  out.opt_u64(plan_centre_);
  out.f64s(v_);
  out.f64s(w_);
  out.u64(costs_.size());
  for (const auto& [state, cost] : costs_) {
    out.u64(state);
    out.f64(cost);
  }
  const Eigen::VectorXd& cost_theta = cost_model_.theta();
  out.f64s(std::span<const double>(cost_theta.data(), static_cast<std::size_t>(cost_theta.size())));
  out.u64(cost_model_.fitted_rows());
  portfolio_rng_.save(out);
  portfolio_.save(out);
  for (const Trajectory& tr : trajectories_) out.opt_u32(tr.rule);
  out.u64(imported_.size());
  for (const StateId state : imported_) out.u64(state);
  return out.take();
}

base::Status ModelQLearning::restore(std::string_view snapshot) {
  base::ByteReader in(snapshot, kSnapshotName);
  QTUNE_ASSIGN_OR_RETURN(const std::uint32_t version, in.u32());
  if (version < 1 || version > kModelSnapshotVersion) {
    return base::Status::corrupt(std::string(kSnapshotName) + ": version " +
                                 std::to_string(version) + "; this build reads version " +
                                 std::to_string(kModelSnapshotVersion));
  }
  Rng rng(0);
  QTUNE_RETURN_IF_ERROR(rng.load(in));
  QTUNE_ASSIGN_OR_RETURN(const std::uint64_t count, in.u64());
  if (count > in.remaining())
    return base::Status::corrupt(std::string(kSnapshotName) + ": truncated measurements");
  std::vector<model::Measurement> measurements;
  for (std::uint64_t i = 0; i < count; ++i) {
    model::Measurement m;
    QTUNE_ASSIGN_OR_RETURN(m.state, in.u64());
    QTUNE_ASSIGN_OR_RETURN(m.loss, in.opt_f64());
    if (m.state >= space_.size())
      return base::Status::corrupt(std::string(kSnapshotName) + ": state " +
                                   std::to_string(m.state) + " outside the grid of " +
                                   std::to_string(space_.size()));
    measurements.push_back(m);
  }
  QTUNE_ASSIGN_OR_RETURN(const std::vector<double> theta, in.f64s());
  if (theta.size() != space_.dims() + 2)
    return base::Status::corrupt(
        std::string(kSnapshotName) + ": " + std::to_string(theta.size()) +
        " hyperparameters; expected d + 2 = " + std::to_string(space_.dims() + 2));
  QTUNE_ASSIGN_OR_RETURN(const std::uint64_t fitted_rows, in.u64());
  QTUNE_ASSIGN_OR_RETURN(const std::uint32_t starts_given, in.u32());
  QTUNE_ASSIGN_OR_RETURN(const double epsilon, in.f64());
  QTUNE_ASSIGN_OR_RETURN(const std::optional<double> best_loss, in.opt_f64());
  QTUNE_ASSIGN_OR_RETURN(const std::uint32_t k, in.u32());
  if (k != trajectories_.size())
    return base::Status::corrupt(std::string(kSnapshotName) + ": " + std::to_string(k) +
                                 " trajectories; this strategy has " +
                                 std::to_string(trajectories_.size()));
  std::vector<Trajectory> trajectories(k);
  for (std::uint32_t t = 0; t < k; ++t) {
    QTUNE_ASSIGN_OR_RETURN(const std::optional<std::uint64_t> current, in.opt_u64());
    QTUNE_ASSIGN_OR_RETURN(const std::optional<std::uint64_t> pending, in.opt_u64());
    QTUNE_ASSIGN_OR_RETURN(const bool remeasure, in.flag());
    QTUNE_ASSIGN_OR_RETURN(trajectories[t].paid_since_best, in.u32());
    if (current.value_or(0) >= space_.size() || pending.value_or(0) >= space_.size())
      return base::Status::corrupt(std::string(kSnapshotName) + ": trajectory " +
                                   std::to_string(t) + " outside the grid");
    trajectories[t].current = current;
    if (pending) trajectories[t].pending = Proposal{*pending, t, remeasure};
  }
  QTUNE_ASSIGN_OR_RETURN(const std::optional<std::uint64_t> centre, in.opt_u64());
  QTUNE_ASSIGN_OR_RETURN(std::vector<double> v, in.f64s());
  QTUNE_ASSIGN_OR_RETURN(std::vector<double> w, in.f64s());
  std::vector<std::pair<StateId, double>> costs;
  std::vector<double> cost_theta;
  std::uint64_t cost_fitted_rows = 0;
  if (version >= 2) {
    QTUNE_ASSIGN_OR_RETURN(const std::uint64_t cost_count, in.u64());
    if (cost_count > in.remaining())
      return base::Status::corrupt(std::string(kSnapshotName) + ": truncated costs");
    for (std::uint64_t i = 0; i < cost_count; ++i) {
      QTUNE_ASSIGN_OR_RETURN(const std::uint64_t state, in.u64());
      QTUNE_ASSIGN_OR_RETURN(const double cost, in.f64());
      if (state >= space_.size() || !std::isfinite(cost) || cost < 0.0)
        return base::Status::corrupt(std::string(kSnapshotName) + ": cost " + std::to_string(i) +
                                     " is not one of this grid's");
      costs.emplace_back(state, cost);
    }
    QTUNE_ASSIGN_OR_RETURN(cost_theta, in.f64s());
    QTUNE_ASSIGN_OR_RETURN(cost_fitted_rows, in.u64());
    if (cost_theta.size() != space_.dims() + 2)
      return base::Status::corrupt(std::string(kSnapshotName) + ": " +
                                   std::to_string(cost_theta.size()) +
                                   " cost hyperparameters; expected d + 2");
  }
  // An older snapshot keeps this strategy's own fresh portfolio and stream.
  Rng portfolio_rng = portfolio_rng_;
  model::ProposalPortfolio portfolio = portfolio_;
  if (version >= 3) {
    QTUNE_RETURN_IF_ERROR(portfolio_rng.load(in));
    QTUNE_RETURN_IF_ERROR(portfolio.load(in));
    for (std::uint32_t t = 0; t < k; ++t) {
      QTUNE_ASSIGN_OR_RETURN(trajectories[t].rule, in.opt_u32());
      if (trajectories[t].rule && *trajectories[t].rule >= portfolio.rules())
        return base::Status::corrupt(std::string(kSnapshotName) + ": trajectory " +
                                     std::to_string(t) + " names a rule outside the portfolio");
    }
  }
  std::set<StateId> imported;
  if (version >= 4) {
    QTUNE_ASSIGN_OR_RETURN(const std::uint64_t imported_count, in.u64());
    if (imported_count > in.remaining())
      return base::Status::corrupt(std::string(kSnapshotName) + ": truncated imported states");
    for (std::uint64_t i = 0; i < imported_count; ++i) {
      QTUNE_ASSIGN_OR_RETURN(const std::uint64_t state, in.u64());
      if (state >= space_.size())
        return base::Status::corrupt(std::string(kSnapshotName) + ": imported state " +
                                     std::to_string(state) + " outside the grid");
      imported.insert(state);
    }
  }
  QTUNE_RETURN_IF_ERROR(in.expect_end());
  std::optional<model::PlanningWindow> window;
  if (centre) {
    if (*centre >= space_.size())
      return base::Status::corrupt(std::string(kSnapshotName) + ": plan centre outside the grid");
    window.emplace(space_, *centre, config_.model.window_states);
    if (v.size() != window->size() || w.size() != window->size())
      return base::Status::corrupt(std::string(kSnapshotName) + ": plan of " +
                                   std::to_string(v.size()) + " states; its window has " +
                                   std::to_string(window->size()));
  }

  rng_ = rng;
  portfolio_rng_ = portfolio_rng;
  portfolio_ = std::move(portfolio);
  model_.restore_measurements(std::move(measurements));
  model_.restore_fit(
      Eigen::Map<const Eigen::VectorXd>(theta.data(), static_cast<Eigen::Index>(theta.size())),
      fitted_rows);
  starts_given_ = starts_given;
  epsilon_ = epsilon;
  best_loss_ = best_loss;
  trajectories_ = std::move(trajectories);
  imported_ = std::move(imported);
  plan_centre_ = centre;
  window_ = std::move(window);
  if (window_) window_features_ = window_->features();
  v_ = std::move(v);
  w_ = std::move(w);
  cost_model_ = model::RewardModel(space_, std::nullopt);
  costs_.clear();
  spent_ = 0.0;
  for (const auto& [state, cost] : costs) record_cost(state, cost);
  if (!cost_theta.empty()) {
    cost_model_.restore_fit(Eigen::Map<const Eigen::VectorXd>(
                                cost_theta.data(), static_cast<Eigen::Index>(cost_theta.size())),
                            cost_fitted_rows);
  }
  rebuild_derived();
  return base::Status::ok();
}

void ModelQLearning::rebuild_derived() {
  counts_.clear();
  succeeded_.clear();
  pending_.clear();
  for (const model::Measurement& m : model_.measurements()) {
    ++counts_[m.state];
    if (m.loss) succeeded_.insert(m.state);
  }
  for (const Trajectory& tr : trajectories_) {
    if (tr.pending && !tr.pending->remeasure) pending_.insert(tr.pending->state);
  }
}

}  // namespace

base::Result<std::unique_ptr<Strategy>> make_model_q_learning(const space::Space& space,
                                                              const StrategyConfig& config,
                                                              std::uint64_t seed) {
  QTUNE_RETURN_IF_ERROR(validate_strategy_config(config, space));
  return std::unique_ptr<Strategy>(new ModelQLearning(space, config, seed));
}

}  // namespace qtune::agent
