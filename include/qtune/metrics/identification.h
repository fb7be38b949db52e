// Feature comparisons of the fMRI evaluation table (evaluation_table.h), on the features of
// N stimuli and their N reconstructions (row i of each belongs to pair i):
//
//   two_way_identification  MindEye's two_way_identification / brain-diffuser's
//       pairwise_corr_all: r = np.corrcoef(stimuli, reconstructions)[:N, N:] (Pearson r of
//       every stimulus row with every reconstruction row, float64); for each
//       reconstruction j, the number of stimuli i with r[i, j] < r[j, j] (strictly: a tie
//       counts as a failure); score = total / (N (N - 1)). Chance is 0.5, 1 is perfect.
//       p_value = P(X > total) for X ~ Binomial(N (N - 1), 1/2), brain-diffuser's
//       1 - binom.cdf(score * N (N - 1), N (N - 1), 0.5), computed as a sum of log terms so
//       that it does not round to 0 below 1e-16 (scipy's 1 - cdf does).
//   mean_correlation_distance  mean over pairs of scipy.spatial.distance.correlation,
//       1 - r(stimulus i, reconstruction i). 0 is identical up to scale and offset.
//
// Errors (kInvalidArgument): fewer than 2 pairs for 2-way (undefined), different counts
// or dims, a constant feature row (its correlation is undefined; the message names it).
// Pure functions: reentrant.
#pragma once

#include <cstddef>
#include <cstdint>

#include "qtune/base/result.h"
#include "qtune/metrics/feature_stats.h"

namespace qtune::metrics {

struct TwoWayResult {
  double score = 0.0;    // fraction of successful comparisons, in [0, 1]
  double p_value = 1.0;  // one-sided binomial, see above
  std::uint64_t successes = 0;
  std::uint64_t comparisons = 0;  // N (N - 1)
};

base::Result<TwoWayResult> two_way_identification(const Features& stimuli,
                                                  const Features& reconstructions);

base::Result<double> mean_correlation_distance(const Features& stimuli,
                                               const Features& reconstructions);

// P(X > k) for X ~ Binomial(n, 1/2); 0 when k >= n.
double binomial_half_upper_tail(std::uint64_t k, std::uint64_t n);

}  // namespace qtune::metrics
