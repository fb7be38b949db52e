// KID, the Kernel Inception Distance (Bińkowski et al. 2018), as clean-fid and
// torch-fidelity compute it: the unbiased estimate of the squared MMD between two feature
// sets with the cubic polynomial kernel k(x, y) = (x.y / d + 1)^3, averaged over random
// subsets of size m drawn without replacement from each set.
//
// Unlike FID it is unbiased in the sample size, so it is the better choice for few images
// (the user's N = 10), at the price of a high variance: `std` over subsets says how much.
// Deterministic for a seed (clean-fid draws with an unseeded np.random.choice). With
// m = n1 = n2 every subset is the whole set up to order, so mean = mmd2_unbiased of the
// sets and std = 0. The value can be slightly negative (unbiased estimator).
//
// Errors (kInvalidArgument): different dims, a set with fewer than 2 rows, a subset size
// of less than 2, non-finite features. Thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>

#include "qtune/base/result.h"
#include "qtune/metrics/feature_stats.h"

namespace qtune::metrics {

struct KidOptions {
  std::size_t subsets = 100;           // number of subset pairs drawn
  std::size_t max_subset_size = 1000;  // m = min(n1, n2, max_subset_size)
  std::uint64_t seed = 0;              // seeds the subset draws
};

struct KidResult {
  double mean = 0.0;  // mean of the per-subset MMD^2 estimates: the KID
  double std = 0.0;   // their standard deviation (ddof 0, as torch-fidelity reports it)
  std::size_t subset_size = 0;
  std::size_t subsets = 0;
};

// Unbiased MMD^2 between x and y, which must have the same number of rows m >= 2:
//   [sum_{i!=j} k(x_i,x_j) + k(y_i,y_j)] / (m (m-1)) - 2 sum_{i,j} k(x_i,y_j) / m^2
base::Result<double> mmd2_unbiased(const Features& x, const Features& y);

base::Result<KidResult> kernel_inception_distance(const Features& a, const Features& b,
                                                  const KidOptions& options = {});

}  // namespace qtune::metrics
