// Crash safety of a study: a real child process runs a study on a real SQLite file and is
// killed with SIGKILL, (a) between the ask and the tell of a trial, and (b) at whatever
// moment it has reached; then the study is reopened and run to its end. No finished trial
// may be lost or repeated, and the proposals must equal those of an uninterrupted run with
// the same seed.
//
// The child is this test binary itself, re-executed with --gtest_filter on the disabled
// test StudyResumeChild.DISABLED_RunStudy and the study file in QTUNE_RESUME_STUDY.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "qtune/store/open_store.h"
#include "qtune/study/study.h"
#include "study/study_test_support.h"
#include "support/temp_dir.h"

extern char** environ;

namespace qtune::study {
namespace {

using testing::objective;
using testing::run_to_end;
using testing::study_toml;

constexpr char kStudyEnv[] = "QTUNE_RESUME_STUDY";
constexpr char kHangEnv[] = "QTUNE_RESUME_HANG_AT";  // trial number at which the child stops
constexpr char kHungFile[] = "hung";                 // written beside the study file then
constexpr int kTrials = 24;

// The child: runs the study sequentially, each evaluation taking a few milliseconds so that
// the parent's SIGKILL lands in the middle of the study.
TEST(StudyResumeChild, DISABLED_RunStudy) {
  const char* file = std::getenv(kStudyEnv);
  if (file == nullptr) GTEST_SKIP() << "only run as the child of StudyResume tests";
  const char* hang = std::getenv(kHangEnv);
  const std::int64_t hang_at = hang != nullptr ? std::atoll(hang) : -1;
  auto config = load_study_config(file);
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  auto store = store::open_store(config->storage.url());
  ASSERT_TRUE(store.is_ok()) << store.status().to_string();
  auto study = Study::open(std::move(config).value(), **store);
  ASSERT_TRUE(study.is_ok()) << study.status().to_string();
  while (true) {
    auto next = (*study)->ask();
    ASSERT_TRUE(next.is_ok()) << next.status().to_string();
    if (next->finished) break;
    ASSERT_TRUE(next->trial.has_value());
    if (next->trial->number == hang_at) {
      std::ofstream(std::filesystem::path(file).parent_path() / kHungFile) << next->trial->number;
      while (true) pause();  // until SIGKILL
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(4));
    ASSERT_TRUE(
        (*study)->tell(next->trial->id, Outcome::success(objective(next->trial->params))).is_ok());
  }
}

pid_t spawn_child(const std::filesystem::path& study_file, std::int64_t hang_at) {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  std::vector<std::string> args = {self, "--gtest_filter=StudyResumeChild.DISABLED_RunStudy",
                                   "--gtest_also_run_disabled_tests"};
  std::vector<std::string> env = {std::string(kStudyEnv) + "=" + study_file.string()};
  if (hang_at >= 0) env.push_back(std::string(kHangEnv) + "=" + std::to_string(hang_at));
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  // The child's gtest output goes to a file beside the study, out of the parent's report.
  const std::string log = (study_file.parent_path() / "child.log").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  EXPECT_EQ(posix_spawn(&pid, self.c_str(), &actions, nullptr, argv.data(), envp.data()), 0);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

void kill_and_reap(pid_t pid, const std::filesystem::path& log) {
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the child ended on its own, status " << status << ":\n"
      << ::qtune::testing::read_file(log);
}

// Polls `done` every millisecond for up to a minute (a deadline against a hung test, not a
// timing assertion).
template <typename Done>
bool wait_for(Done done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

class StudyResume : public ::testing::TestWithParam<std::string> {
 protected:
  std::string toml() const {
    const std::string& kind = GetParam();
    return kind == "q-learning-seed" ? study_toml("q-learning", kTrials, "preset = \"seed\"\n")
                                     : study_toml(kind, kTrials);
  }

  void SetUp() override {
    study_file_ = dir_.write("toy.toml", toml());
    auto config = load_study_config(study_file_);
    ASSERT_TRUE(config.is_ok()) << config.status().to_string();
    auto memory = store::open_store("sqlite://:memory:");
    ASSERT_TRUE(memory.is_ok());
    auto study = Study::open(std::move(config).value(), **memory);
    ASSERT_TRUE(study.is_ok()) << study.status().to_string();
    reference_ = run_to_end(**study);
    ASSERT_EQ(reference_.size(), static_cast<std::size_t>(kTrials));
  }

  std::vector<store::TrialRecord> stored_trials() {
    auto store = store::open_store("sqlite://" + (dir_ / "toy.db").string());
    EXPECT_TRUE(store.is_ok()) << store.status().to_string();
    if (!store.is_ok()) return {};
    auto record = (*store)->find_study("toy");
    if (!record.is_ok() || !record->has_value()) return {};
    auto trials = (*store)->trials((**record).id);
    EXPECT_TRUE(trials.is_ok()) << trials.status().to_string();
    return trials.is_ok() ? *trials : std::vector<store::TrialRecord>{};
  }

  // Reopens the killed study, runs it to its end, and checks it against the reference.
  void resume_and_check(const std::vector<store::TrialRecord>& before) {
    auto config = load_study_config(study_file_);
    ASSERT_TRUE(config.is_ok());
    auto store = store::open_store(config->storage.url());
    ASSERT_TRUE(store.is_ok());
    auto study = Study::open(std::move(config).value(), **store);
    ASSERT_TRUE(study.is_ok()) << study.status().to_string();
    run_to_end(**study);

    auto after = (*study)->trials();
    ASSERT_TRUE(after.is_ok());
    ASSERT_EQ(after->size(), static_cast<std::size_t>(kTrials));
    std::vector<space::StateId> states;
    for (std::size_t i = 0; i < after->size(); ++i) {
      const store::TrialRecord& t = (*after)[i];
      EXPECT_EQ(t.number, static_cast<std::int64_t>(i));
      EXPECT_EQ(t.state, store::TrialState::kComplete) << "trial " << t.number;
      EXPECT_EQ(t.value, objective(t.params));
      states.push_back(t.state_id);
    }
    EXPECT_EQ(states, reference_) << "the proposals differ from an uninterrupted run";
    EXPECT_EQ(std::set<space::StateId>(states.begin(), states.end()).size(), states.size())
        << "a configuration was evaluated twice";
    // Every trial of the killed process is still there: finished ones untouched, the one
    // it was running finished now under the same id and number.
    for (const store::TrialRecord& old : before) {
      const store::TrialRecord& now = (*after)[static_cast<std::size_t>(old.number)];
      EXPECT_EQ(now.id, old.id);
      EXPECT_EQ(now.state_id, old.state_id);
      if (store::is_finished(old.state)) {
        EXPECT_EQ(now.value, old.value);
        EXPECT_EQ(now.finished_at, old.finished_at)
            << "finished trial " << old.number << " was run again";
      }
    }
  }

  ::qtune::testing::TempDir dir_;
  std::filesystem::path study_file_;
  std::vector<space::StateId> reference_;
};

TEST_P(StudyResume, KillBetweenAskAndTell) {
  constexpr std::int64_t kHangAt = 7;
  const pid_t child = spawn_child(study_file_, kHangAt);
  ASSERT_GT(child, 0);
  ASSERT_TRUE(wait_for([&] { return std::filesystem::exists(dir_ / kHungFile); }));
  kill_and_reap(child, dir_ / "child.log");

  const auto before = stored_trials();
  ASSERT_EQ(before.size(), static_cast<std::size_t>(kHangAt + 1));
  EXPECT_EQ(before.back().state, store::TrialState::kRunning);
  EXPECT_EQ(before.back().state_id, reference_[kHangAt]);
  resume_and_check(before);
}

TEST_P(StudyResume, KillAtAnyMoment) {
  const pid_t child = spawn_child(study_file_, -1);
  ASSERT_GT(child, 0);
  ASSERT_TRUE(wait_for([&] {
    std::size_t complete = 0;
    for (const auto& t : stored_trials())
      complete += t.state == store::TrialState::kComplete ? 1 : 0;
    return complete >= 5;
  }));
  kill_and_reap(child, dir_ / "child.log");

  const auto before = stored_trials();
  ASSERT_LT(before.size(), static_cast<std::size_t>(kTrials));
  resume_and_check(before);
}

INSTANTIATE_TEST_SUITE_P(Strategies, StudyResume,
                         ::testing::Values("random", "grid", "q-learning-seed"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string name = param.param;
                           std::erase(name, '-');
                           return name;
                         });

}  // namespace
}  // namespace qtune::study
