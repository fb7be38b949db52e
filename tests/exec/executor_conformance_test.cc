// The Executor contract (include/qtune/exec/executor.h), run against every implementation,
// each built by make_executor from a study's [trial] table: "local" (processes on this
// machine) and "slurm" (sbatch jobs on the one-node test cluster, support/slurm_cluster.h).
// Every trial is a real process. Each executor is its own instantiation, so that ctest runs
// them as separate entries (exec/executor_conformance_test/local, .../slurm) and only the
// Slurm one needs the cluster.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "exec/executor_test_util.h"
#include "qtune/exec/make_executor.h"
#include "support/eventually.h"
#include "support/slurm_cluster.h"
#include "support/temp_dir.h"

namespace qtune::exec {
namespace {

using qtune::testing::eventually;
using qtune::testing::read_file;
using qtune::testing::run_all;
using qtune::testing::TempDir;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

// The parameter is the [trial] executor value: "local" or "slurm".
class ExecutorConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "slurm") {
      ASSERT_FALSE(qtune::testing::start_slurm_cluster().empty());
    }
  }

  // An executor with `parallel` slots for a study whose [trial] body is `trial`.
  std::unique_ptr<Executor> make(std::string_view trial, std::size_t parallel = 1) {
    auto executor = make_executor(qtune::testing::executor_trial_config(dir_, GetParam(), trial),
                                  {parallel, {}, "conformance", {}});
    EXPECT_TRUE(executor.is_ok()) << executor.status().to_string();
    return executor.is_ok() ? std::move(executor).value() : nullptr;
  }

  TrialSpec spec(TrialId id, std::string word = "a b", std::string k = "2") const {
    return qtune::testing::trial_spec(dir_, id, std::move(word), std::move(k));
  }

  // wait_any() until trial `id` comes back (others may come back too: all are returned).
  static std::vector<FinishedTrial> wait_for(Executor& executor, TrialId id) {
    std::vector<FinishedTrial> all;
    const Clock::time_point deadline = Clock::now() + std::chrono::seconds(120);
    while (Clock::now() < deadline) {
      for (FinishedTrial& f : executor.wait_any(std::chrono::seconds(10))) {
        all.push_back(std::move(f));
        if (all.back().id == id) return all;
      }
    }
    ADD_FAILURE() << "trial " << id << " never came back";
    return all;
  }

  TempDir dir_;
};

// The metric is the last `FID:` line of stdout; the parameter values reach the command
// through {name} templates (argv words, workdir, env) and the QTUNE_* variables.
TEST_P(ExecutorConformanceTest, FinishedTrialComesBackOnceWithItsMetric) {
  std::filesystem::create_directories(dir_ / "work" / "2");
  dir_.write("t.sh", R"(echo "FID: 1.5"
env | grep -E '^(QTUNE_|TAG=)' | sort
pwd
echo err >&2
sleep 1
echo "FID: $1.25"
)");
  auto executor = make(R"(command = ["sh", "../../t.sh", "{K}"]
workdir = "work/{K}"
env = { TAG = "t{trial_id}-{word}" })");
  ASSERT_NE(executor, nullptr);
  const TrialSpec trial = spec(7, "a b", "2");
  const auto outcomes = run_all(*executor, {trial});
  ASSERT_EQ(outcomes.size(), 1u);
  const TrialOutcome& outcome = outcomes.begin()->second;
  EXPECT_EQ(outcomes.begin()->first, 7);
  ASSERT_TRUE(outcome.ok()) << outcome.message << "\n" << outcome.log_tail;
  ASSERT_TRUE(outcome.value.has_value());
  EXPECT_DOUBLE_EQ(*outcome.value, 2.25);
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(outcome.signal, 0);
  EXPECT_GT(outcome.elapsed.count(), 0);
  EXPECT_EQ(read_file(trial.dir / "stdout.log"),
            "FID: 1.5\nQTUNE_PARAM_K=2\nQTUNE_PARAM_WORD=a b\nQTUNE_TRIAL_DIR=" +
                trial.dir.string() + "\nQTUNE_TRIAL_ID=7\nTAG=t7-a b\n" +
                std::filesystem::canonical(dir_ / "work/2").string() + "\nFID: 2.25\n");
  EXPECT_EQ(read_file(trial.dir / "stderr.log"), "err\n");
}

