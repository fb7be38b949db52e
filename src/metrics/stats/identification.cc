#include "qtune/metrics/identification.h"

#include <cblas.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string_view>
#include <vector>

#include "metrics/stats/dense.h"

namespace qtune::metrics {
namespace {

base::Status check_side(const Features& f, std::string_view side, std::string_view what) {
  if (f.count == 0 || f.dims == 0 || f.values.size() != f.count * f.dims) {
    return base::Status::invalid_argument(
        fmt::format("{}: {} features are {} x {} with {} values; expected at least one row of "
                    "count * dims values",
                    what, side, f.count, f.dims, f.values.size()));
  }
  for (std::size_t i = 0; i < f.values.size(); ++i) {
    if (!std::isfinite(f.values[i])) {
      return base::Status::invalid_argument(
          fmt::format("{}: feature {} of {} {} is {}; features must be finite", what, i % f.dims,
                      side, i / f.dims, f.values[i]));
    }
  }
  return base::Status::ok();
}

base::Status check_pairs(const Features& stimuli, const Features& reconstructions,
                         std::string_view what) {
  QTUNE_RETURN_IF_ERROR(check_side(stimuli, "stimulus", what));
  QTUNE_RETURN_IF_ERROR(check_side(reconstructions, "reconstruction", what));
  if (stimuli.count != reconstructions.count || stimuli.dims != reconstructions.dims) {
    return base::Status::invalid_argument(fmt::format(
        "{}: {} stimuli of {} features against {} reconstructions of {}; pair each stimulus "
        "with one reconstruction of the same size",
        what, stimuli.count, stimuli.dims, reconstructions.count, reconstructions.dims));
  }
  return base::Status::ok();
}

// Each row centred and scaled to unit norm, so that a dot product of two rows is their
// Pearson r. A constant row has no correlation: kInvalidArgument naming it.
base::Result<std::vector<double>> standardised_rows(const Features& f, std::string_view side,
                                                    std::string_view what) {
  std::vector<double> z(f.values);
  for (std::size_t i = 0; i < f.count; ++i) {
    double* row = z.data() + i * f.dims;
    double mean = 0.0;
    for (std::size_t k = 0; k < f.dims; ++k) mean += row[k];
    mean /= static_cast<double>(f.dims);
    double norm = 0.0;
    for (std::size_t k = 0; k < f.dims; ++k) {
      row[k] -= mean;
      norm += row[k] * row[k];
    }
    if (!(norm > 0.0)) {
      return base::Status::invalid_argument(fmt::format(
          "{}: the features of {} {} are constant, so their correlation is undefined; check "
          "that image (a blank image gives constant features)",
          what, side, i));
    }
    const double scale = 1.0 / std::sqrt(norm);
    for (std::size_t k = 0; k < f.dims; ++k) row[k] *= scale;
  }
  return z;
}

}  // namespace

double binomial_half_upper_tail(std::uint64_t k, std::uint64_t n) {
  if (k >= n) return 0.0;
  // log C(n, i) - n log 2 for i = k + 1 .. n, summed as exp(term - largest).
  const double log_half_n = static_cast<double>(n) * std::log(0.5);
  const double lgamma_n1 = std::lgamma(static_cast<double>(n) + 1.0);
  auto log_term = [&](std::uint64_t i) {
    return lgamma_n1 - std::lgamma(static_cast<double>(i) + 1.0) -
           std::lgamma(static_cast<double>(n - i) + 1.0) + log_half_n;
  };
  // The terms peak at n / 2: the first term if k + 1 >= n / 2, else at the mode.
  const std::uint64_t peak = std::max<std::uint64_t>(k + 1, n / 2);
  const double largest = log_term(peak);
  double sum = 0.0;
  for (std::uint64_t i = k + 1; i <= n; ++i) {
    const double t = log_term(i) - largest;
    if (t < -745.0 && i > peak) break;  // the rest underflow to 0
    sum += std::exp(t);
  }
  return std::min(1.0, std::exp(largest) * sum);
}

base::Result<TwoWayResult> two_way_identification(const Features& stimuli,
                                                  const Features& reconstructions) {
  constexpr std::string_view kWhat = "2-way identification";
  QTUNE_RETURN_IF_ERROR(check_pairs(stimuli, reconstructions, kWhat));
  const std::size_t n = stimuli.count;
  if (n < 2) {
    return base::Status::invalid_argument(
        fmt::format("{}: {} pair; it compares each reconstruction with the other stimuli, so "
                    "it needs at least 2 pairs",
                    kWhat, n));
  }
  QTUNE_ASSIGN_OR_RETURN(const std::vector<double> zs,
                         standardised_rows(stimuli, "stimulus", kWhat));
  QTUNE_ASSIGN_OR_RETURN(const std::vector<double> zr,
                         standardised_rows(reconstructions, "reconstruction", kWhat));
  // r = Zs Zr^T: r[i * n + j] is stimulus i against reconstruction j.
  std::vector<double> r(n * n);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, blas_int(n), blas_int(n),
              blas_int(stimuli.dims), 1.0, zs.data(), blas_int(stimuli.dims), zr.data(),
              blas_int(stimuli.dims), 0.0, r.data(), blas_int(n));
  // np.corrcoef clips to [-1, 1]; so do we, so that round-off above 1 compares alike.
  for (double& v : r) v = std::clamp(v, -1.0, 1.0);
  TwoWayResult result;
  for (std::size_t j = 0; j < n; ++j) {
    const double congruent = r[j * n + j];
    for (std::size_t i = 0; i < n; ++i) {
      if (r[i * n + j] < congruent) ++result.successes;
    }
  }
  result.comparisons = static_cast<std::uint64_t>(n) * (n - 1);
  result.score = static_cast<double>(result.successes) / static_cast<double>(result.comparisons);
  result.p_value = binomial_half_upper_tail(result.successes, result.comparisons);
  return result;
}

base::Result<double> mean_correlation_distance(const Features& stimuli,
                                               const Features& reconstructions) {
  constexpr std::string_view kWhat = "correlation distance";
  QTUNE_RETURN_IF_ERROR(check_pairs(stimuli, reconstructions, kWhat));
  QTUNE_ASSIGN_OR_RETURN(const std::vector<double> zs,
                         standardised_rows(stimuli, "stimulus", kWhat));
  QTUNE_ASSIGN_OR_RETURN(const std::vector<double> zr,
                         standardised_rows(reconstructions, "reconstruction", kWhat));
  double sum = 0.0;
  for (std::size_t i = 0; i < stimuli.count; ++i) {
    const double* a = zs.data() + i * stimuli.dims;
    const double* b = zr.data() + i * stimuli.dims;
    double r = 0.0;
    for (std::size_t k = 0; k < stimuli.dims; ++k) r += a[k] * b[k];
    sum += 1.0 - r;
  }
  return sum / static_cast<double>(stimuli.count);
}

}  // namespace qtune::metrics
