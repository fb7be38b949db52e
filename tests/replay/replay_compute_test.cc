// Replay by compute (replay.h): the cost column, the grid's cost, scores at a compute
// budget by hand, and the strategy told each cost.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "qtune/agent/strategy_config.h"
#include "qtune/replay/replay.h"

namespace qtune::replay {
namespace {

// Grid order (row-major over a, b): values 6 4 7 5 1 8 3 2 9 (the minimum 1 is 5th, range
// 8), costs 1..9 in the same order: summed 1 3 6 10 15 21 28 36 45.
constexpr const char* kCostGrid =
    "a,b,y,seconds\n1,1,6,1\n1,2,4,2\n1,3,7,3\n2,1,5,4\n2,2,1,5\n2,3,8,6\n3,1,3,7\n"
    "3,2,2,8\n3,3,9,9\n";

ReplayTable cost_table(const std::vector<TableText>& texts) {
  TableSpec spec{"y", {}, std::nullopt, std::nullopt};
  spec.cost = "seconds";
  auto table = ReplayTable::parse(texts, spec);
  EXPECT_TRUE(table.is_ok()) << table.status().to_string();
  return std::move(table).value();
}

TEST(ReplayCost, TheCostColumnIsReadAndIsNotAParameter) {
  const ReplayTable table = cost_table({{"g.csv", kCostGrid}});
  ASSERT_TRUE(table.has_cost());
  EXPECT_EQ(table.space().dims(), 2u);
  EXPECT_EQ(table.cost(0, 4), 5.0);
  EXPECT_EQ(table.grid_cost(), 45.0);
}

TEST(ReplayCost, GridCostAveragesTheTables) {
  const ReplayTable table = cost_table(
      {{"s0.csv", "x,y,seconds\n1,1,2\n2,3,4\n"}, {"s1.csv", "x,y,seconds\n1,2,6\n2,5,8\n"}});
  EXPECT_EQ(table.grid_cost(), 4.0 + 6.0);
}

TEST(ReplayCost, BadCostsAreRefusedWithTheirPlace) {
  TableSpec spec{"y", {}, std::nullopt, std::nullopt};
  spec.cost = "seconds";
  auto missing = ReplayTable::parse({{"g.csv", "x,y\n1,1\n"}}, spec);
  ASSERT_FALSE(missing.is_ok());
  EXPECT_NE(missing.status().message().find("g.csv:1: no cost column \"seconds\""),
            std::string::npos)
      << missing.status().message();
  auto negative = ReplayTable::parse({{"g.csv", "x,y,seconds\n1,1,2\n2,1,-1\n"}}, spec);
  ASSERT_FALSE(negative.is_ok());
  EXPECT_NE(negative.status().message().find("g.csv:3:5: cost \"seconds\" is \"-1\""),
            std::string::npos)
      << negative.status().message();
  auto text = ReplayTable::parse({{"g.csv", "x,y,seconds\n1,1,slow\n"}}, spec);
  ASSERT_FALSE(text.is_ok());
}

TEST(ReplayCost, FidelityIsDeclaredOnTheDerivedGrid) {
  TableSpec spec{"y", {}, std::nullopt, std::nullopt};
  spec.fidelity = "b";
  auto table = ReplayTable::parse({{"g.csv", kCostGrid}}, spec);
  ASSERT_TRUE(table.is_ok()) << table.status().to_string();
  EXPECT_EQ(table->space().fidelity(), std::optional<std::size_t>(1));
  spec.fidelity = "c";
  auto unknown = ReplayTable::parse({{"g.csv", kCostGrid}}, spec);
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_NE(unknown.status().message().find("fidelity \"c\" is not a parameter"), std::string::npos)
      << unknown.status().message();
}

TEST(ReplayCost, GridOrderScoredAtComputeBudgetsByHand) {
  const ReplayTable table = cost_table({{"g.csv", kCostGrid}});
  agent::StrategyConfig grid;
  grid.kind = agent::StrategyKind::kGrid;
  ReplayOptions options;
  options.seeds = 3;
  options.budget = 100;
  options.compute_budget = 22.5;  // 50% of 45: 6 evaluations (21)
  options.report_compute_budgets = {10.0, 0.5};
  auto s = replay(table, strategy_factory(table.space(), grid), options);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  ASSERT_TRUE(s->compute.has_value());
  EXPECT_EQ(s->median_regret_at_budget, 0.0);
  EXPECT_EQ(s->median_best_at_budget, 1.0);
  EXPECT_EQ(s->median_cost_spent, 21.0);
  EXPECT_EQ(s->compute->median_evaluations, 6.0);
  EXPECT_EQ(s->found_best_fraction, 1.0);
  ASSERT_EQ(s->report_compute_budgets.size(), 2u);
  // 10: four evaluations (1 + 2 + 3 + 4), best 4, regret 3/8.
  EXPECT_EQ(s->report_compute_budgets[0].median_best, 4.0);
  EXPECT_EQ(s->report_compute_budgets[0].median_regret, 0.375);
  EXPECT_EQ(s->report_compute_budgets[0].median_cost_spent, 10.0);
  EXPECT_EQ(s->report_compute_budgets[0].found_best_fraction, 0.0);
  // 0.5: not even the first evaluation: the worst mean, nothing spent.
  EXPECT_EQ(s->report_compute_budgets[1].median_best, 9.0);
  EXPECT_EQ(s->report_compute_budgets[1].median_cost_spent, 0.0);
}

TEST(ReplayCost, ByEvaluationsTheCostSpentIsReportedAndScoresAreUnchanged) {
  const ReplayTable costed = cost_table({{"g.csv", kCostGrid}});
  auto plain = ReplayTable::parse({{"g.csv", kCostGrid}}, {"y", {}, std::nullopt, std::nullopt});
  ASSERT_TRUE(plain.is_ok());
  agent::StrategyConfig random;
  random.kind = agent::StrategyKind::kRandom;
  ReplayOptions options;
  options.seeds = 5;
  options.budget = 4;
  auto a = replay(costed, strategy_factory(costed.space(), random), options);
  auto b = replay(*plain, strategy_factory(plain->space(), random), options);
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_EQ(a->median_regret_at_budget, b->median_regret_at_budget);
  EXPECT_EQ(a->median_best_at_budget, b->median_best_at_budget);
  ASSERT_TRUE(a->median_cost_spent.has_value());
  EXPECT_GT(*a->median_cost_spent, 0.0);
  EXPECT_FALSE(b->median_cost_spent.has_value());
}

TEST(ReplayCost, AComputeBudgetNeedsACostColumn) {
  auto plain = ReplayTable::parse({{"g.csv", kCostGrid}}, {"y", {}, std::nullopt, std::nullopt});
  ASSERT_TRUE(plain.is_ok());
  ReplayOptions options;
  options.compute_budget = 10.0;
  auto s = replay(*plain, strategy_factory(plain->space(), {}), options);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.status().message().find("--cost"), std::string::npos) << s.status().message();
  options.compute_budget = 10.0;
  options.report_compute_budgets = {20.0};
  const ReplayTable costed = cost_table({{"g.csv", kCostGrid}});
  auto out_of_range = replay(costed, strategy_factory(costed.space(), {}), options);
  ASSERT_FALSE(out_of_range.is_ok());
}

}  // namespace
}  // namespace qtune::replay
