// replay() and replay_run() driving the real grid and random strategies.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <memory>
#include <vector>

#include "qtune/replay/replay.h"
#include "replay/replay_table_fixture.h"

namespace qtune::replay {
namespace {

using testing::parse_replay_table;

// 3x3, id = i_a * 3 + i_b, values in grid (row-major) order 6 4 7 5 1 8 3 2 9:
// the minimum 1 at id 4, the maximum 9 at id 8, range 8.
constexpr const char* kRunGrid =
    "a,b,y\n1,1,6\n1,2,4\n1,3,7\n2,1,5\n2,2,1\n2,3,8\n3,1,3\n3,2,2\n3,3,9\n";

agent::StrategyConfig config_of(agent::StrategyKind kind, std::uint32_t trajectories = 1) {
  agent::StrategyConfig config;
  config.kind = kind;
  config.trajectories = trajectories;
  return config;
}

TEST(Replay, MissingConfigurationsCostNoEvaluationAndAreNotScored) {
  // kRunGrid without ids 0 and 1 (a=1, b=1 and b=2): grid search proposes them first.
  const ReplayTable table =
      parse_replay_table({{"g.csv", "a,b,y\n1,3,7\n2,1,5\n2,2,1\n2,3,8\n3,1,3\n3,2,2\n3,3,9\n"}});
  ASSERT_EQ(table.space().size(), 9u);
  EXPECT_EQ(table.listed_count(), 7u);
  auto strategy = strategy_factory(table.space(), config_of(agent::StrategyKind::kGrid))(0);
  ASSERT_TRUE(strategy.is_ok());
  ReplayOracle oracle(table, 0);
  const RunTrace trace = replay_run(table, store::Direction::kMinimize, **strategy, oracle, 3);
  // Measured: 7 (id 2), 5 (id 3), 1 (id 4); the missing ids 0 and 1 spent nothing.
  EXPECT_EQ(trace.best_at, (std::vector<double>{7, 5, 1}));
  EXPECT_EQ(trace.evals_to_best, 3u);
}

TEST(Replay, GridInKnownOrderGivesExactlyKnownScores) {
  const ReplayTable table = parse_replay_table({{"g.csv", kRunGrid}});
  ReplayOptions options;
  options.budget = 6;
  options.seeds = 5;
  options.report_budgets = {3};
  auto summary = replay(
      table, strategy_factory(table.space(), config_of(agent::StrategyKind::kGrid)), options);
  ASSERT_TRUE(summary.is_ok()) << summary.status().to_string();
  // Every seed: best measured after 1..6 evaluations = 6 4 4 4 1 1; the best on the 5th.
  EXPECT_EQ(summary->budget, 6u);
  EXPECT_EQ(summary->seeds, 5u);
  EXPECT_EQ(summary->table_best, 1.0);
  EXPECT_EQ(summary->median_best_at_budget, 1.0);
  EXPECT_EQ(summary->median_regret_at_budget, 0.0);
  EXPECT_EQ(summary->found_best_fraction, 1.0);
  EXPECT_EQ(summary->median_evals_to_best, 5.0);
  ASSERT_EQ(summary->report_budgets.size(), 1u);
  EXPECT_EQ(summary->report_budgets[0].median_best, 4.0);
  EXPECT_EQ(summary->report_budgets[0].median_regret, 3.0 / 8.0);
  EXPECT_EQ(summary->report_budgets[0].found_best_fraction, 0.0);

  options.direction = store::Direction::kMaximize;  // best measured: 6 6 7 7 7 8; the 9 is last
  auto maximise = replay(
      table, strategy_factory(table.space(), config_of(agent::StrategyKind::kGrid)), options);
  ASSERT_TRUE(maximise.is_ok()) << maximise.status().to_string();
  EXPECT_EQ(maximise->table_best, 9.0);
  EXPECT_EQ(maximise->median_best_at_budget, 8.0);
  EXPECT_EQ(maximise->median_regret_at_budget, 1.0 / 8.0);
  EXPECT_EQ(maximise->found_best_fraction, 0.0);
  EXPECT_EQ(maximise->median_evals_to_best, std::nullopt);
  EXPECT_EQ(maximise->report_budgets[0].median_best, 7.0);
}

TEST(Replay, NoisyRecommendationIsScoredOnTheMeanNotOnTheDraw) {
  // x=1 measures 0 or 10 (mean 5), x=2 always 4 (mean 4: the best). Grid measures x=1 then
  // x=2 and recommends the better measurement: x=1 when its draw was 0, scored as 5.
  const ReplayTable table =
      parse_replay_table({{"a.csv", "x,y\n1,0\n2,4\n"}, {"b.csv", "x,y\n1,10\n2,4\n"}});
  for (std::uint64_t seed = 0; seed < 8; ++seed) {
    SCOPED_TRACE(seed);
    auto strategy = agent::make_strategy(table.space(), config_of(agent::StrategyKind::kGrid), 1);
    ASSERT_TRUE(strategy.is_ok()) << strategy.status().to_string();
    ReplayOracle probe(table, seed);
    const double draw = probe.measure(0).value();
    ReplayOracle oracle(table, seed);
    const RunTrace trace = replay_run(table, store::Direction::kMinimize, **strategy, oracle, 2);
    EXPECT_EQ(trace.best_at[0], 5.0);
    EXPECT_EQ(trace.best_at[1], draw == 0.0 ? 5.0 : 4.0);
    EXPECT_EQ(trace.evals_to_best, 2u);
  }
}

TEST(Replay, AnExhaustedStrategyKeepsItsLastScore) {
  const ReplayTable table = parse_replay_table({{"g.csv", kRunGrid}});
  ReplayOptions options;
  options.budget = 20;  // the grid has 9 configurations
  options.seeds = 4;
  auto summary = replay(
      table, strategy_factory(table.space(), config_of(agent::StrategyKind::kRandom)), options);
  ASSERT_TRUE(summary.is_ok()) << summary.status().to_string();
  EXPECT_EQ(summary->median_best_at_budget, 1.0);
  EXPECT_EQ(summary->found_best_fraction, 1.0);
  ASSERT_TRUE(summary->median_evals_to_best.has_value());
  EXPECT_LE(*summary->median_evals_to_best, 9.0);
}

// A real strategy whose calls are recorded, to check the replay loop's protocol.
class Recording final : public agent::Strategy {
 public:
  explicit Recording(std::unique_ptr<agent::Strategy> inner) : inner_(std::move(inner)) {}
  std::string_view name() const override { return inner_->name(); }
  std::optional<agent::Proposal> ask() override {
    auto p = inner_->ask();
    if (p) {
      asked.push_back(p->state);
      outstanding.push_back(p->state);
      max_outstanding = std::max(max_outstanding, outstanding.size());
    }
    return p;
  }
  void tell(const agent::Proposal& p, const agent::Observation& o) override {
    EXPECT_EQ(p.state, outstanding.front()) << "told out of FIFO order";
    outstanding.pop_front();
    inner_->tell(p, o);
  }
  std::optional<space::StateId> recommend() const override { return inner_->recommend(); }
  std::string snapshot() const override { return inner_->snapshot(); }
  base::Status restore(std::string_view s) override { return inner_->restore(s); }

