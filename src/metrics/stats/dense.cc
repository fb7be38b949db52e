#include "metrics/stats/dense.h"

#include <fmt/format.h>
#include <lapacke.h>

#include <algorithm>
#include <climits>
#include <cmath>

namespace qtune::metrics {

int blas_int(std::size_t n) {
  QTUNE_CHECK(n <= static_cast<std::size_t>(INT_MAX));
  return static_cast<int>(n);
}

std::vector<double> column_means(const Features& features) {
  std::vector<double> mu(features.dims, 0.0);
  for (std::size_t r = 0; r < features.count; ++r) {
    const double* row = features.values.data() + r * features.dims;
    for (std::size_t c = 0; c < features.dims; ++c) mu[c] += row[c];
  }
  for (double& m : mu) m /= static_cast<double>(features.count);
  return mu;
}

std::vector<double> centre_rows(const Features& features, const std::vector<double>& mu) {
  std::vector<double> centred(features.values);
  for (std::size_t r = 0; r < features.count; ++r) {
    double* row = centred.data() + r * features.dims;
    for (std::size_t c = 0; c < features.dims; ++c) row[c] -= mu[c];
  }
  return centred;
}

std::vector<double> helmert_rows(const std::vector<double>& centred, std::size_t count,
                                 std::size_t dims) {
  QTUNE_CHECK(count >= 2 && centred.size() == count * dims);
  std::vector<double> out((count - 1) * dims);
  std::vector<double> prefix(centred.begin(), centred.begin() + static_cast<std::ptrdiff_t>(dims));
  for (std::size_t k = 1; k < count; ++k) {
    const double kd = static_cast<double>(k);
    const double norm = 1.0 / std::sqrt(kd * (kd + 1.0));
    const double* x = centred.data() + k * dims;
    double* row = out.data() + (k - 1) * dims;
    for (std::size_t c = 0; c < dims; ++c) {
      row[c] = (prefix[c] - kd * x[c]) * norm;
      prefix[c] += x[c];
    }
  }
  return out;
}

base::Result<std::vector<double>> symmetric_eigen(std::vector<double>& a, std::size_t n,
                                                  bool vectors, std::string_view where) {
  QTUNE_CHECK(a.size() == n * n);
  std::vector<double> w(n);
  const lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, vectors ? 'V' : 'N', 'U', blas_int(n),
                                         a.data(), blas_int(n), w.data());
  if (info != 0) {
    return base::Status::internal(fmt::format(
        "{}: LAPACK dsyevd failed (info {}) on a {} x {} matrix; its entries must be finite", where,
        info, n, n));
  }
  return w;
}

base::Result<std::vector<double>> singular_values(std::vector<double>& a, std::size_t rows,
                                                  std::size_t cols, std::string_view where) {
  QTUNE_CHECK(a.size() == rows * cols);
  std::vector<double> s(std::min(rows, cols));
  const lapack_int info =
      LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'N', blas_int(rows), blas_int(cols), a.data(),
                     blas_int(cols), s.data(), nullptr, blas_int(rows), nullptr, blas_int(cols));
  if (info != 0) {
    return base::Status::internal(fmt::format(
        "{}: LAPACK dgesdd failed (info {}) on a {} x {} matrix; its entries must be finite", where,
        info, rows, cols));
  }
  return s;
}

double sum_sqrt_clamped(const std::vector<double>& eigenvalues) {
  double sum = 0.0;
  for (double lambda : eigenvalues) sum += std::sqrt(std::max(lambda, 0.0));
  return sum;
}

double squared_norm(const std::vector<double>& values) {
  double sum = 0.0;
  for (double v : values) sum += v * v;
  return sum;
}

}  // namespace qtune::metrics
