#include <gtest/gtest.h>

#include "metrics/stats_fixtures.h"
#include "qtune/metrics/feature_stats.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace qtune::metrics {
namespace {

using qtune::testing::random_features;
using qtune::testing::read_raw;
using qtune::testing::run_reference_script;
using qtune::testing::TempDir;
using qtune::testing::write_raw;

TEST(FeatureStats, MatchesNumpyMeanAndCov) {
  const Features f = random_features(37, 24, 11);
  TempDir dir;
  const std::string in = write_raw(dir / "f.bin", f.values);
  run_reference_script("stats_reference.py", {"cov", in, "37", "24", (dir / "out.bin").string()});
  const std::vector<double> expected = read_raw(dir / "out.bin", 24 + 24 * 24);

  auto stats = compute_stats(f);
  ASSERT_TRUE(stats.is_ok()) << stats.status().to_string();
  EXPECT_EQ(stats->count, 37u);
  EXPECT_EQ(stats->dims, 24u);
  for (std::size_t i = 0; i < 24; ++i) EXPECT_NEAR(stats->mu[i], expected[i], 1e-13) << i;
  for (std::size_t i = 0; i < 24 * 24; ++i)
    EXPECT_NEAR(stats->sigma[i], expected[24 + i], 1e-13) << i;
}

TEST(FeatureStats, HandComputedTwoRows) {
  // rows (1, 2) and (3, 6): mean (2, 4); deviations (-1,-2), (1,2); cov = [[2,4],[4,8]] (ddof 1).
  auto stats = compute_stats({.count = 2, .dims = 2, .values = {1, 2, 3, 6}});
  ASSERT_TRUE(stats.is_ok());
  EXPECT_EQ(stats->mu, (std::vector<double>{2, 4}));
  EXPECT_EQ(stats->sigma, (std::vector<double>{2, 4, 4, 8}));
}

TEST(FeatureStats, OneImageIsAnErrorThatSaysWhy) {
  auto stats = compute_stats({.count = 1, .dims = 3, .values = {1, 2, 3}}, "rec/");
  ASSERT_FALSE(stats.is_ok());
  EXPECT_EQ(stats.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(stats.status().message().find("rec/: 1 image(s)"), std::string::npos)
      << stats.status().message();
  EXPECT_NE(stats.status().message().find("at least 2"), std::string::npos);
}

TEST(FeatureStats, RejectsWrongSizeAndNonFinite) {
  EXPECT_FALSE(compute_stats({.count = 2, .dims = 3, .values = {1, 2, 3}}).is_ok());
  EXPECT_FALSE(compute_stats({.count = 2, .dims = 0, .values = {}}).is_ok());
  auto nan = compute_stats({.count = 2, .dims = 1, .values = {1, std::nan("")}});
  ASSERT_FALSE(nan.is_ok());
  EXPECT_NE(nan.status().message().find("must be finite"), std::string::npos);
}

}  // namespace
}  // namespace qtune::metrics
