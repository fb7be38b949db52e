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
                     const Eigen::VectorXd& theta, Eigen::VectorXd* gradient,
                     std::span<const Eigen::Index> column_dims) {
  const Eigen::Index d = theta.size() - 2;
  const Eigen::Index n = x.rows();
  const Eigen::VectorXd deviation =
      ((theta - prior_theta(d)).array() / prior_sd(d).array()).matrix();
  const Eigen::VectorXd ls = column_lengthscales(theta, column_dims, x.cols());
  const double sf2 = std::exp(theta[signal_index(d)]);
  const double sn2 = std::exp(theta[noise_index(d)]);
  // One pass over the pairs gives K and the radial factor of ∂K/∂log ℓ_k (this is the hot
  // loop of the fit, so it shares the exponential).
  const Eigen::ArrayXXd sqrt5_r = (5.0 * scaled_sq_distances(x, x, ls).array()).sqrt();
  const Eigen::ArrayXXd decay = (-sqrt5_r).exp();
  Eigen::MatrixXd k = (sf2 * (1.0 + sqrt5_r + sqrt5_r.square() / 3.0) * decay).matrix();
  k.diagonal().array() += sn2 + kJitter;
  const Eigen::LLT<Eigen::MatrixXd> llt(k);
  if (llt.info() != Eigen::Success) return std::numeric_limits<double>::infinity();
  const Eigen::VectorXd alpha = llt.solve(z);
  const double value = 0.5 * z.dot(alpha) + llt.matrixLLT().diagonal().array().log().sum() +
                       0.5 * deviation.squaredNorm();
  if (gradient == nullptr) return value;

  // A = ααᵀ − K⁻¹; ∂f/∂θ_j = −½ Σ_ij A_ij ∂K_ij/∂θ_j + prior term.
  const Eigen::MatrixXd a = alpha * alpha.transpose() - llt.solve(Eigen::MatrixXd::Identity(n, n));
  gradient->setZero(theta_size(d));
  // ∂K_ij/∂log ℓ_k = σf² (5/3)(1 + √5 r) e^{−√5 r} (Δx_k/ℓ_k)². With B = A ∘ radial (symmetric),
  // Σ_ij B_ij (x_ik − x_jk)² = 2 Σ_i x_ik² (B1)_i − 2 x_kᵀ B x_k.
  const Eigen::MatrixXd b = (a.array() * (sf2 * (5.0 / 3.0) * (1.0 + sqrt5_r) * decay)).matrix();
  const Eigen::VectorXd row_sums = b.rowwise().sum();
  // A dimension's columns share its ℓ: their terms add up.
  for (Eigen::Index c = 0; c < x.cols(); ++c) {
    const Eigen::VectorXd xk = x.col(c);
    const double sum = 2.0 * xk.array().square().matrix().dot(row_sums) - 2.0 * xk.dot(b * xk);
    const Eigen::Index j = column_dims.empty() ? c : column_dims[static_cast<std::size_t>(c)];
    (*gradient)[j] += -0.5 * sum / (ls[c] * ls[c]);
  }
  // ∂K/∂log σf² = K without its noise diagonal; ∂K/∂log σn² = σn² I.
  k.diagonal().array() -= sn2 + kJitter;
  (*gradient)[signal_index(d)] = -0.5 * (a.array() * k.array()).sum();
  (*gradient)[noise_index(d)] = -0.5 * sn2 * a.trace();
  *gradient += (deviation.array() / prior_sd(d).array()).matrix();
  return value;
}

Eigen::VectorXd fit_hyperparameters(const Eigen::MatrixXd& x, const Eigen::VectorXd& z,
                                    const Eigen::VectorXd& warm, int max_iterations,
                                    bool also_from_prior,
                                    std::span<const Eigen::Index> column_dims) {
  const Eigen::Index d = warm.size() - 2;
  const Objective objective = [&](const Eigen::VectorXd& theta, Eigen::VectorXd* gradient) {
    return map_objective(x, z, theta, gradient, column_dims);
  };
  const Eigen::VectorXd lo = lower_bounds(d);
  const Eigen::VectorXd hi = upper_bounds(d);
  const BoxMinimum from_warm = minimise_in_box(objective, warm, lo, hi, max_iterations);
  if (!also_from_prior) return from_warm.x;
  const BoxMinimum from_prior = minimise_in_box(objective, prior_theta(d), lo, hi, max_iterations);
  return from_prior.value < from_warm.value ? from_prior.x : from_warm.x;
}

}  // namespace qtune::agent::model
