// 2-way identification, its binomial p-value and the correlation distance against numpy /
// scipy (tests/reference/nn_evaluation_table.py stats: MindEye's two_way_identification,
// brain-diffuser's 1 - binom.cdf, scipy.spatial.distance.correlation, binom.sf).
#include "qtune/metrics/identification.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_process.h"
#include "support/temp_dir.h"

namespace qtune::metrics {
namespace {

std::vector<double> stats_numbers(const std::string& text) {
  std::istringstream in(text);
  std::vector<double> out;
  for (double v; in >> v;) out.push_back(v);
  return out;
}

void write_doubles(const std::filesystem::path& path, const std::vector<double>& values) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(values.data()),
            static_cast<std::streamsize>(values.size() * sizeof(double)));
}

// Stimulus features and reconstructions = signal * stimulus + noise.
std::pair<Features, Features> noisy_pairs(std::size_t n, std::size_t d, double signal,
                                          unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal;
  Features a{n, d, std::vector<double>(n * d)};
  Features b{n, d, std::vector<double>(n * d)};
  for (std::size_t i = 0; i < n * d; ++i) {
    a.values[i] = normal(rng);
    b.values[i] = signal * a.values[i] + normal(rng);
  }
  return {a, b};
}

TEST(IdentificationTest, MatchesNumpyAndScipy) {
  testing::TempDir dir;
  for (const auto& [n, d, signal] : {std::tuple{std::size_t{12}, std::size_t{50}, 0.15},
                                     std::tuple{std::size_t{30}, std::size_t{7}, 0.4}}) {
    const auto [a, b] = noisy_pairs(n, d, signal, static_cast<unsigned>(n));
    write_doubles(dir / "a.f64", a.values);
    write_doubles(dir / "b.f64", b.values);
    auto two_way = two_way_identification(a, b);
    ASSERT_TRUE(two_way.is_ok()) << two_way.status().to_string();
    const auto r = testing::run_reference_script(
        "nn_evaluation_table.py",
        {"stats", (dir / "a.f64").string(), (dir / "b.f64").string(), std::to_string(n),
         std::to_string(d), std::to_string(two_way->successes)});
    const std::vector<double> expected = stats_numbers(r.out);
    ASSERT_EQ(expected.size(), 5u);
    EXPECT_EQ(two_way->score, expected[0]);
    EXPECT_EQ(static_cast<double>(two_way->successes), expected[1]);
    EXPECT_EQ(two_way->comparisons, static_cast<std::uint64_t>(n * (n - 1)));
    EXPECT_GT(two_way->score, 0.5);
    EXPECT_LT(two_way->score, 1.0);
    EXPECT_NEAR(two_way->p_value, expected[2], 1e-9 * expected[2] + 1e-15);
    EXPECT_NEAR(two_way->p_value, expected[4], 1e-9 * expected[4]);
    auto distance = mean_correlation_distance(a, b);
    ASSERT_TRUE(distance.is_ok());
    EXPECT_NEAR(*distance, expected[3], 1e-12);
  }
}

TEST(IdentificationTest, BinomialTailMatchesScipyFarIntoTheTail) {
  // scipy's binom.sf(k, 90, 0.5), printed by the stats command for each k: the tail far
  // below 1e-16, where brain-diffuser's 1 - binom.cdf is 0.
  testing::TempDir dir;
  const auto [a, b] = noisy_pairs(10, 5, 0.3, 1);
  write_doubles(dir / "a.f64", a.values);
  write_doubles(dir / "b.f64", b.values);
  const std::vector<std::uint64_t> ks = {0, 30, 44, 45, 60, 85, 89};
  const auto r = testing::run_reference_script(
      "nn_evaluation_table.py", {"stats", (dir / "a.f64").string(), (dir / "b.f64").string(), "10",
                                 "5", "0,30,44,45,60,85,89"});
  const std::vector<double> out = stats_numbers(r.out);
  ASSERT_EQ(out.size(), 4 + ks.size());
  for (std::size_t i = 0; i < ks.size(); ++i) {
    const double expected = out[4 + i];
    EXPECT_NEAR(binomial_half_upper_tail(ks[i], 90), expected, 1e-12 * expected) << "k = " << ks[i];
  }
  EXPECT_EQ(binomial_half_upper_tail(90, 90), 0.0);
  EXPECT_EQ(binomial_half_upper_tail(0, 1), 0.5);
}

TEST(IdentificationTest, UndefinedCasesAreRefused) {
  const auto [a, b] = noisy_pairs(4, 6, 0.5, 3);
  Features one{1, 6, std::vector<double>(a.values.begin(), a.values.begin() + 6)};
  auto single = two_way_identification(one, one);
  ASSERT_FALSE(single.is_ok());
  EXPECT_NE(single.status().message().find("at least 2 pairs"), std::string::npos);
  Features constant = b;
  std::fill(constant.values.begin() + 12, constant.values.begin() + 18, 0.25);
  auto flat = two_way_identification(a, constant);
  ASSERT_FALSE(flat.is_ok());
  EXPECT_NE(flat.status().message().find("reconstruction 2 are constant"), std::string::npos)
      << flat.status().message();
  Features shorter{3, 6, std::vector<double>(b.values.begin(), b.values.begin() + 18)};
  EXPECT_FALSE(mean_correlation_distance(a, shorter).is_ok());
}

}  // namespace
}  // namespace qtune::metrics
