// The reward model's hyperparameters θ = (log ℓ_1..ℓ_d, log σf², log σn²) at their MAP
// value given standardised losses z at features x:
//
//   minimise  ½ zᵀK⁻¹z + Σ log L_ii + Σ_j ½ ((θ_j − m_j)/s_j)²
//
// priors m = (log 0.5 per ℓ, 0, log 1e-3), s = (1 per ℓ, 1, 3); bounds ℓ, σf² in [0.05, 20],
// σn² in [1e-6, 1]. The gradient is analytic: with α = K⁻¹z and A = ααᵀ − K⁻¹,
// ∂/∂θ_j = −½ Σ_ij A_ij ∂K_ij/∂θ_j + (θ_j − m_j)/s_j².
#pragma once

#include <Eigen/Dense>
#include <span>

namespace qtune::agent::model {

// The prior mean of θ for d dimensions: the cold start of the fit.
Eigen::VectorXd prior_theta(Eigen::Index dims);

// The MAP objective at θ; writes its gradient when `gradient` is not null. +infinity where
// K is not positive definite. `column_dims`: the dimension of each column of x (empty: x
// has one column per dimension; see column_lengthscales).
double map_objective(const Eigen::MatrixXd& x, const Eigen::VectorXd& z,
                     const Eigen::VectorXd& theta, Eigen::VectorXd* gradient,
                     std::span<const Eigen::Index> column_dims = {});

// Minimises map_objective within the bounds from `warm` and, if `also_from_prior`, from the
// prior mean too (at most `max_iterations` quasi-Newton steps each); returns the best θ.
Eigen::VectorXd fit_hyperparameters(const Eigen::MatrixXd& x, const Eigen::VectorXd& z,
                                    const Eigen::VectorXd& warm, int max_iterations,
                                    bool also_from_prior,
                                    std::span<const Eigen::Index> column_dims = {});

}  // namespace qtune::agent::model
