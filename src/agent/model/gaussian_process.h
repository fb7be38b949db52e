// GaussianProcess: the reward model of model-based q-learning. A zero-mean GP on
// standardised losses z with the Matérn-5/2 ARD kernel and Gaussian noise:
//
//   K = k(X, X) + (σn² + 1e-8) I,   α = K⁻¹ z,   μ(s) = k_sᵀ α,   σ²(s) = σf² − ‖L⁻¹ k_s‖²
//
// Hyperparameters travel as one vector θ = (log ℓ_1..ℓ_d, log σf², log σn²), one ℓ per
// dimension of the grid, shared by a dimension's feature columns. Several rows
// may share a point (re-measurements): the noise term keeps K positive definite.
// Immutable after fit(); safe to share between threads.
#pragma once

#include <Eigen/Dense>
#include <span>

#include "qtune/base/result.h"

namespace qtune::agent::model {

// Where each hyperparameter sits in θ for d feature dimensions.
inline Eigen::Index theta_size(Eigen::Index dims) { return dims + 2; }
inline Eigen::Index signal_index(Eigen::Index dims) { return dims; }
inline Eigen::Index noise_index(Eigen::Index dims) { return dims + 1; }

// The lengthscale of each of `columns` feature columns: ℓ of the dimension it belongs to
// (`column_dims`, see feature_dimensions in planning_window.h; empty: column k is
// dimension k). θ holds one ℓ per dimension, so a one-hot categorical dimension has one.
Eigen::VectorXd column_lengthscales(const Eigen::VectorXd& theta,
                                    std::span<const Eigen::Index> column_dims,
                                    Eigen::Index columns);

// Added to the diagonal on top of σn² so that Cholesky never sees a singular K.
inline constexpr double kJitter = 1e-8;

class GaussianProcess {
 public:
  // `x`: n feature rows, `z`: n targets, `theta`: d+2 values, `column_dims`: the dimension
  // of each column of x (empty: x has d columns). kInternal if K is not positive definite
  // (only possible with a non-finite θ or x).
  static base::Result<GaussianProcess> fit(Eigen::MatrixXd x, Eigen::VectorXd z,
                                           const Eigen::VectorXd& theta,
                                           std::span<const Eigen::Index> column_dims = {});

  // Posterior mean and variance (clamped at 0) at the rows of `query`.
  void predict(const Eigen::MatrixXd& query, Eigen::Ref<Eigen::VectorXd> mean,
               Eigen::Ref<Eigen::VectorXd> variance) const;

  // ½ zᵀK⁻¹z + Σ log L_ii: the negative log marginal likelihood without its constant.
  double neg_log_likelihood() const;
  double noise_var() const { return noise_var_; }
  const Eigen::MatrixXd& x() const { return x_; }
  const Eigen::VectorXd& alpha() const { return alpha_; }
  const Eigen::LLT<Eigen::MatrixXd>& cholesky() const { return llt_; }
  const Eigen::VectorXd& lengthscales() const { return lengthscales_; }
  double signal_var() const { return signal_var_; }

 private:
  GaussianProcess() = default;
  Eigen::MatrixXd x_;
  Eigen::VectorXd z_;
  Eigen::VectorXd lengthscales_;
  double signal_var_ = 1.0;
  double noise_var_ = 1e-3;
  Eigen::LLT<Eigen::MatrixXd> llt_;
  Eigen::VectorXd alpha_;
};

}  // namespace qtune::agent::model
