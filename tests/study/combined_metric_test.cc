// A reward from several metrics: the mid-rank losses told and ranked now, worked by hand; the
// Pareto front; best_trial by the loss now; and Study::tell storing the components and telling
// the loss.
#include "qtune/study/combined_metric.h"

#include <gtest/gtest.h>

#include <vector>

#include "qtune/study/results.h"
#include "qtune/study/study.h"
#include "study/study_test_support.h"

namespace qtune::study {
namespace {

MetricComponent fid(double v, double weight = 1) { return {"fid", v, weight, false}; }
MetricComponent two_way(double v, double weight = 1) { return {"alexnet2", v, weight, true}; }

store::TrialRecord complete(std::int64_t number, std::vector<MetricComponent> components) {
  store::TrialRecord t;
  t.number = number;
  t.state_id = static_cast<space::StateId>(number);
  t.state = store::TrialState::kComplete;
  t.value = 0.5;  // whatever was told
  t.components = std::move(components);
  return t;
}

TEST(CombinedMetric, ATrialAloneScoresOneHalf) {
  EXPECT_DOUBLE_EQ(told_combined_loss({fid(80), two_way(0.7)}, {}), 0.5);
}

TEST(CombinedMetric, ToldLossIsTheWeightedMeanOfMidRanksAmongTheFinishedTrials) {
  // Finished: fid 50 / 0.9 and fid 90 / 0.6. The new trial, fid 70 / 0.9: fid better than one
  // of three (itself counted once) -> (1 + 0.5) / 3; alexnet2 ties the best -> (0 + 2/2) / 3.
  const std::vector<store::TrialRecord> finished = {complete(0, {fid(50), two_way(0.9)}),
                                                    complete(1, {fid(90), two_way(0.6)})};
  EXPECT_DOUBLE_EQ(told_combined_loss({fid(70), two_way(0.9)}, finished), (1.5 / 3 + 1.0 / 3) / 2);
  // Weights 1 and 3.
  EXPECT_DOUBLE_EQ(told_combined_loss({fid(70, 1), two_way(0.9, 3)}, finished),
                   (1.5 / 3 + 3 * (1.0 / 3)) / 4);
  // Failed, pruned and component-less trials are not ranked against.
  std::vector<store::TrialRecord> more = finished;
  more.push_back(complete(2, {}));
  more.push_back(complete(3, {fid(1), two_way(1)}));
  more.back().state = store::TrialState::kFailed;
  EXPECT_DOUBLE_EQ(told_combined_loss({fid(70), two_way(0.9)}, more), (1.5 / 3 + 1.0 / 3) / 2);
}

TEST(CombinedMetric, LossNowRanksEveryCompleteTrialAmongAllOfThem) {
  const std::vector<store::TrialRecord> trials = {
      complete(0, {fid(50), two_way(0.9)}), complete(1, {fid(90), two_way(0.6)}),
      complete(2, {fid(70), two_way(0.9)}), complete(3, {})};
  const auto now = combined_loss_now(trials);
  ASSERT_EQ(now.size(), 4u);
  EXPECT_DOUBLE_EQ(*now[0], (0.5 / 3 + 1.0 / 3) / 2);
  EXPECT_DOUBLE_EQ(*now[1], (2.5 / 3 + 2.5 / 3) / 2);
  EXPECT_DOUBLE_EQ(*now[2], (1.5 / 3 + 1.0 / 3) / 2);
  EXPECT_FALSE(now[3].has_value());
  // best_trial ranks by it, whatever the study's direction and the values told.
  const auto best = best_trial(trials, store::Direction::kMaximize);
  ASSERT_TRUE(best.has_value());
  EXPECT_EQ(best->number, 0);
  EXPECT_DOUBLE_EQ(best->value, *now[0]);
  EXPECT_EQ(best->components, trials[0].components);
}

TEST(CombinedMetric, ParetoFrontKeepsTheNonDominatedTrialsAndTies) {
  const std::vector<store::TrialRecord> trials = {
      complete(0, {fid(50), two_way(0.7)}),  // front: best fid
      complete(1, {fid(90), two_way(0.6)}),  // dominated by 0 and 2
      complete(2, {fid(70), two_way(0.9)}),  // front: best alexnet2
      complete(3, {fid(70), two_way(0.8)}),  // dominated by 2 (equal fid, worse alexnet2)
      complete(4, {fid(50), two_way(0.7)}),  // equal to 0: stays with it
      complete(5, {})};
  EXPECT_EQ(pareto_front(trials), (std::vector<std::size_t>{0, 2, 4}));
  EXPECT_TRUE(pareto_front({complete(0, {})}).empty());
  EXPECT_EQ(component_names(trials), (std::vector<std::string>{"fid", "alexnet2"}));
  EXPECT_EQ(component_value(trials[2], "alexnet2"), 0.9);
  EXPECT_FALSE(component_value(trials[5], "fid").has_value());
}

class CombinedStudyTest : public testing::ToyStudyTest {};

TEST_F(CombinedStudyTest, TellStoresTheComponentsAndTellsTheLossAgainstTheTrialsBefore) {
  auto study = open(testing::study_toml("random", 3));
  ASSERT_NE(study, nullptr);
  const std::vector<std::vector<MetricComponent>> measured = {
      {fid(60), two_way(0.8)}, {fid(40), two_way(0.7)}, {fid(80), two_way(0.9)}};
  for (const auto& components : measured) {
    auto next = study->ask("tester");
    ASSERT_TRUE(next.is_ok() && next->trial) << next.status().to_string();
    ASSERT_TRUE(study->tell(next->trial->id, Outcome::combined(components)).is_ok());
  }
  auto trials = study->trials();
  ASSERT_TRUE(trials.is_ok());
  ASSERT_EQ(trials->size(), 3u);
  // Told in turn: alone 0.5; then fid best of 2 (0.25), alexnet2 worst of 2 (0.75); then fid
  // worst of 3 (2.5/3), alexnet2 best of 3 (0.5/3).
  EXPECT_DOUBLE_EQ(*(*trials)[0].value, 0.5);
  EXPECT_DOUBLE_EQ(*(*trials)[1].value, 0.5);
  EXPECT_DOUBLE_EQ(*(*trials)[2].value, 0.5);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ((*trials)[i].components, measured[i]);
  // Now all three tie at 0.5 too (each is best on one and worst or middle on the other);
  // the earliest wins the tie.
  auto best = study->best();
  ASSERT_TRUE(best.is_ok() && best->has_value());
  EXPECT_EQ((*best)->number, 0);
  EXPECT_DOUBLE_EQ((*best)->value, (1.5 / 3 + 1.5 / 3) / 2);
}

TEST_F(CombinedStudyTest, ImportIsRefused) {
  auto study = open(testing::study_toml("random", 3) + R"(
[trial]
command = ["true"]
metric = { reference = "a", generated = "b", combine = [{ builtin = "mse" }, { builtin = "psnr" }] }
)");
  ASSERT_NE(study, nullptr);
  const auto added = study->add_results({{0, {}, 1.0, "f.csv:2"}});
  EXPECT_EQ(added.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(added.status().message().find("combines metrics"), std::string::npos);
}

}  // namespace
}  // namespace qtune::study
