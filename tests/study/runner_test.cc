// study::Runner with the local executor: real `sh` trials, a real SQLite file.
#include "qtune/study/runner.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "qtune/store/open_store.h"
#include "support/temp_dir.h"

namespace qtune::study {
namespace {

using ::qtune::testing::TempDir;

// Records what the Runner reports; optionally stops it after the first finished trial.
class RecordingObserver : public RunObserver {
 public:
  void started(const StudyConfig& config, const std::filesystem::path& dir) override {
    started_name = config.name;
    trials = dir;
  }
  void trial_finished(std::int64_t number, const std::vector<store::Param>& params,
                      const exec::TrialOutcome& outcome, const Progress& progress) override {
    EXPECT_EQ(params.size(), 1u);
    if (outcome.reason == exec::FailureReason::kInterrupted) {
      interrupted.insert(number);  // reported too, with its outcome
      return;
    }
    ASSERT_TRUE(outcome.ok()) << outcome.message;
    finished[number] = *outcome.value;
    evaluations = progress.evaluations;
    if (stop_after_first != nullptr) stop_after_first->request_stop();
  }
  void note(const std::string& message) override { notes.push_back(message); }

  Runner* stop_after_first = nullptr;
  std::string started_name;
  std::filesystem::path trials;
  std::map<std::int64_t, double> finished;
  std::set<std::int64_t> interrupted;
  std::size_t evaluations = 0;
  std::vector<std::string> notes;
};

class RunnerTest : public ::testing::Test {
 protected:
  // x in 0..9, FID (x-4)^2 on stdout; `parallel` trials at once. While the file `gate` exists,
  // every trial but the first to start sleeps, so a stop finds it running.
  std::filesystem::path study(int trials, int parallel) {
    dir_.write("t.sh",
               "if ! mkdir first 2>/dev/null && [ -f gate ]; then sleep 30; fi\n"
               "echo \"FID: $(( ($1-4)*($1-4) ))\"\n");
    return dir_.write("s.toml",
                      "[study]\nname = \"s\"\nseed = 3\n[space]\n"
                      "x = { range = [0, 9] }\n[budget]\ntrials = " +
                          std::to_string(trials) + "\nparallel = " + std::to_string(parallel) +
                          "\n[trial]\ncommand = [\"sh\", \"" + (dir_ / "t.sh").string() +
                          "\", \"{x}\"]\nworkdir = \"" + dir_.path().string() + "\"\n");
  }

  std::vector<store::TrialRecord> trials(const std::filesystem::path& file) {
    auto config = load_study_config(file);
    EXPECT_TRUE(config.is_ok()) << config.status().to_string();
    auto store = store::open_store(config->storage.url());
    EXPECT_TRUE(store.is_ok()) << store.status().to_string();
    auto opened = Study::open_read_only(*config, **store);
    EXPECT_TRUE(opened.is_ok()) << opened.status().to_string();
    auto records = (*opened)->trials();
    EXPECT_TRUE(records.is_ok()) << records.status().to_string();
    return *records;
  }

  static RunnerOptions options(const std::filesystem::path& file) {
    RunnerOptions o;
    o.file = file;
    o.install_signal_handlers = false;  // gtest's process: stop with request_stop()
    return o;
  }

  TempDir dir_;
};

TEST_F(RunnerTest, RunsTheBudgetAndReportsEachTrial) {
  const auto file = study(6, 2);
  RecordingObserver observer;
  Runner runner(options(file), &observer);
  const base::Result<RunResult> result = runner.run();
  ASSERT_TRUE(result.is_ok()) << result.status().to_string();
  EXPECT_EQ(result->end, RunEnd::kFinished);
  EXPECT_EQ(observer.started_name, "s");
  EXPECT_EQ(observer.trials, dir_.path() / "s.trials");
  EXPECT_EQ(observer.evaluations, 6u);

  const auto records = trials(file);
  ASSERT_EQ(records.size(), 6u);
  ASSERT_EQ(observer.finished.size(), 6u);
  double best = 1e9;
  for (const store::TrialRecord& t : records) {
    EXPECT_EQ(t.state, store::TrialState::kComplete);
    ASSERT_TRUE(t.value.has_value());
    EXPECT_EQ(observer.finished.at(t.number), *t.value);
    best = std::min(best, *t.value);
  }
  ASSERT_TRUE(result->best.has_value());
  EXPECT_EQ(result->best->value, best);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "s.trials" / "0" / "stdout.log"));
}

TEST_F(RunnerTest, RequestStopInterruptsRunningTrialsAndASecondRunCompletesTheBudget) {
  const auto file = study(5, 2);
  dir_.write("gate", "");
  RecordingObserver observer;
  Runner runner(options(file), &observer);
  observer.stop_after_first = &runner;
  const base::Result<RunResult> stopped = runner.run();
  ASSERT_TRUE(stopped.is_ok()) << stopped.status().to_string();
  EXPECT_EQ(stopped->end, RunEnd::kInterrupted);
  EXPECT_NE(stopped->message.find("recorded as interrupted"), std::string::npos);
  ASSERT_FALSE(observer.notes.empty());
  EXPECT_EQ(observer.notes.back(), "qtune run: stop requested; stopping 1 running trial");

  std::set<std::int64_t> complete;
  std::size_t interrupted = 0;
  for (const store::TrialRecord& t : trials(file)) {
    if (t.state == store::TrialState::kComplete) complete.insert(t.number);
    if (t.state == store::TrialState::kInterrupted) ++interrupted;
  }
  EXPECT_EQ(complete.size(), 1u);
  EXPECT_EQ(interrupted, 1u);
  EXPECT_EQ(observer.finished.size(), 1u);
  EXPECT_EQ(observer.interrupted.size(), 1u);

  // The stop was consumed: the same Runner runs to the end, running only the rest.
  std::filesystem::remove(dir_ / "gate");
  observer.stop_after_first = nullptr;
  observer.finished.clear();
  const base::Result<RunResult> resumed = runner.run();
  ASSERT_TRUE(resumed.is_ok()) << resumed.status().to_string();
  EXPECT_EQ(resumed->end, RunEnd::kFinished);
  EXPECT_EQ(observer.finished.size(), 4u);
  for (const std::int64_t number : complete) EXPECT_EQ(observer.finished.count(number), 0u);
  const auto records = trials(file);
  ASSERT_EQ(records.size(), 5u);
  for (const store::TrialRecord& t : records) EXPECT_EQ(t.state, store::TrialState::kComplete);
}

TEST_F(RunnerTest, AStudyWithoutTrialIsRefused) {
  const auto file =
      dir_.write("s.toml", "[study]\nname = \"s\"\n[space]\nx = { range = [0, 9] }\n");
  Runner runner(options(file));
  const base::Result<RunResult> result = runner.run();
  ASSERT_FALSE(result.is_ok());
  EXPECT_EQ(result.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("[trial] is missing; qtune run needs the command"),
            std::string::npos)
      << result.status().message();
}

}  // namespace
}  // namespace qtune::study
