// study::compute_use and next_trial_exceeds: [budget] compute on hand-made trial records.
#include "qtune/study/compute.h"

#include <gtest/gtest.h>

#include "qtune/store/open_store.h"
#include "qtune/study/runner.h"
#include "support/temp_dir.h"

namespace qtune::study {
namespace {

store::TrialRecord trial(store::TrialState state, double started, double ended) {
  store::TrialRecord t;
  t.state = state;
  t.started_at = started;
  t.heartbeat_at = started;
  if (state == store::TrialState::kRunning) {
    t.heartbeat_at = ended;
  } else {
    t.finished_at = ended;
  }
  return t;
}

TEST(ComputeUse, SumsEveryTrialRunAndTakesTheMedianCompleteOneAsTypical) {
  std::vector<store::TrialRecord> trials = {
      trial(store::TrialState::kComplete, 0, 100),    // 100 s
      trial(store::TrialState::kComplete, 100, 400),  // 300 s
      trial(store::TrialState::kComplete, 400, 600),  // 200 s
      trial(store::TrialState::kPruned, 600, 630),    // 30 s, not typical
      trial(store::TrialState::kFailed, 630, 640),    // 10 s, not typical
      trial(store::TrialState::kRunning, 640, 690),   // 50 s so far
      trial(store::TrialState::kInterrupted, 0, 0),   // not counted
  };
  trials.back().finished_at.reset();
  store::TrialRecord imported = trial(store::TrialState::kComplete, 0, 5000);
  imported.source = "old.csv:3";
  trials.push_back(imported);
  const ComputeUse use = compute_use(trials);
  EXPECT_DOUBLE_EQ(use.spent_seconds, 100 + 300 + 200 + 30 + 10 + 50);
  ASSERT_TRUE(use.typical_seconds.has_value());
  EXPECT_DOUBLE_EQ(*use.typical_seconds, 200);
  EXPECT_EQ(use.measured, 3u);
  // The running trial will likely take 200 s: 150 s more.
  EXPECT_DOUBLE_EQ(use.committed_seconds, 690 + 150);
  // 840 committed + 200 for one more: 1040.
  EXPECT_FALSE(next_trial_exceeds(use, 1040));
  EXPECT_TRUE(next_trial_exceeds(use, 1039));
}

TEST(ComputeUse, BeforeAnyTrialFinishedTrialsStartUntilTheBudgetIsSpent) {
  const ComputeUse none = compute_use({});
  EXPECT_FALSE(none.typical_seconds.has_value());
  EXPECT_FALSE(next_trial_exceeds(none, 1));
  const ComputeUse running = compute_use({trial(store::TrialState::kRunning, 0, 30)});
  EXPECT_FALSE(next_trial_exceeds(running, 31));
  EXPECT_TRUE(next_trial_exceeds(running, 30));
  // Only failures so far: they are the typical trial.
  const ComputeUse failed = compute_use({trial(store::TrialState::kFailed, 0, 40)});
  EXPECT_EQ(failed.typical_seconds, 40);
}

// A study of `sh -c "sleep S"` trials over x = 0..9 (random order) with [budget] compute.
std::filesystem::path sleepy_study(const ::qtune::testing::TempDir& dir, std::string_view sleep,
                                   std::string_view compute) {
  return dir.write("s.toml",
                   "[study]\nname = \"s\"\n[space]\nx = { range = [0, 9] }\n"
                   "[strategy]\nkind = \"random\"\n[budget]\ncompute = \"" +
                       std::string(compute) + "\"\n[trial]\ncommand = [\"sh\", \"-c\", \"sleep " +
                       std::string(sleep) + "; echo FID: {x}\"]\n");
}

base::Result<RunResult> run_study(const std::filesystem::path& file) {
  RunnerOptions options;
  options.file = file;
  options.install_signal_handlers = false;
  return Runner(options).run();
}

std::vector<store::TrialRecord> trials_of(const std::filesystem::path& file) {
  auto config = load_study_config(file);
  auto store = store::open_store(config->storage.url());
  auto study = Study::open_read_only(*config, **store);
  return *(*study)->trials();
}

TEST(ComputeBudget, TheStudyEndsBeforeTheNextTrialWouldExceedIt) {
  ::qtune::testing::TempDir dir;
  const auto file = sleepy_study(dir, "0.3", "1.5s");
  const auto result = run_study(file);
  ASSERT_TRUE(result.is_ok()) << result.status().to_string();
  EXPECT_EQ(result->end, RunEnd::kFinished);
  const auto trials = trials_of(file);
  const ComputeUse use = compute_use(trials);
  // About 0.3 s a trial (more on a loaded machine): fewer than the 10 configurations, and
  // the last one started while one more typical trial still fitted.
  EXPECT_GE(trials.size(), 2u);
  EXPECT_LT(trials.size(), 10u);
  ASSERT_TRUE(use.typical_seconds.has_value());
  EXPECT_LE(use.spent_seconds - *use.typical_seconds, 1.5 + 1e-9);
}

TEST(ComputeBudget, ABudgetSmallerThanOneTrialIsRefused) {
  ::qtune::testing::TempDir dir;
  const auto file = sleepy_study(dir, "1.2", "1s");
  const auto result = run_study(file);
  ASSERT_FALSE(result.is_ok());
  EXPECT_EQ(result.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("[budget] compute = 1s is smaller than one trial"),
            std::string::npos)
      << result.status().message();
  EXPECT_EQ(trials_of(file).size(), 1u);  // the first trial ran; none after it
}

TEST(ComputeBudget, IsADurationAboveZero) {
  const std::string space = "[space]\nx = { range = [0, 3] }\n";
  auto parsed = parse_study_config(space + "[budget]\ncompute = \"72h\"\n", "s.toml");
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_EQ(parsed->budget.compute, std::chrono::hours(72));
  for (const char* bad : {"compute = \"0s\"", "compute = \"soon\"", "compute = 5"}) {
    auto refused = parse_study_config(space + "[budget]\n" + bad + "\n", "s.toml");
    ASSERT_FALSE(refused.is_ok()) << bad;
    EXPECT_NE(refused.status().message().find("s.toml:4: [budget] compute:"), std::string::npos)
        << refused.status().message();
  }
}

}  // namespace
}  // namespace qtune::study
