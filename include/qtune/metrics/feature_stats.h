// Features and their statistics: the inputs of the Fréchet distance (FID) and of KID.
//
// Features are N x d row-major float64 values (Inception activations, one row per image;
// pytorch-fid also stores them as float64). FeatureStats are the mean and the covariance
// exactly as pytorch-fid computes them: mu = mean over rows, sigma = np.cov(rowvar=False),
// i.e. normalised by N - 1 (ddof 1), in float64.
//
// Errors: fewer than two rows (the covariance is undefined: pytorch-fid silently returns a
// meaningless value there, qtune refuses), a size that is not N x d, or a value that is not
// finite, each kInvalidArgument. Plain values: no shared state, thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "qtune/base/result.h"

namespace qtune::metrics {

struct Features {
  std::size_t count = 0;       // N, rows (images)
  std::size_t dims = 0;        // d, columns (64, 192, 768 or 2048 for Inception)
  std::vector<double> values;  // count * dims, row-major
};

struct FeatureStats {
  std::size_t dims = 0;
  // Number of feature rows the statistics came from; 0 when unknown (a pytorch-fid .npz
  // holds only mu and sigma).
  std::size_t count = 0;
  std::vector<double> mu;     // dims
  std::vector<double> sigma;  // dims x dims, row-major, symmetric
};

// Mean and covariance (ddof 1) of `features`. `where` names the source in error messages.
base::Result<FeatureStats> compute_stats(const Features& features,
                                         std::string_view where = "features");

// Checks the shape and finiteness of `features` (the errors compute_stats reports).
base::Status validate_features(const Features& features, std::string_view where);

// The Fréchet distance between two Gaussians fitted to features (the "D" of FID):
//   FID = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr sqrt(S1 S2)
// computed without a general matrix square root (pytorch-fid calls scipy.linalg.sqrtm,
// which is slow and returns complex round-off when S1 S2 is singular). Every form below is
// exact; they differ in cost and in what they need:
//
//   frechet_distance_eigh   statistics only, any N: tr sqrt(S1 S2) = sum sqrt(eig(R S2 R))
//                           with R = sqrt(S1) (two LAPACK dsyevd, O(d^3); ~2 s at d = 2048).
//   frechet_distance_gram   features of both sides, meant for N < d: with A, B the centred
//                           features, tr sqrt(S1 S2) = ||A B^T||_* / sqrt((n1-1)(n2-1))
//                           (nuclear norm of an n1 x n2 matrix; microseconds at N = 10).
//   frechet_distance_mixed  statistics of one side and features of the other, N < d:
//                           tr sqrt(S1 S2) = sum sqrt(eig(B S1 B^T)) / sqrt(n2-1), O(n2 d^2).
//   frechet_distance        picks the cheapest of the three for what each side holds.
//
// Eigenvalues that round-off makes slightly negative are clamped at 0. Agreement with
// pytorch-fid's sqrtm formula (tests/metrics/frechet_test.cc): 1e-9 relative at full rank;
// when N < d scipy's sqrtm itself is off by up to ~1e-6 relative and these forms are the
// accurate ones. The result can be a tiny negative number (-1e-12) for identical inputs.
//
// Errors (kInvalidArgument): different dims, statistics with a wrong-sized mu/sigma or
// non-finite values, features with fewer than 2 rows. LAPACK failure is kInternal.
base::Result<double> frechet_distance_eigh(const FeatureStats& a, const FeatureStats& b);
base::Result<double> frechet_distance_gram(const Features& a, const Features& b);
base::Result<double> frechet_distance_mixed(const FeatureStats& a, const Features& b);

// One side of an FID: its statistics, and its features when they are at hand (a folder
// just computed, or a cache entry that kept them), which enables the N < d forms.
struct FidSide {
  FeatureStats stats;
  std::optional<Features> features;
};

base::Result<double> frechet_distance(const FidSide& a, const FidSide& b);

// KID, the Kernel Inception Distance (Bińkowski et al. 2018), as clean-fid and
// torch-fidelity compute it: the unbiased estimate of the squared MMD between two feature
// sets with the cubic polynomial kernel k(x, y) = (x.y / d + 1)^3, averaged over random
// subsets of size m drawn without replacement from each set.
//
// Unlike FID it is unbiased in the sample size, so it is the better choice for few images
// (the user's N = 10), at the price of a high variance: `std` over subsets says how much.
// Deterministic for a seed (clean-fid draws with an unseeded np.random.choice). With
// m = n1 = n2 every subset is the whole set up to order: the result is mmd2_unbiased of the
// sets, subsets = 1 and std NaN (no spread over subsets exists; the rounding noise of
// identical draws is not reported as one). The value can be slightly negative (unbiased).
//
// Errors (kInvalidArgument): different dims, a set with fewer than 2 rows (KID's own
// message), a subset size of less than 2, non-finite features. Thread-compatible.
struct KidOptions {
  std::size_t subsets = 100;           // number of subset pairs drawn
  std::size_t max_subset_size = 1000;  // m = min(n1, n2, max_subset_size)
  std::uint64_t seed = 0;              // seeds the subset draws
};

struct KidResult {
  double mean = 0.0;  // mean of the per-subset MMD^2 estimates: the KID
  double std = 0.0;   // their standard deviation (ddof 0, as torch-fidelity); NaN: one subset
  std::size_t subset_size = 0;
  std::size_t subsets = 0;
};

// Unbiased MMD^2 between x and y, which must have the same number of rows m >= 2:
//   [sum_{i!=j} k(x_i,x_j) + k(y_i,y_j)] / (m (m-1)) - 2 sum_{i,j} k(x_i,y_j) / m^2
base::Result<double> mmd2_unbiased(const Features& x, const Features& y);

base::Result<KidResult> kernel_inception_distance(const Features& a, const Features& b,
                                                  const KidOptions& options = {});
}  // namespace qtune::metrics