  std::vector<space::StateId> asked;
  std::deque<space::StateId> outstanding;
  std::size_t max_outstanding = 0;

 private:
  std::unique_ptr<agent::Strategy> inner_;
};

TEST(Replay, ParallelTrajectoriesAreToldInFifoOrderWithinTheBudget) {
  const ReplayTable table = parse_replay_table({{"g.csv", kRunGrid}});
  auto inner = agent::make_strategy(table.space(), config_of(agent::StrategyKind::kRandom, 3), 11);
  ASSERT_TRUE(inner.is_ok()) << inner.status().to_string();
  Recording strategy(std::move(inner).value());
  ReplayOracle oracle(table, 5);
  const RunTrace trace = replay_run(table, store::Direction::kMinimize, strategy, oracle, 7);
  EXPECT_EQ(trace.best_at.size(), 7u);
  EXPECT_EQ(strategy.asked.size(), 7u);  // never more than the budget
  EXPECT_EQ(strategy.max_outstanding, 3u);
  EXPECT_TRUE(strategy.outstanding.empty());
}

TEST(Replay, OptionsOutOfRangeAreRejected) {
  const ReplayTable table = parse_replay_table({{"g.csv", kRunGrid}});
  const auto factory = strategy_factory(table.space(), config_of(agent::StrategyKind::kGrid));
  ReplayOptions options;
  options.budget = 5;
  options.report_budgets = {6};
  auto bad = replay(table, factory, options);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().message(),
            "replay: report budget 6 is outside [1, 5]; report budgets lie within the budget");
  options.report_budgets = {};
  options.seeds = 0;
  EXPECT_EQ(replay(table, factory, options).status().message(), "replay: seeds 0; use at least 1");
}

TEST(Replay, ResultsDoNotDependOnTheThreadCount) {
  const ReplayTable table = parse_replay_table({{"a.csv", kRunGrid}, {"b.csv", kRunGrid}});
  ReplayOptions options;
  options.budget = 5;
  options.seeds = 9;
  const auto factory = strategy_factory(table.space(), config_of(agent::StrategyKind::kRandom));
  auto one = replay(table, factory, options);
  options.threads = 3;
  auto three = replay(table, factory, options);
  ASSERT_TRUE(one.is_ok() && three.is_ok());
  EXPECT_EQ(one->median_best_at_budget, three->median_best_at_budget);
  EXPECT_EQ(one->median_evals_to_best, three->median_evals_to_best);
  EXPECT_EQ(one->found_best_fraction, three->found_best_fraction);
}

}  // namespace
}  // namespace qtune::replay
