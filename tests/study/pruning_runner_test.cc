// [trial] progress and [pruning] through study::Runner: real `sh` trials that print a
// learning curve, a real SQLite file.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "qtune/store/open_store.h"
#include "qtune/study/runner.h"
#include "support/temp_dir.h"

namespace qtune::study {
namespace {

using ::qtune::testing::TempDir;

class Notes : public RunObserver {
 public:
  void note(const std::string& message) override { notes.push_back(message); }
  std::vector<std::string> notes;
};

class PruningRunnerTest : public ::testing::Test {
 protected:
  // Grid over x = 0..5, one trial at a time: trial x prints 20 epochs "epoch E val: V" with
  // V = 10 + 5x - E/10 (0.03 s each), then "FID: V" at the end. x = 0 and 1 finish first;
  // every later one is worse than their median from its first epoch on.
  std::filesystem::path study(std::string_view pruning, std::string_view progress_regex) {
    dir_.write("t.sh",
               "for e in $(seq 1 20); do\n"
               "  v=$(awk -v x=$1 -v e=$e 'BEGIN { printf \"%.2f\", 10 + 5 * x - e / 10 }')\n"
               "  echo \"epoch $e val: $v\"; sleep 0.03\n"
               "done\n"
               "echo \"FID: $v\"\n");
    return dir_.write(
        "s.toml",
        "[study]\nname = \"s\"\n[space]\nx = { range = [0, 5] }\n[strategy]\nkind = \"grid\"\n"
        "[trial]\ncommand = [\"sh\", \"" +
            (dir_ / "t.sh").string() + "\", \"{x}\"]\nworkdir = \"" + dir_.path().string() +
            "\"\nprogress = { regex = '" + std::string(progress_regex) + "' }\n" +
            std::string(pruning));
  }

  struct Ran {
    std::vector<store::TrialRecord> trials;
    std::vector<store::TrialProgress> progress;
    Progress counts;
  };

  Ran run(const std::filesystem::path& file, Notes& notes) {
    RunnerOptions options;
    options.file = file;
    options.install_signal_handlers = false;
    Runner runner(options, &notes);
    const auto result = runner.run();
    EXPECT_TRUE(result.is_ok()) << result.status().to_string();
    auto config = load_study_config(file);
    EXPECT_TRUE(config.is_ok()) << config.status().to_string();
    auto store = store::open_store(config->storage.url());
    EXPECT_TRUE(store.is_ok());
    auto opened = Study::open_read_only(*config, **store);
    EXPECT_TRUE(opened.is_ok());
    Ran ran;
    ran.trials = *(*opened)->trials();
    ran.progress = *(*opened)->progress_curves();
    ran.counts = *(*opened)->progress();
    return ran;
  }

  TempDir dir_;
};

TEST_F(PruningRunnerTest, TrialsWorseThanTheMedianAreStoppedAndRecordedPruned) {
  const auto file =
      study("[pruning]\nrule = \"median\"\nmin_trials = 2\nwarmup_fraction = 0.1\nnoise = 0\n",
            R"(epoch (\d+) val: (\S+))");
  Notes notes;
  const Ran ran = run(file, notes);
  ASSERT_EQ(ran.trials.size(), 6u);
  EXPECT_EQ(ran.counts.complete, 2u);
  EXPECT_EQ(ran.counts.pruned, 4u);
  EXPECT_EQ(ran.counts.failed, 0u);  // pruned trials are not failures
  ASSERT_EQ(ran.progress.size(), 6u);
  for (const store::TrialRecord& t : ran.trials) {
    const auto curve = std::find_if(ran.progress.begin(), ran.progress.end(),
                                    [&](const auto& p) { return p.trial == t.id; });
    ASSERT_NE(curve, ran.progress.end());
    ASSERT_FALSE(curve->points.empty());
    const ProgressPoint last = curve->points.back();
    if (t.number < 2) {
      EXPECT_EQ(t.state, store::TrialState::kComplete);
      EXPECT_EQ(curve->points.size(), 20u);  // every epoch, stored while it ran
      EXPECT_DOUBLE_EQ(*t.value, 10 + 5 * static_cast<double>(t.number) - 2.0);
    } else {
      EXPECT_EQ(t.state, store::TrialState::kPruned) << t.failure_reason;
      // Stopped at the first epoch past the warm-up (10% of 20) read after it was printed.
      EXPECT_GE(last.step, 2);
      EXPECT_LT(last.step, 20);
      // Its value is the last intermediate value it printed, as stored with it.
      ASSERT_TRUE(t.value.has_value());
      EXPECT_DOUBLE_EQ(*t.value, last.value);
      EXPECT_NE(t.failure_reason.find("pruned at step"), std::string::npos) << t.failure_reason;
      EXPECT_NE(t.failure_reason.find("median"), std::string::npos);
    }
  }
  auto best = std::find_if(ran.trials.begin(), ran.trials.end(),
                           [](const auto& t) { return t.number == 0; });
  ASSERT_TRUE(ran.counts.best.has_value());
  EXPECT_EQ(ran.counts.best->value, *best->value);
}

TEST_F(PruningRunnerTest, ARegexThatNeverMatchesPrunesNothingAndWarnsOnce) {
  const auto file =
      study("[pruning]\nmin_trials = 1\nwarmup_fraction = 0\n", R"(iteration (\d+) loss: (\S+))");
  Notes notes;
  const Ran ran = run(file, notes);
  EXPECT_EQ(ran.counts.complete, 6u);
  EXPECT_EQ(ran.counts.pruned, 0u);
  EXPECT_TRUE(ran.progress.empty());
  const auto warnings = std::count_if(notes.notes.begin(), notes.notes.end(), [](const auto& n) {
    return n.find("reported no progress") != std::string::npos;
  });
  EXPECT_EQ(warnings, 1);
}

TEST_F(PruningRunnerTest, RuleNoneStoresTheCurvesAndStopsNothing) {
  const auto file = study("[pruning]\nrule = \"none\"\n", R"(epoch (\d+) val: (\S+))");
  Notes notes;
  const Ran ran = run(file, notes);
  EXPECT_EQ(ran.counts.complete, 6u);
  EXPECT_EQ(ran.counts.pruned, 0u);
  ASSERT_EQ(ran.progress.size(), 6u);
  for (const auto& p : ran.progress) EXPECT_EQ(p.points.size(), 20u);
}

}  // namespace
}  // namespace qtune::study
