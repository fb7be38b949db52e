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
#pragma once

#include <optional>

#include "qtune/base/result.h"
#include "qtune/metrics/feature_stats.h"

namespace qtune::metrics {

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

}  // namespace qtune::metrics
