#include <gtest/gtest.h>

#include <string>

#include "metrics/stats_fixtures.h"
#include "qtune/metrics/feature_stats.h"

namespace qtune::metrics {
namespace {

using qtune::testing::random_features;
using qtune::testing::reference_value;

double numpy_mmd(const Features& a, const Features& b) { return reference_value("mmd", a, b); }

TEST(Kid, UnbiasedMmdMatchesNumpy) {
  const Features a = random_features(40, 64, 1);
  const Features b = random_features(40, 64, 2, 0.05);
  const double expected = numpy_mmd(a, b);
  auto mmd = mmd2_unbiased(a, b);
  ASSERT_TRUE(mmd.is_ok()) << mmd.status().to_string();
  EXPECT_NEAR(*mmd, expected, 1e-9 * std::fabs(expected) + 1e-13);
}

TEST(Kid, WholeSetSubsetsEqualTheMmdOfTheSets) {
  // m = n1 = n2: every subset is the whole set in another order, and MMD ignores order.
  const Features a = random_features(10, 32, 3);
  const Features b = random_features(10, 32, 4, 0.1);
  const double expected = numpy_mmd(a, b);
  auto kid = kernel_inception_distance(a, b, {.subsets = 5, .max_subset_size = 1000, .seed = 7});
  ASSERT_TRUE(kid.is_ok()) << kid.status().to_string();
  EXPECT_EQ(kid->subset_size, 10u);
  EXPECT_EQ(kid->subsets, 1u) << "five draws of the same two sets are one subset pair";
  EXPECT_NEAR(kid->mean, expected, 1e-9 * std::fabs(expected) + 1e-13);
  EXPECT_TRUE(std::isnan(kid->std)) << "no spread over subsets, not rounding noise";
  // One side whole, the other drawn from: a real spread.
  auto partial = kernel_inception_distance(a, random_features(14, 32, 5, 0.1),
                                           {.subsets = 5, .max_subset_size = 1000, .seed = 7});
  ASSERT_TRUE(partial.is_ok());
  EXPECT_EQ(partial->subsets, 5u);
  EXPECT_GT(partial->std, 0.0);
}

TEST(Kid, DeterministicForASeedAndVariesAcrossSeeds) {
  const Features a = random_features(30, 16, 5);
  const Features b = random_features(50, 16, 6, 0.1);
  const KidOptions options{.subsets = 20, .max_subset_size = 12, .seed = 42};
  auto first = kernel_inception_distance(a, b, options);
  auto second = kernel_inception_distance(a, b, options);
  ASSERT_TRUE(first.is_ok() && second.is_ok());
  EXPECT_EQ(first->mean, second->mean);
  EXPECT_EQ(first->std, second->std);
  EXPECT_EQ(first->subset_size, 12u);
  EXPECT_GT(first->std, 0.0);
  KidOptions other = options;
  other.seed = 43;
  EXPECT_NE(kernel_inception_distance(a, b, other)->mean, first->mean);
}

TEST(Kid, SameDistributionIsNearZeroShiftedIsPositive) {
  const Features a = random_features(200, 16, 7);
  const Features same = random_features(200, 16, 8);
  const Features shifted = random_features(200, 16, 9, 1.0);
  auto near =
      kernel_inception_distance(a, same, {.subsets = 10, .max_subset_size = 100, .seed = 1});
  auto far =
      kernel_inception_distance(a, shifted, {.subsets = 10, .max_subset_size = 100, .seed = 1});
  ASSERT_TRUE(near.is_ok() && far.is_ok());
  EXPECT_GT(far->mean, 10.0 * std::fabs(near->mean));
}

TEST(Kid, TinyAndMismatchedInputs) {
  const Features two = random_features(2, 8, 1);
  auto kid = kernel_inception_distance(two, random_features(5, 8, 2));
  ASSERT_TRUE(kid.is_ok()) << kid.status().to_string();
  EXPECT_EQ(kid->subset_size, 2u);
  auto one = kernel_inception_distance(random_features(1, 8, 1), two);
  ASSERT_FALSE(one.is_ok());
  EXPECT_NE(one.status().message().find("kid: 1 and 2 images; KID needs at least 2 images a side"),
            std::string::npos)
      << one.status().message();
  auto dims = kernel_inception_distance(two, random_features(2, 4, 1));
  ASSERT_FALSE(dims.is_ok());
  EXPECT_NE(dims.status().message().find("8 and 4 dims"), std::string::npos);
  EXPECT_FALSE(mmd2_unbiased(two, random_features(3, 8, 1)).is_ok());
  EXPECT_FALSE(kernel_inception_distance(two, two, {.subsets = 0}).is_ok());
}

}  // namespace
}  // namespace qtune::metrics
