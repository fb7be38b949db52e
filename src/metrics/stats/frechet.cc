#include <cblas.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "metrics/stats/dense.h"
#include "qtune/metrics/feature_stats.h"

namespace qtune::metrics {
namespace {

base::Status validate_stats(const FeatureStats& s, std::string_view where) {
  if (s.dims == 0 || s.mu.size() != s.dims || s.sigma.size() != s.dims * s.dims) {
    return base::Status::invalid_argument(
        fmt::format("{}: mu has {} values and sigma {} for {} dims; expected d and d x d", where,
                    s.mu.size(), s.sigma.size(), s.dims));
  }
  for (double v : s.mu) {
    if (!std::isfinite(v)) {
      return base::Status::invalid_argument(
          fmt::format("{}: mu holds {}; it must be finite", where, v));
    }
  }
  for (double v : s.sigma) {
    if (!std::isfinite(v)) {
      return base::Status::invalid_argument(
          fmt::format("{}: sigma holds {}; it must be finite", where, v));
    }
  }
  return base::Status::ok();
}

base::Status same_dims(std::size_t a, std::size_t b) {
  if (a == b) return base::Status::ok();
  return base::Status::invalid_argument(fmt::format(
      "frechet distance: the two sides have {} and {} dims; compute both at the same --dims", a,
      b));
}

double squared_distance(const std::vector<double>& a, const std::vector<double>& b) {
  double sum = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += (a[i] - b[i]) * (a[i] - b[i]);
  return sum;
}

double trace(const FeatureStats& s) {
  double sum = 0.0;
  for (std::size_t i = 0; i < s.dims; ++i) sum += s.sigma[i * s.dims + i];
  return sum;
}

// What the low-rank forms need from features: S = rows^T rows / (count - 1).
struct Centred {
  std::vector<double> mu;
  std::vector<double> rows;  // (count - 1) x dims: helmert_rows of the centred features
  double trace_sigma = 0.0;  // ||rows||_F^2 / (count - 1) = tr(S)
};

base::Result<Centred> centre(const Features& f, std::string_view where) {
  QTUNE_RETURN_IF_ERROR(validate_features(f, where));
  Centred c;
  c.mu = column_means(f);
  c.rows = helmert_rows(centre_rows(f, c.mu), f.count, f.dims);
  c.trace_sigma = squared_norm(c.rows) / static_cast<double>(f.count - 1);
  return c;
}

}  // namespace

base::Result<double> frechet_distance_eigh(const FeatureStats& a, const FeatureStats& b) {
  QTUNE_RETURN_IF_ERROR(validate_stats(a, "frechet distance: first statistics"));
  QTUNE_RETURN_IF_ERROR(validate_stats(b, "frechet distance: second statistics"));
  QTUNE_RETURN_IF_ERROR(same_dims(a.dims, b.dims));
  const std::size_t d = a.dims;
  const int n = blas_int(d);
  // S1 = V L V^T, so sqrt(S1) S2 sqrt(S1) = V (L^1/2 V^T S2 V L^1/2) V^T: the eigenvalues
  // of the inner symmetric matrix are those of sqrt(S1) S2 sqrt(S1), similar to S1 S2.
  std::vector<double> v = a.sigma;
  QTUNE_ASSIGN_OR_RETURN(std::vector<double> lambda,
                         symmetric_eigen(v, d, /*vectors=*/true, "frechet distance: sigma1"));
  std::vector<double> s2v(d * d);
  cblas_dsymm(CblasRowMajor, CblasLeft, CblasUpper, n, n, 1.0, b.sigma.data(), n, v.data(), n, 0.0,
              s2v.data(), n);
  std::vector<double> inner(d * d);
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, n, 1.0, v.data(), n, s2v.data(), n,
              0.0, inner.data(), n);
  std::vector<double> root(d);
  for (std::size_t i = 0; i < d; ++i) root[i] = std::sqrt(std::max(lambda[i], 0.0));
  for (std::size_t i = 0; i < d; ++i) {
    for (std::size_t j = 0; j < d; ++j) inner[i * d + j] *= root[i] * root[j];
  }
  QTUNE_ASSIGN_OR_RETURN(
      std::vector<double> mu,
      symmetric_eigen(inner, d, /*vectors=*/false, "frechet distance: sqrt(S1) S2 sqrt(S1)"));
  return squared_distance(a.mu, b.mu) + trace(a) + trace(b) - 2.0 * sum_sqrt_clamped(mu);
}

