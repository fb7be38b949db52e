#include "agent/model/gaussian_process.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "agent/model/kernel.h"

namespace qtune::agent::model {
namespace {
// Queries are predicted in blocks so that the cross-covariance stays small in memory.
constexpr Eigen::Index kPredictBlock = 2048;
}  // namespace

Eigen::VectorXd column_lengthscales(const Eigen::VectorXd& theta,
                                    std::span<const Eigen::Index> column_dims,
                                    Eigen::Index columns) {
  const Eigen::Index d = theta.size() - 2;
  if (column_dims.empty()) {
    QTUNE_CHECK(columns == d);
    return theta.head(d).array().exp();
  }
  QTUNE_CHECK(static_cast<Eigen::Index>(column_dims.size()) == columns);
  Eigen::VectorXd out(columns);
  for (Eigen::Index c = 0; c < columns; ++c) {
    const Eigen::Index k = column_dims[static_cast<std::size_t>(c)];
    QTUNE_CHECK(k >= 0 && k < d);
    out[c] = std::exp(theta[k]);
  }
  return out;
}

base::Result<GaussianProcess> GaussianProcess::fit(Eigen::MatrixXd x, Eigen::VectorXd z,
                                                   const Eigen::VectorXd& theta,
                                                   std::span<const Eigen::Index> column_dims) {
  const Eigen::Index d = theta.size() - 2;
  QTUNE_CHECK(d >= 0 && z.size() == x.rows());
  GaussianProcess gp;
  gp.lengthscales_ = column_lengthscales(theta, column_dims, x.cols());
  gp.signal_var_ = std::exp(theta[signal_index(d)]);
  gp.noise_var_ = std::exp(theta[noise_index(d)]);
  Eigen::MatrixXd k = matern52_matrix(x, x, gp.lengthscales_, gp.signal_var_);
  k.diagonal().array() += gp.noise_var_ + kJitter;
  gp.llt_.compute(k);
  if (gp.llt_.info() != Eigen::Success) {
    return base::Status::internal(
        "gaussian process: covariance matrix is not positive definite; the hyperparameters and "
        "features must be finite");
  }
  gp.alpha_ = gp.llt_.solve(z);
  gp.x_ = std::move(x);
  gp.z_ = std::move(z);
  return gp;
}

void GaussianProcess::predict(const Eigen::MatrixXd& query, Eigen::Ref<Eigen::VectorXd> mean,
                              Eigen::Ref<Eigen::VectorXd> variance) const {
  QTUNE_CHECK(mean.size() == query.rows() && variance.size() == query.rows());
  for (Eigen::Index start = 0; start < query.rows(); start += kPredictBlock) {
    const Eigen::Index m = std::min(kPredictBlock, query.rows() - start);
    const Eigen::MatrixXd ks =
        matern52_matrix(x_, query.middleRows(start, m), lengthscales_, signal_var_);  // n×m
    mean.segment(start, m) = ks.transpose() * alpha_;
    const Eigen::MatrixXd v = llt_.matrixL().solve(ks);
    variance.segment(start, m) =
        (signal_var_ - v.colwise().squaredNorm().array()).cwiseMax(0.0).transpose();
  }
}

double GaussianProcess::neg_log_likelihood() const {
  const Eigen::MatrixXd& l = llt_.matrixLLT();
  return 0.5 * z_.dot(alpha_) + l.diagonal().array().log().sum();
}

}  // namespace qtune::agent::model
