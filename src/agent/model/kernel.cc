#include "agent/model/kernel.h"

#include <algorithm>
#include <cmath>

namespace qtune::agent::model {

double matern52(double r2, double signal_var) {
  const double sqrt5_r = std::sqrt(5.0 * std::max(r2, 0.0));
  return signal_var * (1.0 + sqrt5_r + sqrt5_r * sqrt5_r / 3.0) * std::exp(-sqrt5_r);
}

Eigen::MatrixXd scaled_sq_distances(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                                    const Eigen::VectorXd& lengthscales) {
  const Eigen::RowVectorXd inv = lengthscales.cwiseInverse().transpose();
  const Eigen::MatrixXd as = a.array().rowwise() * inv.array();
  const Eigen::MatrixXd bs = b.array().rowwise() * inv.array();
  // |a|² + |b|² − 2abᵀ through one matrix product; rounding can make it slightly negative.
  Eigen::MatrixXd r2 = -2.0 * as * bs.transpose();
  r2.colwise() += as.rowwise().squaredNorm();
  r2.rowwise() += bs.rowwise().squaredNorm().transpose();
  return r2.cwiseMax(0.0);
}

Eigen::MatrixXd matern52_matrix(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                                const Eigen::VectorXd& lengthscales, double signal_var) {
  return scaled_sq_distances(a, b, lengthscales).unaryExpr([signal_var](double r2) {
    return matern52(r2, signal_var);
  });
}

}  // namespace qtune::agent::model
