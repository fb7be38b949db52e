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

}  // namespace qtune::metrics