// A shell would split or run these values; each stays one argv word.
TEST_P(ExecutorConformanceTest, ValuesReachTheCommandAsWholeArgvWords) {
  dir_.write("args.sh",
             "for a in \"$@\"; do printf '[%s]\\n' \"$a\"; done > \"$QTUNE_TRIAL_DIR/args\"\n"
             "echo FID: 1\n");
  const std::vector<std::string> words = {"a b", "$(touch pwned)", "x;y|z&", "'q'", "*"};
  auto executor =
      make(R"(command = ["sh", "args.sh", "{word}", "--w={word}", "{K}"])", words.size());
  ASSERT_NE(executor, nullptr);
  std::vector<TrialSpec> trials;
  for (std::size_t i = 0; i < words.size(); ++i)
    trials.push_back(spec(static_cast<TrialId>(i), words[i]));
  const auto outcomes = run_all(*executor, trials);
  for (const TrialSpec& trial : trials) {
    const std::string& word = trial.params[0].second;
    SCOPED_TRACE(word);
    ASSERT_EQ(outcomes.count(trial.id), 1u);
    EXPECT_TRUE(outcomes.at(trial.id).ok()) << outcomes.at(trial.id).message;
    EXPECT_EQ(read_file(trial.dir / "args"), "[" + word + "]\n[--w=" + word + "]\n[2]\n");
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "pwned"));
}

TEST_P(ExecutorConformanceTest, ShellOptInQuotesValues) {
  const std::vector<std::string> words = {"a b", "$(touch pwned)", "'q'", "$(touch pwned) 'q'"};
  auto executor = make(R"(shell = true
command = "printf '[%s]' {word} > \"$QTUNE_TRIAL_DIR/out\" && echo FID: {K}")",
                       words.size());
  ASSERT_NE(executor, nullptr);
  std::vector<TrialSpec> trials;
  for (std::size_t i = 0; i < words.size(); ++i)
    trials.push_back(spec(static_cast<TrialId>(i), words[i], "3"));
  const auto outcomes = run_all(*executor, trials);
  for (const TrialSpec& trial : trials) {
    const std::string& word = trial.params[0].second;
    SCOPED_TRACE(word);
    ASSERT_EQ(outcomes.count(trial.id), 1u);
    const TrialOutcome& outcome = outcomes.at(trial.id);
    ASSERT_TRUE(outcome.ok()) << outcome.message << outcome.log_tail;
    EXPECT_DOUBLE_EQ(*outcome.value, 3.0);
    EXPECT_EQ(read_file(trial.dir / "out"), "[" + word + "]");
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "pwned"));
}

TEST_P(ExecutorConformanceTest, NonZeroExitAndOwnSignalAreFailures) {
  dir_.write("fail.sh", R"(case "$1" in
  1) echo "Traceback: boom" >&2; exit 3;;
  2) kill -SEGV $$;;
esac
)");
  auto executor = make(R"(command = ["sh", "fail.sh", "{K}"])", 2);
  ASSERT_NE(executor, nullptr);
  auto outcomes = run_all(*executor, {spec(1, "a b", "1"), spec(2, "a b", "2")});
  const TrialOutcome& exited = outcomes[1];
  EXPECT_EQ(exited.reason, FailureReason::kExitCode) << exited.message;
  EXPECT_FALSE(exited.value.has_value());
  EXPECT_EQ(exited.exit_code, 3);
  EXPECT_EQ(exited.signal, 0);
  EXPECT_THAT(exited.message, HasSubstr("exit status 3"));
  EXPECT_EQ(exited.log_tail, "Traceback: boom");
  const TrialOutcome& killed = outcomes[2];
  EXPECT_EQ(killed.reason, FailureReason::kSignal) << killed.message;
  EXPECT_FALSE(killed.value.has_value());
  EXPECT_EQ(killed.exit_code, -1);
  EXPECT_EQ(killed.signal, SIGSEGV);
  EXPECT_FALSE(killed.message.empty());
}

TEST_P(ExecutorConformanceTest, MissingOrNotFiniteMetricIsAFailure) {
  dir_.write("metric.sh", R"(case "$1" in
  1) echo "done, no metric";;
  2) echo "FID: nan";;
esac
)");
  auto executor = make(R"(command = ["sh", "metric.sh", "{K}"])", 2);
  ASSERT_NE(executor, nullptr);
  auto outcomes = run_all(*executor, {spec(1, "a b", "1"), spec(2, "a b", "2")});
  EXPECT_EQ(outcomes[1].reason, FailureReason::kNoMetric) << outcomes[1].message;
  EXPECT_EQ(outcomes[1].log_tail, "done, no metric");
  EXPECT_EQ(outcomes[2].reason, FailureReason::kNotFinite) << outcomes[2].message;
  EXPECT_EQ(outcomes[2].log_tail, "FID: nan");
  for (TrialId id : {1, 2}) {
    SCOPED_TRACE(id);
    EXPECT_FALSE(outcomes[id].value.has_value());
    EXPECT_EQ(outcomes[id].exit_code, 0);
    EXPECT_FALSE(outcomes[id].message.empty());
  }
}

