// study::decide_pruning and [pruning] parsing: the rules on hand-made curves, numbers checked
// by hand.
#include "qtune/study/pruning.h"

#include <gtest/gtest.h>

#include <cmath>

#include "qtune/study/study_config.h"

namespace qtune::study {
namespace {

// A curve with one point a step: values[i] at step i + 1.
Curve curve(std::initializer_list<double> values) {
  Curve out;
  std::int64_t step = 0;
  for (const double v : values) out.push_back({++step, v});
  return out;
}

PruningConfig median_config(double noise) {
  PruningConfig c;
  c.rule = PruningRule::kMedian;
  c.min_trials = 3;
  c.warmup_fraction = 0;
  c.noise = noise;
  return c;
}

// Finished curves whose values at step 2 are 5, 6, 7 (median 6), last step 4.
const std::vector<Curve> kFinished = {curve({9, 5, 4.5, 4}), curve({9, 6, 5, 4}),
                                      curve({9, 7, 5, 3})};

TEST(MedianRule, PlainStopsAnythingWorseThanTheMedianAtItsStep) {
  const PruneDecision worse = decide_pruning(median_config(0), kFinished, {}, curve({9, 6.5}));
  EXPECT_TRUE(worse.prune);
  EXPECT_EQ(worse.step, 2);
  EXPECT_DOUBLE_EQ(worse.threshold, 6);
  EXPECT_NE(worse.reason.find("pruned at step 2: 6.5 is worse than the median 6 of 3"),
            std::string::npos)
      << worse.reason;
  EXPECT_FALSE(decide_pruning(median_config(0), kFinished, {}, curve({9, 6})).prune);
}

// Finished curves 10 + k - 0.5 i + 0.1 (-1)^i at steps i = 1..10, k = 0, 1, 2: every second
// difference is +-0.4, so the reading noise is 1.4826 x 0.4 / sqrt(6) = 0.24212; the median at
// step 4 is 9.1, the median final value 6.1, the median last step 10.
std::vector<Curve> zigzag_finished() {
  std::vector<Curve> out;
  for (int k = 0; k < 3; ++k) {
    Curve c;
    for (int i = 1; i <= 10; ++i) c.push_back({i, 10 + k - 0.5 * i + (i % 2 == 0 ? 0.1 : -0.1)});
    out.push_back(c);
  }
  return out;
}

TEST(MedianRule, NoiseAwareKeepsATrialWithinTheReadingNoise) {
  const double noise = 1.4826 * 0.4 / std::sqrt(6.0);
  const PruneDecision within = decide_pruning(median_config(2), zigzag_finished(), {},
                                              {{1, 20}, {2, 20}, {3, 20}, {4, 9.5}});
  EXPECT_FALSE(within.prune) << within.reason;
  EXPECT_NEAR(within.threshold, 9.1 + 2 * noise, 1e-9);
  // The plain rule stops it: 9.5 > 9.1.
  EXPECT_TRUE(
      decide_pruning(median_config(0), zigzag_finished(), {}, {{1, 20}, {2, 20}, {3, 20}, {4, 9.5}})
          .prune);
}

TEST(MedianRule, NoiseAwareStopsAFlatTrialAndKeepsOneStillFallingSteeply) {
  const PruneDecision flat =
      decide_pruning(median_config(2), zigzag_finished(), {}, {{1, 20}, {2, 20}, {3, 20}, {4, 20}});
  EXPECT_TRUE(flat.prune);
  EXPECT_NE(flat.reason.find("pruned at step 4: 20 is worse than the median 9.1 of 3 finished "
                             "trials by more than 2 x noise 0.242, and its trend reaches only 20 "
                             "at step 10 (their median end: 6.1)"),
            std::string::npos)
      << flat.reason;
  // Falling 3 a step: a straight line would reach 11 - 3 x 6 = -7 by step 10, below 6.1.
  const PruneDecision falling =
      decide_pruning(median_config(2), zigzag_finished(), {}, {{1, 20}, {2, 17}, {3, 14}, {4, 11}});
  EXPECT_FALSE(falling.prune) << falling.reason;
  EXPECT_TRUE(
      decide_pruning(median_config(0), zigzag_finished(), {}, {{1, 20}, {2, 17}, {3, 14}, {4, 11}})
          .prune);
  // Falling, but not enough: 0.5 a step reaches 19 - 3 = 16.
  EXPECT_TRUE(decide_pruning(median_config(2), zigzag_finished(), {},
                             {{1, 20.5}, {2, 20}, {3, 19.5}, {4, 19}})
                  .prune);
}

TEST(MedianRule, AStepBetweenReportsTakesEachFinishedCurvesLastValueBeforeIt) {
  // Finished curves reported at steps 10 and 20 only; a trial at step 15 compares with their
  // values at 10: 1, 2, 3 (median 2).
  const std::vector<Curve> sparse = {{{10, 1}, {20, 0.5}}, {{10, 2}, {20, 1}}, {{10, 3}, {20, 2}}};
  EXPECT_TRUE(decide_pruning(median_config(0), sparse, {}, {{15, 2.5}}).prune);
  EXPECT_FALSE(decide_pruning(median_config(0), sparse, {}, {{15, 1.5}}).prune);
  // Before every finished curve's first report there is nothing to compare with.
  EXPECT_FALSE(decide_pruning(median_config(0), sparse, {}, {{5, 100}}).prune);
}

TEST(MedianRule, WaitsForMinTrialsStartStepAndWarmUp) {
  PruningConfig c = median_config(0);
  const Curve bad = curve({99, 99});
  c.min_trials = 4;
  EXPECT_FALSE(decide_pruning(c, kFinished, {}, bad).prune);
  c.min_trials = 3;
  c.start_step = 3;
  EXPECT_FALSE(decide_pruning(c, kFinished, {}, bad).prune);
  c.start_step = 2;
  EXPECT_TRUE(decide_pruning(c, kFinished, {}, bad).prune);
  c.warmup_fraction = 0.75;  // of the median last step 4: not before step 3
  EXPECT_FALSE(decide_pruning(c, kFinished, {}, bad).prune);
  EXPECT_TRUE(decide_pruning(c, kFinished, {}, curve({99, 99, 99})).prune);
  c.rule = PruningRule::kNone;
  EXPECT_FALSE(decide_pruning(c, kFinished, {}, curve({99, 99, 99})).prune);
}

TEST(AshaRule, KeepsTheBestThirdAtTheHighestRungReached) {
  PruningConfig c;
  c.rule = PruningRule::kAsha;
  c.min_trials = 1;
  c.warmup_fraction = 0;
  c.reduction_factor = 3;
  c.min_step = 1;
  // Rungs 1, 3, 9. Others at rung 3 (step 3): 1, 2, 4, 5, 6; one stopped at step 2 did not
  // reach it.
  const std::vector<Curve> others = {curve({9, 9, 1}), curve({9, 9, 2}), curve({9, 9, 4}),
                                     curve({9, 9, 5}), curve({9, 9, 6}), curve({0, 0})};
  const std::vector<Curve> finished = {curve({9, 9, 1})};
  // With the trial: 6 values, the best 2 go on (threshold: the 2nd best).
  const PruneDecision second = decide_pruning(c, finished, others, curve({9, 9, 1.5, 100}));
  EXPECT_FALSE(second.prune) << second.reason;
  EXPECT_DOUBLE_EQ(second.threshold, 1.5);
  const PruneDecision third = decide_pruning(c, finished, others, curve({9, 9, 3}));
  EXPECT_TRUE(third.prune);
  EXPECT_NE(third.reason.find("at rung 3"), std::string::npos) << third.reason;
}

TEST(PruningSecondsSaved, ScalesEachPrunedTrialsTimeToTheFinishedTrialsLastStep) {
  std::vector<store::TrialRecord> trials(3);
  const std::pair<store::TrialState, double> shape[] = {{store::TrialState::kComplete, 0},
                                                        {store::TrialState::kPruned, 100},
                                                        {store::TrialState::kFailed, 130}};
  for (std::size_t i = 0; i < 3; ++i) {
    trials[i].id = static_cast<TrialId>(i + 1);
    trials[i].state = shape[i].first;
    trials[i].started_at = shape[i].second;
  }
  trials[0].finished_at = 100;
  trials[1].finished_at = 130;
  trials[2].finished_at = 131;
  const std::vector<store::TrialProgress> progress = {{1, {{1, 5}, {10, 1}}},
                                                      {2, {{1, 5}, {3, 4}}}};
  // Pruned at step 3 of 10 after 30 s: 30 x (10/3 - 1) = 70 s saved.
  EXPECT_NEAR(pruning_seconds_saved(trials, progress), 70, 1e-9);
  EXPECT_EQ(pruning_seconds_saved(trials, {}), 0);
}

TEST(ParsePruning, KeysAndErrorsWithTheirLine) {
  auto parsed = parse_pruning(
      "[pruning]\nrule = \"asha\"\nmin_trials = 2\nstart_step = 5\nwarmup_fraction = 0.5\n"
      "noise = 1.5\ntrend_window = 0.2\nreduction_factor = 4\nmin_step = 10\n",
      "s.toml");
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_EQ(parsed->rule, PruningRule::kAsha);
  EXPECT_EQ(parsed->min_trials, 2u);
  EXPECT_EQ(parsed->start_step, 5);
  EXPECT_EQ(parsed->warmup_fraction, 0.5);
  EXPECT_EQ(parsed->noise, 1.5);
  EXPECT_EQ(parsed->trend_window, 0.2);
  EXPECT_EQ(parsed->reduction_factor, 4u);
  EXPECT_EQ(parsed->min_step, 10);
  auto absent = parse_pruning("[space]\n", "s.toml");
  ASSERT_TRUE(absent.is_ok());
  EXPECT_EQ(absent->rule, PruningRule::kNone);
  auto empty = parse_pruning("[pruning]\n", "s.toml");
  ASSERT_TRUE(empty.is_ok());
  EXPECT_EQ(empty->rule, PruningRule::kMedian);

  const struct {
    const char* text;
    const char* message;
  } bad[] = {
      {"[pruning]\n\nrule = \"mean\"\n", "s.toml:3: [pruning] rule: use \"none\", \"median\""},
      {"[pruning]\nwarmup_fraction = 1.5\n", "s.toml:2: [pruning] warmup_fraction: expected a"},
      {"[pruning]\nmin_trials = 0\n", "s.toml:2: [pruning] min_trials: expected an integer in 1"},
      {"[pruning]\nreduction_factor = 1\n", "[pruning] reduction_factor: expected an integer"},
      {"[pruning]\npatience = 3\n", "s.toml:2: [pruning] patience: unknown key"},
  };
  for (const auto& b : bad) {
    auto refused = parse_pruning(b.text, "s.toml");
    ASSERT_FALSE(refused.is_ok()) << b.text;
    EXPECT_EQ(refused.status().code(), base::StatusCode::kInvalidArgument);
    EXPECT_NE(refused.status().message().find(b.message), std::string::npos)
        << refused.status().message();
  }
}

TEST(ParsePruning, NeedsTheTrialsProgress) {
  const std::string base = "[space]\nx = { range = [0, 3] }\n[trial]\ncommand = [\"true\"]\n";
  auto refused = parse_study_config(base + "[pruning]\nrule = \"median\"\n", "s.toml");
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.status().message().find("s.toml:5: [pruning]: needs the trials' "
                                            "intermediate values; add [trial] progress"),
            std::string::npos)
      << refused.status().message();
  auto none = parse_study_config(base + "[pruning]\nrule = \"none\"\n", "s.toml");
  EXPECT_TRUE(none.is_ok()) << none.status().to_string();
  auto with = parse_study_config(
      "[space]\nx = { range = [0, 3] }\n[trial]\ncommand = [\"true\"]\n"
      "progress = { regex = 'e(\\d+) (\\S+)' }\n[pruning]\n",
      "s.toml");
  ASSERT_TRUE(with.is_ok()) << with.status().to_string();
  EXPECT_EQ(with->pruning.rule, PruningRule::kMedian);
  auto one_group = parse_study_config(
      "[space]\nx = { range = [0, 3] }\n[trial]\ncommand = [\"true\"]\n"
      "progress = { regex = 'loss (\\S+)' }\n",
      "s.toml");
  ASSERT_FALSE(one_group.is_ok());
  EXPECT_NE(one_group.status().message().find("s.toml:5"), std::string::npos)
      << one_group.status().message();
  EXPECT_NE(one_group.status().message().find("[trial] progress.regex: has 1 capture groups"),
            std::string::npos)
      << one_group.status().message();
}

// What a pruned trial is told: the median of the finished final values (median rule), or
// their best 1/reduction_factor quantile (ASHA); nothing without finished values.
TEST(PrunedLossBound, IsTheQuantileTheRuleJudgedAgainst) {
  PruningConfig median;
  median.rule = PruningRule::kMedian;
  EXPECT_EQ(pruned_loss_bound(median, {50, 10, 40, 20, 30}), 30.0);
  EXPECT_EQ(pruned_loss_bound(median, {40, 10, 20, 30}), 25.0);
  PruningConfig asha;
  asha.rule = PruningRule::kAsha;
  asha.reduction_factor = 3;
  // Position (5 - 1) / 3 = 4/3 between 20 and 30.
  EXPECT_NEAR(*pruned_loss_bound(asha, {50, 10, 40, 20, 30}), 20.0 + 10.0 / 3.0, 1e-12);
  asha.reduction_factor = 4;
  EXPECT_EQ(pruned_loss_bound(asha, {50, 10, 40, 20, 30}), 20.0);
  EXPECT_EQ(pruned_loss_bound(asha, {7}), 7.0);
  EXPECT_EQ(pruned_loss_bound(median, {}), std::nullopt);
}

}  // namespace
}  // namespace qtune::study
