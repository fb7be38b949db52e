#include <cblas.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "metrics/stats/dense.h"
#include "qtune/metrics/feature_stats.h"

namespace qtune::metrics {
namespace {

// sum of k over the entries of the gram matrix x y^T; with `skip_diagonal` (x == y) the
// i == j terms are left out.
double kernel_sum(const std::vector<double>& x, const std::vector<double>& y, std::size_t m,
                  std::size_t d, bool skip_diagonal) {
  std::vector<double> gram(m * m);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, blas_int(m), blas_int(m), blas_int(d),
              1.0 / static_cast<double>(d), x.data(), blas_int(d), y.data(), blas_int(d), 0.0,
              gram.data(), blas_int(m));
  double sum = 0.0;
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < m; ++j) {
      if (skip_diagonal && i == j) continue;
      const double k = gram[i * m + j] + 1.0;
      sum += k * k * k;
    }
  }
  return sum;
}

double mmd2(const std::vector<double>& x, const std::vector<double>& y, std::size_t m,
            std::size_t d) {
  const double mm = static_cast<double>(m);
  const double within = kernel_sum(x, x, m, d, true) + kernel_sum(y, y, m, d, true);
  return within / (mm * (mm - 1.0)) - 2.0 * kernel_sum(x, y, m, d, false) / (mm * mm);
}

// Rows of `f` picked by a partial Fisher-Yates shuffle: m distinct rows, uniformly.
std::vector<double> draw_subset(const Features& f, std::size_t m, std::vector<std::size_t>& order,
                                std::mt19937_64& rng) {
  std::vector<double> rows(m * f.dims);
  for (std::size_t i = 0; i < m; ++i) {
    std::uniform_int_distribution<std::size_t> pick(i, f.count - 1);
    std::swap(order[i], order[pick(rng)]);
    std::copy_n(f.values.begin() + static_cast<std::ptrdiff_t>(order[i] * f.dims), f.dims,
                rows.begin() + static_cast<std::ptrdiff_t>(i * f.dims));
  }
  return rows;
}

base::Status check_pair(const Features& a, const Features& b) {
  QTUNE_RETURN_IF_ERROR(validate_features(a, "kid: first features"));
  QTUNE_RETURN_IF_ERROR(validate_features(b, "kid: second features"));
  if (a.dims != b.dims) {
    return base::Status::invalid_argument(fmt::format(
        "kid: the two sides have {} and {} dims; compute both at the same --dims", a.dims, b.dims));
  }
  return base::Status::ok();
}

}  // namespace

base::Result<double> mmd2_unbiased(const Features& x, const Features& y) {
  QTUNE_RETURN_IF_ERROR(check_pair(x, y));
  if (x.count != y.count) {
    return base::Status::invalid_argument(
        fmt::format("kid: unbiased MMD of sets of {} and {} rows; it needs the same number of rows",
                    x.count, y.count));
  }
  return mmd2(x.values, y.values, x.count, x.dims);
}

base::Result<KidResult> kernel_inception_distance(const Features& a, const Features& b,
                                                  const KidOptions& options) {
  // Before check_pair, whose count check speaks of FID's covariance.
  if (a.count < 2 || b.count < 2) {
    return base::Status::invalid_argument(
        fmt::format("kid: {} and {} images; KID needs at least 2 images a side (its unbiased "
                    "estimate leaves out each image's kernel with itself)",
                    a.count, b.count));
  }
  QTUNE_RETURN_IF_ERROR(check_pair(a, b));
  const std::size_t m = std::min({a.count, b.count, options.max_subset_size});
  if (m < 2 || options.subsets == 0) {
    return base::Status::invalid_argument(fmt::format(
        "kid: subset size {} and {} subsets; both must be positive and the size at least 2", m,
        options.subsets));
  }
  if (m == a.count && m == b.count) {
    // Every subset pair is the two whole sets (in another order, which MMD ignores): one
    // value, and no spread over subsets to report.
    return KidResult{.mean = mmd2(a.values, b.values, m, a.dims),
                     .std = std::numeric_limits<double>::quiet_NaN(),
                     .subset_size = m,
                     .subsets = 1};
  }
  std::mt19937_64 rng(options.seed);
  std::vector<std::size_t> order_a(a.count);
  std::vector<std::size_t> order_b(b.count);
  std::iota(order_a.begin(), order_a.end(), std::size_t{0});
  std::iota(order_b.begin(), order_b.end(), std::size_t{0});
  std::vector<double> values(options.subsets);
  for (double& v : values) {
    const std::vector<double> x = draw_subset(a, m, order_a, rng);
    const std::vector<double> y = draw_subset(b, m, order_b, rng);
    v = mmd2(x, y, m, a.dims);
  }
  const double n = static_cast<double>(values.size());
  const double mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
  double var = 0.0;
  for (double v : values) var += (v - mean) * (v - mean);
  return KidResult{
      .mean = mean, .std = std::sqrt(var / n), .subset_size = m, .subsets = options.subsets};
}

}  // namespace qtune::metrics
