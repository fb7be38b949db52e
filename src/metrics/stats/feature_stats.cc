#include "qtune/metrics/feature_stats.h"

#include <cblas.h>
#include <fmt/format.h>

#include <cmath>
#include <string>

#include "metrics/stats/dense.h"

namespace qtune::metrics {

base::Status validate_features(const Features& features, std::string_view where) {
  if (features.dims == 0) {
    return base::Status::invalid_argument(
        fmt::format("{}: features have 0 dims; expected 64, 192, 768 or 2048 columns", where));
  }
  if (features.values.size() != features.count * features.dims) {
    return base::Status::invalid_argument(
        fmt::format("{}: {} values for {} x {} features; expected count * dims values", where,
                    features.values.size(), features.count, features.dims));
  }
  if (features.count < 2) {
    return base::Status::invalid_argument(fmt::format(
        "{}: {} image(s); the covariance (and so FID) needs at least 2 images, and is only "
        "meaningful with many more",
        where, features.count));
  }
  for (std::size_t i = 0; i < features.values.size(); ++i) {
    if (!std::isfinite(features.values[i])) {
      return base::Status::invalid_argument(
          fmt::format("{}: feature {} of image {} is {}; features must be finite", where,
                      i % features.dims, i / features.dims, features.values[i]));
    }
  }
  return base::Status::ok();
}

base::Result<FeatureStats> compute_stats(const Features& features, std::string_view where) {
  QTUNE_RETURN_IF_ERROR(validate_features(features, where));
  const std::size_t n = features.count;
  const std::size_t d = features.dims;
  FeatureStats stats{.dims = d, .count = n, .mu = column_means(features), .sigma = {}};
  const std::vector<double> centred = centre_rows(features, stats.mu);
  stats.sigma.assign(d * d, 0.0);
  // sigma = A^T A / (n - 1) on the upper triangle, mirrored: half the flops of a dgemm.
  cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, blas_int(d), blas_int(n),
              1.0 / static_cast<double>(n - 1), centred.data(), blas_int(d), 0.0,
              stats.sigma.data(), blas_int(d));
  for (std::size_t i = 0; i < d; ++i) {
    for (std::size_t j = 0; j < i; ++j) stats.sigma[i * d + j] = stats.sigma[j * d + i];
  }
  return stats;
}

}  // namespace qtune::metrics
