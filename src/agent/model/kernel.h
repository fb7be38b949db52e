// The Matérn-5/2 kernel with automatic relevance determination (one lengthscale per
// feature column; a categorical dimension's one-hot columns share one, see
// planning_window.h): the covariance of the reward model over grid features in [0, 1].
//
//   r² = Σ_k (x_k − x'_k)² / ℓ_k²,   k(x, x') = σf² (1 + √5 r + 5r²/3) exp(−√5 r)
//
// Points are the rows of the matrices. Pure functions; no errors.
#pragma once

#include <Eigen/Dense>

namespace qtune::agent::model {

// k as a function of the squared scaled distance r².
double matern52(double r2, double signal_var);

// r²_ij between row i of `a` and row j of `b`.
Eigen::MatrixXd scaled_sq_distances(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                                    const Eigen::VectorXd& lengthscales);

// k(a_i, b_j) for every pair of rows.
Eigen::MatrixXd matern52_matrix(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                                const Eigen::VectorXd& lengthscales, double signal_var);

}  // namespace qtune::agent::model