// The trial really stops: its process is gone, long before its 30 s sleep would end.
TEST_P(ExecutorConformanceTest, TimeoutStopsTheTrial) {
  dir_.write("hang.sh", "echo $$ > \"$QTUNE_TRIAL_DIR/pid\"\nexec sleep 30\n");
  auto executor = make(R"(command = ["sh", "hang.sh"]
timeout = "1s"
kill_grace = "1s")");
  ASSERT_NE(executor, nullptr);
  const TrialSpec trial = spec(1);
  const Clock::time_point started = Clock::now();
  const TrialOutcome outcome = run_all(*executor, {trial})[1];
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(25));
  EXPECT_EQ(outcome.reason, FailureReason::kTimeout) << outcome.message;
  EXPECT_EQ(outcome.message, "timeout after 1s");
  EXPECT_FALSE(outcome.value.has_value());
  EXPECT_LT(outcome.elapsed, std::chrono::seconds(25));
  ASSERT_TRUE(std::filesystem::exists(trial.dir / "pid"));
  const pid_t pid = std::stoi(read_file(trial.dir / "pid"));
  EXPECT_TRUE(eventually([&] { return qtune::testing::process_ended(pid); }))
      << "the trial's process " << pid << " survived the timeout";
}

TEST_P(ExecutorConformanceTest, CancelAllInterruptsEveryRunningTrial) {
  dir_.write("slow.sh", "sleep 60\n");
  auto executor = make(R"(command = ["sh", "slow.sh"])", 2);
  ASSERT_NE(executor, nullptr);
  ASSERT_TRUE(executor->start(spec(1)).is_ok());
  ASSERT_TRUE(executor->start(spec(2)).is_ok());
  const std::vector<FinishedTrial> done = executor->cancel_all();
  ASSERT_EQ(done.size(), 2u);
  std::set<TrialId> ids;
  for (const FinishedTrial& f : done) {
    ids.insert(f.id);
    EXPECT_EQ(f.outcome.reason, FailureReason::kInterrupted) << f.outcome.message;
    EXPECT_FALSE(f.outcome.value.has_value());
  }
  EXPECT_EQ(ids, (std::set<TrialId>{1, 2}));
  EXPECT_EQ(executor->running(), 0u);
  EXPECT_TRUE(executor->poll().empty());
  EXPECT_TRUE(executor->cancel_all().empty());
}

// release() gives up that trial only; an id that is not running is ignored.
TEST_P(ExecutorConformanceTest, ReleasedTrialComesBackInterrupted) {
  qtune::testing::write_gated_script(dir_);
  auto executor = make(R"(command = ["sh", "gated.sh"])", 2);
  ASSERT_NE(executor, nullptr);
  ASSERT_TRUE(executor->start(spec(1)).is_ok());
  ASSERT_TRUE(executor->start(spec(2)).is_ok());
  executor->release(99);
  EXPECT_EQ(executor->running(), 2u);
  executor->release(2);
  const std::vector<FinishedTrial> done = wait_for(*executor, 2);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].id, 2);
  EXPECT_EQ(done[0].outcome.reason, FailureReason::kInterrupted) << done[0].outcome.message;
  EXPECT_EQ(executor->running(), 1u);
  executor->release(2);  // no longer running: a no-op
  executor->release(99);
  EXPECT_TRUE(executor->poll().empty());
  EXPECT_EQ(executor->running(), 1u);
  dir_.write("go", "");  // ends trial 1, and trial 2 too where release left it running
  const auto rest = run_all(*executor, {});
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest.begin()->first, 1);
  EXPECT_TRUE(rest.begin()->second.ok()) << rest.begin()->second.message;
}

TEST_P(ExecutorConformanceTest, StartBeyondTheSlotsIsUnavailable) {
  dir_.write("slow.sh", "sleep 60\n");
  auto executor = make(R"(command = ["sh", "slow.sh"])", 2);
  ASSERT_NE(executor, nullptr);
  EXPECT_EQ(executor->slots(), 2u);
  EXPECT_EQ(executor->running(), 0u);
  ASSERT_TRUE(executor->start(spec(1)).is_ok());
  EXPECT_EQ(executor->running(), 1u);
  ASSERT_TRUE(executor->start(spec(2)).is_ok());
  EXPECT_EQ(executor->running(), 2u);
  EXPECT_EQ(executor->start(spec(3)).code(), base::StatusCode::kUnavailable);
  EXPECT_EQ(executor->running(), 2u);
  EXPECT_TRUE(executor->poll().empty());
  EXPECT_EQ(executor->cancel_all().size(), 2u);
  EXPECT_EQ(executor->running(), 0u);
  ASSERT_TRUE(executor->start(spec(3)).is_ok()) << "a slot is free again";
  EXPECT_EQ(executor->running(), 1u);
  EXPECT_EQ(executor->cancel_all().size(), 1u);
  EXPECT_EQ(executor->running(), 0u);
}

