// `qtune replay`: the real binary on a small table, its JSON and its usage errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "support/run_process.h"
#include "support/temp_dir.h"

namespace qtune::replay {
namespace {

using testing::qtune_cli;
using testing::run_process;

// Grid order (row-major over a, b): 6 4 7 5 1 8 3 2 9; the minimum 1 is 5th, range 8.
constexpr const char* kCliGrid =
    "a,b,y,status\n1,1,6,ok\n1,2,4,ok\n1,3,7,ok\n2,1,5,ok\n2,2,1,ok\n2,3,8,ok\n3,1,3,ok\n"
    "3,2,2,ok\n3,3,9,ok\n";

TEST(ReplayCli, GridStrategyJsonHasTheExactScores) {
  testing::TempDir dir;
  const auto table = dir.write("grid.csv", kCliGrid);
  const auto result =
      run_process({qtune_cli(), "replay", table.string(), "--objective", "y", "--strategy", "grid",
                   "--budget", "6", "--seeds", "3", "--report-budgets", "3", "--format", "json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["strategy"], "grid");
  EXPECT_EQ(json["budget"], 6);
  EXPECT_EQ(json["seeds"], 3);
  EXPECT_EQ(json["table_best"], 1.0);
  EXPECT_EQ(json["median_best_at_budget"], 1.0);
  EXPECT_EQ(json["median_regret_at_budget"], 0.0);
  EXPECT_EQ(json["found_best_fraction"], 1.0);
  EXPECT_EQ(json["median_evals_to_best"], 5.0);
  ASSERT_EQ(json["report_budgets"].size(), 1u);
  EXPECT_EQ(json["report_budgets"][0]["budget"], 3);
  EXPECT_EQ(json["report_budgets"][0]["median_best_at_budget"], 4.0);
  EXPECT_EQ(json["report_budgets"][0]["median_regret_at_budget"], 0.375);
}

TEST(ReplayCli, NeverFindingTheBestGivesANullMedian) {
  testing::TempDir dir;
  const auto table = dir.write("grid.csv", kCliGrid);
  const auto result =
      run_process({qtune_cli(), "replay", table.string(), "--objective", "y", "--strategy", "grid",
                   "--budget", "4", "--seeds", "2", "--format", "json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_TRUE(json["median_evals_to_best"].is_null());
  EXPECT_EQ(json["found_best_fraction"], 0.0);
}

TEST(ReplayCli, BadInputExitsTwoNamingTheFileOrFlag) {
  testing::TempDir dir;
  const auto table = dir.write("grid.csv", kCliGrid);
  const auto no_column = run_process({qtune_cli(), "replay", table.string(), "--objective", "fid"});
  EXPECT_EQ(no_column.exit_code, 2);
  EXPECT_EQ(no_column.err,
            "qtune replay: " + table.string() +
                ":1: no objective column \"fid\"; the columns are a, b, y, status\n");
  const auto missing =
      run_process({qtune_cli(), "replay", (dir / "none.csv").string(), "--objective", "y"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("none.csv: cannot open the table"), std::string::npos) << missing.err;
  const auto bad_flag = run_process(
      {qtune_cli(), "replay", table.string(), "--objective", "y", "--strategy", "annealing"});
  EXPECT_EQ(bad_flag.exit_code, 2);
  EXPECT_NE(bad_flag.err.find("--strategy"), std::string::npos) << bad_flag.err;
}

}  // namespace
}  // namespace qtune::replay

namespace qtune::replay {
namespace {

TEST(ReplayCli, ComputeBudgetByPercentageReportsCostSpent) {
  testing::TempDir dir;
  const auto table =
      dir.write("cost.csv",
                "a,b,y,seconds\n1,1,6,1\n1,2,4,2\n1,3,7,3\n2,1,5,4\n2,2,1,5\n2,3,8,6\n3,1,3,7\n"
                "3,2,2,8\n3,3,9,9\n");
  const auto result =
      testing::run_process({testing::qtune_cli(), "replay", table.string(), "--objective", "y",
                            "--strategy", "grid", "--cost", "seconds", "--compute-budget", "50%",
                            "--report-compute-budgets", "10", "--seeds", "2", "--format", "json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["grid_cost"], 45.0);
  EXPECT_EQ(json["compute_budget"], 22.5);
  EXPECT_EQ(json["median_regret_at_budget"], 0.0);
  EXPECT_EQ(json["median_cost_spent"], 21.0);
  EXPECT_EQ(json["median_evaluations_at_budget"], 6.0);
  ASSERT_EQ(json["report_compute_budgets"].size(), 1u);
  EXPECT_EQ(json["report_compute_budgets"][0]["median_regret_at_budget"], 0.375);
  EXPECT_EQ(json["report_compute_budgets"][0]["median_cost_spent"], 10.0);
  // The table view prints the same.
  const auto text = testing::run_process({testing::qtune_cli(), "replay", table.string(),
                                          "--objective", "y", "--strategy", "grid", "--cost",
                                          "seconds", "--compute-budget", "22.5", "--seeds", "1"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("compute budget"), std::string::npos) << text.out;
}

TEST(ReplayCli, HyperbandRunsWithADeclaredFidelity) {
  testing::TempDir dir;
  const auto table =
      dir.write("cost.csv",
                "a,b,y,seconds\n1,1,6,1\n1,2,4,2\n1,3,7,3\n2,1,5,4\n2,2,1,5\n2,3,8,6\n3,1,3,7\n"
                "3,2,2,8\n3,3,9,9\n");
  const auto result =
      testing::run_process({testing::qtune_cli(), "replay", table.string(), "--objective", "y",
                            "--strategy", "hyperband", "--fidelity", "b", "--cost", "seconds",
                            "--compute-budget", "100%", "--seeds", "3", "--format", "json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["strategy"], "hyperband");
  EXPECT_EQ(json["fidelity"], "b");
  EXPECT_LE(json["median_cost_spent"].get<double>(), 45.0);
  // Without the fidelity it is refused, as bad input.
  const auto refused = testing::run_process({testing::qtune_cli(), "replay", table.string(),
                                             "--objective", "y", "--strategy", "hyperband"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("fidelity"), std::string::npos) << refused.err;
}

TEST(ReplayCli, ComputeBudgetWithoutCostIsRefused) {
  testing::TempDir dir;
  const auto table = dir.write("grid.csv", "a,y\n1,1\n2,2\n");
  const auto result = testing::run_process({testing::qtune_cli(), "replay", table.string(),
                                            "--objective", "y", "--compute-budget", "10%"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--cost"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace qtune::replay
