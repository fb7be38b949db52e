#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "metrics/stats_fixtures.h"
#include "qtune/metrics/feature_stats.h"

namespace qtune::metrics {
namespace {

using qtune::testing::random_features;
using qtune::testing::reference_value;

FeatureStats stats_of(const Features& f) {
  auto s = compute_stats(f);
  QTUNE_CHECK(s.is_ok());
  return std::move(s).value();
}

// pytorch-fid's formula (scipy sqrtm) on the same features.
double scipy_fid(const Features& a, const Features& b) { return reference_value("fid", a, b); }

double value(const base::Result<double>& r) {
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return r.is_ok() ? r.value() : std::nan("");
}

TEST(Frechet, EighMatchesScipySqrtmAtFullRank) {
  const Features a = random_features(300, 48, 1);
  const Features b = random_features(250, 48, 2, 0.3);
  const double expected = scipy_fid(a, b);
  const double fid = value(frechet_distance_eigh(stats_of(a), stats_of(b)));
  EXPECT_NEAR(fid, expected, 1e-9 * expected);
  // features at hand, n >= d: frechet_distance takes the eigh form as well
  EXPECT_NEAR(value(frechet_distance({stats_of(a), a}, {stats_of(b), b})), expected,
              1e-9 * expected);
}

TEST(Frechet, LowRankFormsMatchHighPrecisionBelowFullRank) {
  // 20 + 30 features in 160 dims: S1 S2 has rank 19 of 160. fid_mp is the FID in 40-digit
  // arithmetic (stats_reference.py).
  const Features a = random_features(20, 160, 3);
  const Features b = random_features(30, 160, 4, 0.2);
  const double exact = reference_value("fid_mp", a, b);
  // Measured 5e-16 and 3e-16: the forms used when the smaller side is held as features.
  EXPECT_NEAR(value(frechet_distance_gram(a, b)), exact, 1e-13 * exact);
  EXPECT_NEAR(value(frechet_distance_mixed(stats_of(b), a)), exact, 1e-13 * exact);
  // Measured 1.3e-9: stats of a have rank 19 < 29 rows of b, so 10 zero eigenvalues of
  // B S1 B^T come back as sqrt(round-off).
  EXPECT_NEAR(value(frechet_distance_mixed(stats_of(a), b)), exact, 1e-8 * exact);
  // Measured 2.4e-9: eigh on rank-deficient statistics, round-off of the zero eigenvalues
  // enters through a square root.
  EXPECT_NEAR(value(frechet_distance_eigh(stats_of(a), stats_of(b))), exact, 1e-6 * exact);
  // pytorch-fid's scipy sqrtm of the singular product, measured 2.2e-8 off: the square roots
  // of the round-off left in its 141 zero eigenvalues (docs/benchmarks.md, FID end to end).
  EXPECT_NEAR(scipy_fid(a, b), exact, 1e-6 * exact);
}

TEST(Frechet, DispatchUsesWhatEachSideHolds) {
  const Features a = random_features(12, 96, 5);
  const Features b = random_features(10, 96, 6, 0.1);
  const double gram = value(frechet_distance_gram(a, b));
  EXPECT_NEAR(value(frechet_distance({stats_of(a), a}, {stats_of(b), b})), gram, 1e-12 * gram);
  EXPECT_NEAR(value(frechet_distance({stats_of(a), std::nullopt}, {stats_of(b), b})), gram,
              1e-10 * gram);
  EXPECT_NEAR(value(frechet_distance({stats_of(a), a}, {stats_of(b), std::nullopt})), gram,
              1e-8 * gram);
}

TEST(Frechet, EqualCovariancesGiveSquaredMeanDifference) {
  FeatureStats a = stats_of(random_features(200, 32, 7));
  FeatureStats b = a;
  double expected = 0.0;
  for (std::size_t i = 0; i < b.dims; ++i) {
    const double delta = 0.01 * static_cast<double>(i) - 0.1;
    b.mu[i] += delta;
    expected += delta * delta;
  }
  EXPECT_NEAR(value(frechet_distance_eigh(a, b)), expected, 1e-9);
}

TEST(Frechet, IdenticalSetsGiveZero) {
  const Features full = random_features(100, 16, 8);
  EXPECT_NEAR(value(frechet_distance_eigh(stats_of(full), stats_of(full))), 0.0, 1e-9);
  const Features few = random_features(10, 256, 9);
  EXPECT_NEAR(value(frechet_distance_gram(few, few)), 0.0, 1e-9);
  EXPECT_NEAR(value(frechet_distance_mixed(stats_of(few), few)), 0.0, 1e-9);
}

TEST(Frechet, DifferentDimsAreAnError) {
  auto r = frechet_distance_eigh(stats_of(random_features(10, 4, 1)),
                                 stats_of(random_features(10, 8, 1)));
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("4 and 8 dims"), std::string::npos) << r.status().message();
  auto g = frechet_distance_gram(random_features(10, 4, 1), random_features(10, 8, 1));
  EXPECT_FALSE(g.is_ok());
}

TEST(Frechet, MalformedStatisticsAreAnError) {
  FeatureStats s = stats_of(random_features(10, 4, 1));
  FeatureStats bad = s;
  bad.sigma.pop_back();
  EXPECT_EQ(frechet_distance_eigh(s, bad).status().code(), base::StatusCode::kInvalidArgument);
  bad = s;
  bad.mu[0] = std::nan("");
  EXPECT_EQ(frechet_distance_eigh(s, bad).status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      frechet_distance_gram(random_features(1, 4, 1), random_features(5, 4, 1)).status().code(),
      base::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace qtune::metrics