base::Result<double> frechet_distance_gram(const Features& a, const Features& b) {
  QTUNE_ASSIGN_OR_RETURN(Centred ca, centre(a, "frechet distance: first features"));
  QTUNE_ASSIGN_OR_RETURN(Centred cb, centre(b, "frechet distance: second features"));
  QTUNE_RETURN_IF_ERROR(same_dims(a.dims, b.dims));
  // C = A B^T: S1 S2 = A^T (A B^T B) / c has the nonzero eigenvalues of
  // (A B^T)(B A^T) / c = C C^T / c, whose square roots are C's singular values / sqrt(c).
  const std::size_t ra = a.count - 1;
  const std::size_t rb = b.count - 1;
  std::vector<double> cross(ra * rb);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, blas_int(ra), blas_int(rb), blas_int(a.dims),
              1.0, ca.rows.data(), blas_int(a.dims), cb.rows.data(), blas_int(b.dims), 0.0,
              cross.data(), blas_int(rb));
  QTUNE_ASSIGN_OR_RETURN(std::vector<double> sv,
                         singular_values(cross, ra, rb, "frechet distance: A B^T"));
  double nuclear = 0.0;
  for (double s : sv) nuclear += s;
  const double scale =
      std::sqrt(static_cast<double>(a.count - 1) * static_cast<double>(b.count - 1));
  return squared_distance(ca.mu, cb.mu) + ca.trace_sigma + cb.trace_sigma - 2.0 * nuclear / scale;
}

base::Result<double> frechet_distance_mixed(const FeatureStats& a, const Features& b) {
  QTUNE_RETURN_IF_ERROR(validate_stats(a, "frechet distance: first statistics"));
  QTUNE_ASSIGN_OR_RETURN(Centred cb, centre(b, "frechet distance: second features"));
  QTUNE_RETURN_IF_ERROR(same_dims(a.dims, b.dims));
  // S1 S2 = S1 B^T B / (n2-1) has the nonzero eigenvalues of B S1 B^T / (n2-1), symmetric PSD
  // (B: the n2 - 1 Helmert rows, so no exactly-zero eigenvalue from centring).
  const std::size_t rb = b.count - 1;
  const int n2 = blas_int(rb);
  const int d = blas_int(a.dims);
  std::vector<double> bs1(rb * a.dims);
  cblas_dsymm(CblasRowMajor, CblasRight, CblasUpper, n2, d, 1.0, a.sigma.data(), d, cb.rows.data(),
              d, 0.0, bs1.data(), d);
  std::vector<double> small(rb * rb);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n2, n2, d, 1.0, bs1.data(), d,
              cb.rows.data(), d, 0.0, small.data(), n2);
  QTUNE_ASSIGN_OR_RETURN(std::vector<double> lambda, symmetric_eigen(small, rb, /*vectors=*/false,
                                                                     "frechet distance: B S1 B^T"));
  const double root = sum_sqrt_clamped(lambda) / std::sqrt(static_cast<double>(b.count - 1));
  return squared_distance(a.mu, cb.mu) + trace(a) + cb.trace_sigma - 2.0 * root;
}

base::Result<double> frechet_distance(const FidSide& a, const FidSide& b) {
  const auto low_rank = [](const FidSide& s) {
    return s.features.has_value() && s.features->count < s.features->dims;
  };
  if (a.features && b.features && (low_rank(a) || low_rank(b))) {
    return frechet_distance_gram(*a.features, *b.features);
  }
  if (low_rank(b)) return frechet_distance_mixed(a.stats, *b.features);
  if (low_rank(a)) return frechet_distance_mixed(b.stats, *a.features);  // FID is symmetric
  return frechet_distance_eigh(a.stats, b.stats);
}

}  // namespace qtune::metrics
