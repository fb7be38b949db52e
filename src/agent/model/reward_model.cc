#include "agent/model/reward_model.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

#include "agent/model/hyperparameter_fit.h"
#include "agent/model/planning_window.h"

namespace qtune::agent::model {
namespace {

constexpr std::size_t kAlwaysColdStartBelow = 40;
constexpr std::size_t kColdStartEvery = 5;

std::vector<space::StateId> states_of(const std::vector<Measurement>& measurements) {
  std::vector<space::StateId> states;
  states.reserve(measurements.size());
  for (const Measurement& m : measurements) states.push_back(m.state);
  return states;
}

GaussianProcess fit_or_die(Eigen::MatrixXd x, Eigen::VectorXd z, const Eigen::VectorXd& theta,
                           std::span<const Eigen::Index> column_dims) {
  auto gp = GaussianProcess::fit(std::move(x), std::move(z), theta, column_dims);
  // θ is bounded and the features lie in [0, 1]: K is always positive definite here.
  QTUNE_CHECK(gp.is_ok());
  return std::move(gp).value();
}

}  // namespace

RewardModel::RewardModel(const space::Space& space, std::optional<double> failure_penalty)
    : space_(&space),
      failure_penalty_(failure_penalty),
      column_dims_(feature_dimensions(space)),
      theta_(prior_theta(static_cast<Eigen::Index>(space.dims()))) {}

Eigen::VectorXd RewardModel::losses() const {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  int successes = 0;
  for (const Measurement& m : measurements_) {
    if (!m.loss) continue;
    lo = std::min(lo, *m.loss);
    hi = std::max(hi, *m.loss);
    ++successes;
  }
  const double penalty = failure_penalty_ ? *failure_penalty_
                         : successes >= 2 ? hi + (hi - lo)
                         : successes == 1 ? hi + 1.0
                                          : 1.0;
  const auto n = static_cast<Eigen::Index>(measurements_.size());
  Eigen::VectorXd y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    y[i] = measurements_[static_cast<std::size_t>(i)].loss.value_or(penalty);
  }
  return y;
}

Eigen::VectorXd RewardModel::standardised_losses() const {
  const Eigen::VectorXd y = losses();
  const double mean = y.mean();
  const double sd = std::sqrt((y.array() - mean).square().mean());
  return (y.array() - mean) / (sd > 0.0 ? sd : 1.0);
}

void RewardModel::update(std::span<const space::StateId> pending, int fit_iterations) {
  QTUNE_CHECK(!measurements_.empty());
  Eigen::MatrixXd x = state_features(*space_, states_of(measurements_));
  Eigen::VectorXd z = standardised_losses();
  if (fitted_rows_ != measurements_.size()) {
    // The second start, from the prior, guards against a warm start stuck in a poor local
    // optimum; once the data are many it is taken every kColdStartEvery measurements only.
    const std::size_t n = measurements_.size();
    const bool cold = n <= kAlwaysColdStartBelow || n % kColdStartEvery == 0;
    theta_ = fit_hyperparameters(x, z, theta_, fit_iterations, cold, column_dims_);
    fitted_rows_ = measurements_.size();
  }
  posterior_ = fit_or_die(x, z, theta_, column_dims_);
  if (pending.empty()) return;
  const Eigen::MatrixXd xp = state_features(*space_, pending);
  Eigen::VectorXd believed(xp.rows()), var(xp.rows());
  posterior_->predict(xp, believed, var);
  Eigen::MatrixXd x_all(x.rows() + xp.rows(), x.cols());
  x_all << x, xp;
  Eigen::VectorXd z_all(z.size() + believed.size());
  z_all << z, believed;
  posterior_ = fit_or_die(std::move(x_all), std::move(z_all), theta_, column_dims_);
}

GaussianProcess RewardModel::posterior_without_refit() const {
  return fit_or_die(state_features(*space_, states_of(measurements_)), standardised_losses(),
                    theta_, column_dims_);
}

std::vector<std::pair<double, double>> RewardModel::predict_losses(
    std::span<const space::StateId> states) const {
  QTUNE_CHECK(!measurements_.empty());
  const Eigen::VectorXd y = losses();
  const double mean = y.mean();
  double sd = std::sqrt((y.array() - mean).square().mean());
  if (!(sd > 0.0)) sd = 1.0;
  const GaussianProcess gp = posterior_without_refit();
  const Eigen::MatrixXd x = state_features(*space_, states);
  Eigen::VectorXd m(x.rows()), var(x.rows());
  gp.predict(x, m, var);
  std::vector<std::pair<double, double>> out;
  for (Eigen::Index i = 0; i < x.rows(); ++i)
    out.emplace_back(mean + sd * m[i], sd * std::sqrt(std::max(var[i], 0.0)));
  return out;
}

Eigen::VectorXd RewardModel::predict_mean_losses(const Eigen::MatrixXd& x) const {
  QTUNE_CHECK(posterior_.has_value());
  const Eigen::VectorXd y = losses();
  const double mean = y.mean();
  double sd = std::sqrt((y.array() - mean).square().mean());
  if (!(sd > 0.0)) sd = 1.0;
  Eigen::VectorXd m(x.rows()), var(x.rows());
  posterior_->predict(x, m, var);
  return (mean + sd * m.array()).matrix();
}

std::optional<double> RewardModel::replicate_noise_sd() const {
  std::map<space::StateId, std::vector<double>> by_state;  // ordered: a fixed summation order
  for (const Measurement& m : measurements_) {
    if (m.loss) by_state[m.state].push_back(*m.loss);
  }
  double squares = 0.0;
  std::size_t freedom = 0;
  for (const auto& [state, values] : by_state) {
    if (values.size() < 2) continue;
    double mean = 0.0;
    for (double v : values) mean += v;
    mean /= static_cast<double>(values.size());
    for (double v : values) squares += (v - mean) * (v - mean);
    freedom += values.size() - 1;
  }
  if (freedom == 0) return std::nullopt;
  const Eigen::VectorXd y = losses();
  const double mean = y.mean();
  const double sd = std::sqrt((y.array() - mean).square().mean());
  return std::sqrt(squares / static_cast<double>(freedom)) / (sd > 0.0 ? sd : 1.0);
}

double RewardModel::noise_sd() const {
  return std::sqrt(std::exp(theta_[noise_index(theta_.size() - 2)]));
}

void RewardModel::restore_fit(Eigen::VectorXd theta, std::size_t fitted_rows) {
  theta_ = std::move(theta);
  fitted_rows_ = fitted_rows;
  posterior_.reset();
}

}  // namespace qtune::agent::model
