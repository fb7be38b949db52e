// Imported results (Study::add_results and study::import_results) on a real SQLite store:
// the strategy starts from them, they never run again, the budget counts new trials only,
// importing twice adds nothing, and a bad file writes nothing.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <set>

#include "qtune/store/open_store.h"
#include "qtune/study/import.h"
#include "qtune/study/study.h"
#include "study/study_test_support.h"
#include "support/temp_dir.h"

namespace qtune::study {
namespace {

using testing::objective;
using testing::run_to_end;
using testing::study_toml;

class StudyImportTest : public testing::ToyStudyTest {
 protected:
  // The first `n` states of the 64 with their objective, as imported results.
  static std::vector<store::ImportedTrial> first_states(const Study& study, std::size_t n) {
    const space::Space& space = study.config().space;
    std::vector<store::ImportedTrial> out;
    for (space::StateId s = 0; s < n; ++s) {
      std::vector<store::Param> params;
      for (std::size_t k = 0; k < space.dims(); ++k) {
        params.push_back({space.dimension(k).name, space::format_value(space.value(s, k))});
      }
      const double value = objective(params);
      out.push_back({s, std::move(params), value, "/x/results.csv:" + std::to_string(s + 1)});
    }
    return out;
  }
};

TEST_F(StudyImportTest, EachStrategySpendsTheBudgetOnConfigurationsNotImported) {
  const std::vector<std::pair<std::string, std::string>> strategies = {
      {"random", ""}, {"grid", ""}, {"q-learning", ""}, {"q-learning", "preset = \"seed\"\n"}};
  for (const auto& [kind, extra] : strategies) {
    SCOPED_TRACE(kind + " " + extra);
    SetUp();
    auto study = open(study_toml(kind, 10, extra));
    ASSERT_NE(study, nullptr);
    auto added = study->add_results(first_states(*study, 40));
    ASSERT_TRUE(added.is_ok()) << added.status().to_string();
    EXPECT_EQ(added->added.size(), 40u);
    const std::vector<space::StateId> ran = run_to_end(*study);
    EXPECT_EQ(ran.size(), 10u);  // the budget: new trials only
    for (const space::StateId s : ran) EXPECT_GE(s, 40u) << "imported state " << s << " ran";
    auto progress = study->progress();
    ASSERT_TRUE(progress.is_ok());
    EXPECT_EQ(progress->imported, 40u);
    EXPECT_EQ(progress->complete, 10u);
    EXPECT_EQ(progress->evaluations, 10u);
    study.reset();
    store_.reset();
    std::filesystem::remove(dir_ / "toy.db");
  }
}

TEST_F(StudyImportTest, TheModelStrategyRecommendsAnImportedOptimumBeforeAnyRun) {
  auto study = open(study_toml("q-learning", 5));
  ASSERT_NE(study, nullptr);
  // Every configuration imported: the recommendation is the imported optimum
  // (K=4 dim=256 act=elu) without a single trial run.
  ASSERT_TRUE(study->add_results(first_states(*study, 64)).is_ok());
  const StrategyResults results = study->results();
  ASSERT_TRUE(results.recommendation.has_value());
  const auto& space = study->config().space;
  EXPECT_EQ(space.describe(*results.recommendation), "K=4 dim=256 act=elu");
  auto best = study->best();
  ASSERT_TRUE(best.is_ok() && best->has_value());
  EXPECT_EQ((*best)->value, 0.0);
}

TEST_F(StudyImportTest, AddingTheSameResultsAgainAddsNothingAndSurvivesAReopen) {
  auto study = open(study_toml("random", 10));
  ASSERT_NE(study, nullptr);
  const auto results = first_states(*study, 5);
  ASSERT_TRUE(study->add_results(results).is_ok());
  study.reset();
  study = open(study_toml("random", 10));  // the snapshot holds what the strategy observed
  auto again = study->add_results(results);
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again->added.size(), 0u);
  EXPECT_EQ(again->already, 5u);
  const std::vector<space::StateId> ran = run_to_end(*study);
  EXPECT_EQ(ran.size(), 10u);
  for (const space::StateId s : ran) EXPECT_GE(s, 5u);
}

TEST_F(StudyImportTest, AMalformedLineWritesNothingAndOutOfSpaceRowsAreSkippedOrRefused) {
  auto study = open(study_toml("random", 10));
  ASSERT_NE(study, nullptr);
  const auto file = dir_.write("r.csv", "3-64-relu,1.5\n9-64-relu,2\n3-64-elu,2.5\n");
  std::vector<std::string> skipped;
  ImportOptions options{"{K}-{dim}-{act}", "", false};
  auto report = import_results(*study, {file}, options);
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_EQ(report->added, 2u);
  ASSERT_EQ(report->skipped.size(), 1u);
  EXPECT_NE(report->skipped[0].find("r.csv:2: K is 9, not a value of the [space] (2, 3, 4, 5)"),
            std::string::npos)
      << report->skipped[0];

  options.strict = true;
  auto strict = import_results(*study, {file}, options);
  EXPECT_EQ(strict.status().code(), base::StatusCode::kInvalidArgument);

  const auto bad = dir_.write("bad.csv", "4-64-relu,1.5\n4-64-relu,abc\n");
  options.strict = false;
  auto malformed = import_results(*study, {bad}, options);
  ASSERT_EQ(malformed.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(malformed.status().message().find("bad.csv:2: the value \"abc\" is not a number"),
            std::string::npos)
      << malformed.status().message();
  auto progress = study->progress();
  ASSERT_TRUE(progress.is_ok());
  EXPECT_EQ(progress->imported, 2u);  // line 1 of bad.csv was not written either
}

}  // namespace
}  // namespace qtune::study