TEST_P(ExecutorConformanceTest, FailingTrialKeepsItsLogs) {
  dir_.write("fail.sh", "echo to stdout\necho 'ValueError: bad K' >&2\nexit 1\n");
  auto executor = make(R"(command = ["sh", "fail.sh"])");
  ASSERT_NE(executor, nullptr);
  const TrialSpec trial = spec(1);
  const TrialOutcome outcome = run_all(*executor, {trial})[1];
  EXPECT_EQ(outcome.reason, FailureReason::kExitCode) << outcome.message;
  EXPECT_THAT(outcome.log_tail, HasSubstr("ValueError: bad K"));
  ASSERT_TRUE(std::filesystem::exists(trial.dir / "stdout.log"));
  ASSERT_TRUE(std::filesystem::exists(trial.dir / "stderr.log"));
  EXPECT_EQ(read_file(trial.dir / "stdout.log"), "to stdout\n");
  EXPECT_EQ(read_file(trial.dir / "stderr.log"), "ValueError: bad K\n");
}

// Collected by poll() alone (no wait_any): each trial once, then nothing.
TEST_P(ExecutorConformanceTest, EachFinishedTrialIsReturnedExactlyOnce) {
  auto executor = make(R"(command = ["sh", "-c", "echo FID: $0", "{K}"])", 3);
  ASSERT_NE(executor, nullptr);
  for (TrialId id = 1; id <= 3; ++id)
    ASSERT_TRUE(executor->start(spec(id, "a b", std::to_string(id))).is_ok());
  std::map<TrialId, int> times;
  std::map<TrialId, double> values;
  ASSERT_TRUE(eventually([&] {
    for (const FinishedTrial& f : executor->poll()) {
      ++times[f.id];
      if (f.outcome.value) values[f.id] = *f.outcome.value;
    }
    return executor->running() == 0;
  }));
  EXPECT_EQ(times, (std::map<TrialId, int>{{1, 1}, {2, 1}, {3, 1}}));
  EXPECT_EQ(values, (std::map<TrialId, double>{{1, 1.0}, {2, 2.0}, {3, 3.0}}));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(executor->poll().empty());
  const Clock::time_point before = Clock::now();
  EXPECT_TRUE(executor->wait_any(std::chrono::seconds(30)).empty());
  EXPECT_LT(Clock::now() - before, std::chrono::seconds(10)) << "nothing runs: no waiting";
}

// A trial released by one executor (qtune handed it on, or died) is taken over by the next
// executor that starts it: the command runs once and its result counts.
TEST_P(ExecutorConformanceTest, TakesOverARunningTrialOfAnEarlierInstance) {
  qtune::testing::write_gated_script(dir_);
  const TrialSpec trial = spec(1);
  {
    auto first = make(R"(command = ["sh", "gated.sh"])");
    ASSERT_NE(first, nullptr);
    ASSERT_TRUE(first->start(trial).is_ok());
    ASSERT_TRUE(eventually([&] { return std::filesystem::exists(dir_ / "runs.log"); }));
    first->release(1);
    const std::vector<FinishedTrial> released = first->poll();
    ASSERT_EQ(released.size(), 1u);
    EXPECT_EQ(released[0].outcome.reason, FailureReason::kInterrupted);
    EXPECT_EQ(first->running(), 0u);
  }
  auto second = make(R"(command = ["sh", "gated.sh"])");
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(second->start(trial).is_ok());
  EXPECT_EQ(second->running(), 1u);
  dir_.write("go", "");
  const TrialOutcome outcome = run_all(*second, {})[1];
  ASSERT_TRUE(outcome.ok()) << outcome.message;
  EXPECT_DOUBLE_EQ(*outcome.value, 4.0);
  EXPECT_EQ(read_file(dir_ / "runs.log"), "run\n");
}

std::string executor_name(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

INSTANTIATE_TEST_SUITE_P(Local, ExecutorConformanceTest, ::testing::Values("local"), executor_name);
INSTANTIATE_TEST_SUITE_P(Slurm, ExecutorConformanceTest, ::testing::Values("slurm"), executor_name);

}  // namespace
}  // namespace qtune::exec
