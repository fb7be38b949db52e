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

base::Result<GaussianProcess> GaussianProcess::fit(Eigen::MatrixXd x, Eigen::VectorXd z,
                                                   const Eigen::VectorXd& theta) {
  const Eigen::Index d = x.cols();
  QTUNE_CHECK(theta.size() == theta_size(d) && z.size() == x.rows());
  GaussianProcess gp;
  gp.lengthscales_ = theta.head(d).array().exp();
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
