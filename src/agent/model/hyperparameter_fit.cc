#include "agent/model/hyperparameter_fit.h"

#include <cmath>
#include <limits>

#include "agent/model/box_minimiser.h"
#include "agent/model/gaussian_process.h"
#include "agent/model/kernel.h"

namespace qtune::agent::model {
namespace {

constexpr double kLengthscalePriorMean = 0.5;
constexpr double kNoisePriorMean = 1e-3;
constexpr double kLengthscalePriorSd = 1.0;
constexpr double kSignalPriorSd = 1.0;
constexpr double kNoisePriorSd = 3.0;

Eigen::VectorXd prior_sd(Eigen::Index d) {
  Eigen::VectorXd s = Eigen::VectorXd::Constant(theta_size(d), kLengthscalePriorSd);
  s[signal_index(d)] = kSignalPriorSd;
  s[noise_index(d)] = kNoisePriorSd;
  return s;
}

Eigen::VectorXd lower_bounds(Eigen::Index d) {
  Eigen::VectorXd b = Eigen::VectorXd::Constant(theta_size(d), std::log(0.05));
  b[noise_index(d)] = std::log(1e-6);
  return b;
}

Eigen::VectorXd upper_bounds(Eigen::Index d) {
  Eigen::VectorXd b = Eigen::VectorXd::Constant(theta_size(d), std::log(20.0));
  b[noise_index(d)] = 0.0;
  return b;
}

}  // namespace

Eigen::VectorXd prior_theta(Eigen::Index dims) {
  Eigen::VectorXd m = Eigen::VectorXd::Constant(theta_size(dims), std::log(kLengthscalePriorMean));
  m[signal_index(dims)] = 0.0;
  m[noise_index(dims)] = std::log(kNoisePriorMean);
  return m;
}

double map_objective(const Eigen::MatrixXd& x, const Eigen::VectorXd& z,
                     const Eigen::VectorXd& theta, Eigen::VectorXd* gradient) {
  const Eigen::Index d = x.cols();
  const Eigen::VectorXd m = prior_theta(d);
  const Eigen::VectorXd s = prior_sd(d);
  const Eigen::VectorXd deviation = ((theta - m).array() / s.array()).matrix();
  auto gp = GaussianProcess::fit(x, z, theta);
  if (!gp.is_ok()) return std::numeric_limits<double>::infinity();
  const double value = gp->neg_log_likelihood() + 0.5 * deviation.squaredNorm();
  if (gradient == nullptr) return value;

  const Eigen::Index n = x.rows();
  const Eigen::VectorXd& alpha = gp->alpha();
  const Eigen::MatrixXd a =
      alpha * alpha.transpose() - gp->cholesky().solve(Eigen::MatrixXd::Identity(n, n));
  const Eigen::VectorXd& ls = gp->lengthscales();
  const double sf2 = gp->signal_var();
  const Eigen::MatrixXd r2 = scaled_sq_distances(x, x, ls);
  gradient->setZero(theta_size(d));
  // ∂k/∂log ℓ_k = σf² (5/3)(1 + √5 r) e^{−√5 r} (Δx_k/ℓ_k)²  and  ∂k/∂log σf² = k.
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const double sqrt5_r = std::sqrt(5.0 * r2(i, j));
      const double radial = sf2 * (5.0 / 3.0) * (1.0 + sqrt5_r) * std::exp(-sqrt5_r);
      for (Eigen::Index k = 0; k < d; ++k) {
        const double delta = (x(i, k) - x(j, k)) / ls[k];
        (*gradient)[k] += a(i, j) * radial * delta * delta;
      }
      (*gradient)[signal_index(d)] += a(i, j) * matern52(r2(i, j), sf2);
    }
  }
  (*gradient)[noise_index(d)] = gp->noise_var() * a.trace();
  *gradient *= -0.5;
  *gradient += (deviation.array() / s.array()).matrix();
  return value;
}

Eigen::VectorXd fit_hyperparameters(const Eigen::MatrixXd& x, const Eigen::VectorXd& z,
                                    const Eigen::VectorXd& warm, int max_iterations) {
  const Eigen::Index d = x.cols();
  const Objective objective = [&](const Eigen::VectorXd& theta, Eigen::VectorXd* gradient) {
    return map_objective(x, z, theta, gradient);
  };
  const Eigen::VectorXd lo = lower_bounds(d);
  const Eigen::VectorXd hi = upper_bounds(d);
  const BoxMinimum from_warm = minimise_in_box(objective, warm, lo, hi, max_iterations);
  const BoxMinimum from_prior = minimise_in_box(objective, prior_theta(d), lo, hi, max_iterations);
  return from_prior.value < from_warm.value ? from_prior.x : from_warm.x;
}

}  // namespace qtune::agent::model
