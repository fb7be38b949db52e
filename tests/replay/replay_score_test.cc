// The oracle's draws and the scoring arithmetic, against hand computation.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "qtune/replay/replay.h"
#include "replay/replay_table_fixture.h"

namespace qtune::replay {
namespace {

using testing::parse_replay_table;

// 3x3 grid, id = i_a * 3 + i_b; values 1..9 except a=3 b=30 (id 8), which failed.
// best (minimise) 1 at id 0; worst 8; range 7.
constexpr const char* kScoreGrid =
    "a,b,y,status\n"
    "1,10,1,ok\n1,20,2,ok\n1,30,3,ok\n"
    "2,10,4,ok\n2,20,5,ok\n2,30,6,ok\n"
    "3,10,7,ok\n3,20,8,ok\n3,30,0,failed\n";

TEST(ReplayOracle, OneTableIsNoiseFree) {
  const ReplayTable table = parse_replay_table({{"g.csv", kScoreGrid}});
  ReplayOracle oracle(table, 7);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(oracle.measure(4), 5.0);
    EXPECT_EQ(oracle.measure(8), std::nullopt);
  }
}

TEST(ReplayOracle, SeveralTablesDrawOneTableUniformlyAndReproducibly) {
  const ReplayTable table = parse_replay_table({{"s0.csv", "x,y\n1,10\n2,0\n"},
                                                {"s1.csv", "x,y\n1,20\n2,0\n"},
                                                {"s2.csv", "x,y\n1,30\n2,0\n"}});
  EXPECT_EQ(table.mean(0), 20.0);
  ReplayOracle oracle(table, 42);
  ReplayOracle again(table, 42);
  std::vector<int> counts(3, 0);
  const int n = 3000;
  for (int i = 0; i < n; ++i) {
    const auto v = oracle.measure(0);
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(again.measure(0), v);
    ++counts[static_cast<std::size_t>(*v / 10.0) - 1];
  }
  // Each table has probability 1/3: 1000 expected, sd 25.8; 5 sd either side.
  for (int c : counts) {
    EXPECT_GT(c, 871);
    EXPECT_LT(c, 1129);
  }
}

TEST(ReplayOracle, AFailureInTheDrawnTableIsAFailedTrial) {
  const ReplayTable table = parse_replay_table(
      {{"s0.csv", "x,y,status\n1,1,ok\n"}, {"s1.csv", "x,y,status\n1,3,crashed\n"}});
  EXPECT_EQ(table.mean(0), 1.0);
  ReplayOracle oracle(table, 3);
  int failed = 0;
  for (int i = 0; i < 200; ++i) {
    const auto v = oracle.measure(0);
    if (!v)
      ++failed;
    else
      EXPECT_EQ(*v, 1.0);
  }
  EXPECT_GT(failed, 50);
  EXPECT_LT(failed, 150);
}

RunTrace trace(std::vector<double> best_at, std::optional<std::uint32_t> evals_to_best) {
  return {std::move(best_at), evals_to_best};
}

TEST(ReplaySummary, RegretArithmeticOnAHandMadeGrid) {
  const ReplayTable table = parse_replay_table({{"g.csv", kScoreGrid}});
  // Budget 3. Seeds' best at 1, 2, 3 evaluations:
  const std::vector<RunTrace> runs = {
      trace({8, 4, 1}, 3),             // regret at 3: 0
      trace({5, 5, 2}, std::nullopt),  // 1/7
      trace({7, 3, 3}, std::nullopt),  // 2/7
      trace({1, 1, 1}, 1),             // 0
      trace({6, 6, 6}, std::nullopt),  // 5/7
  };
  const ReplaySummary s = summarise(table, store::Direction::kMinimize, 3, {1, 2}, runs);
  EXPECT_EQ(s.budget, 3u);
  EXPECT_EQ(s.seeds, 5u);
  EXPECT_EQ(s.table_best, 1.0);
  EXPECT_EQ(s.median_best_at_budget, 2.0);  // sorted 1 1 2 3 6
  EXPECT_DOUBLE_EQ(s.median_regret_at_budget, 1.0 / 7.0);
  EXPECT_DOUBLE_EQ(s.found_best_fraction, 0.4);
  EXPECT_EQ(s.median_evals_to_best, std::nullopt);  // 1 3 inf inf inf: the median is infinite
  ASSERT_EQ(s.report_budgets.size(), 2u);
  EXPECT_EQ(s.report_budgets[0].budget, 1u);
  EXPECT_EQ(s.report_budgets[0].median_best, 6.0);  // sorted 1 5 6 7 8
  EXPECT_DOUBLE_EQ(s.report_budgets[0].median_regret, 5.0 / 7.0);
  EXPECT_DOUBLE_EQ(s.report_budgets[0].found_best_fraction, 0.2);
  EXPECT_EQ(s.report_budgets[1].median_best, 4.0);  // sorted 1 3 4 5 6
  EXPECT_DOUBLE_EQ(s.report_budgets[1].median_regret, 3.0 / 7.0);
  EXPECT_DOUBLE_EQ(s.report_budgets[1].found_best_fraction, 0.2);
}

TEST(ReplaySummary, EvenSeedCountsAverageTheMiddlePair) {
  const ReplayTable table = parse_replay_table({{"g.csv", kScoreGrid}});
  const std::vector<RunTrace> runs = {trace({2}, 4), trace({4}, 9), trace({1}, 1),
                                      trace({8}, std::nullopt)};
  const ReplaySummary s = summarise(table, store::Direction::kMinimize, 1, {}, runs);
  EXPECT_EQ(s.median_best_at_budget, 3.0);                 // (2 + 4) / 2
  EXPECT_DOUBLE_EQ(s.median_regret_at_budget, 2.0 / 7.0);  // (1/7 + 3/7) / 2
  EXPECT_EQ(s.median_evals_to_best, 6.5);                  // 1 4 9 inf -> (4 + 9) / 2
  const ReplaySummary half_inf = summarise(table, store::Direction::kMinimize, 1, {},
                                           {trace({2}, 4), trace({2}, std::nullopt)});
  EXPECT_EQ(half_inf.median_evals_to_best, std::nullopt);  // (4 + inf) / 2
}

TEST(ReplaySummary, MaximiseScoresAgainstTheLargestTruth) {
  const ReplayTable table = parse_replay_table({{"g.csv", kScoreGrid}});
  const ReplaySummary s =
      summarise(table, store::Direction::kMaximize, 1, {},
                {trace({6}, std::nullopt), trace({8}, 1), trace({1}, std::nullopt)});
  EXPECT_EQ(s.table_best, 8.0);
  EXPECT_EQ(s.median_best_at_budget, 6.0);
  EXPECT_DOUBLE_EQ(s.median_regret_at_budget, 2.0 / 7.0);
}

}  // namespace
}  // namespace qtune::replay
