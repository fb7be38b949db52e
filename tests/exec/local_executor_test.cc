#include "exec/local/local_executor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <sstream>
#include <thread>

#include "exec/executor_test_util.h"
#include "support/temp_dir.h"

namespace qtune::exec {
namespace {

using qtune::testing::read_file;
using qtune::testing::TempDir;

// What only the local executor does: GPU slots, process groups, the kill grace, launch
// checks. The contract both executors keep is executor_conformance_test.cc's. The study is
// executor_test_util.h's, with `trial` as its [trial] body; relative paths resolve against
// the temp dir (the study file lives there).
class LocalExecutorTest : public ::testing::Test {
 protected:
  std::unique_ptr<LocalExecutor> make(std::string_view trial, std::size_t parallel = 1,
                                      std::vector<int> gpus = {},
                                      BuiltinMetricFunction builtin = {}) {
    auto executor =
        LocalExecutor::create(qtune::testing::executor_trial_config(dir_, "local", trial),
                              {parallel, std::move(gpus), std::move(builtin)});
    EXPECT_TRUE(executor.is_ok());
    return std::move(executor).value();
  }

  TrialSpec spec(TrialId id, std::string word = "a b", std::string k = "2") {
    return qtune::testing::trial_spec(dir_, id, std::move(word), std::move(k));
  }

  // Runs one trial to its end.
  TrialOutcome run_one(LocalExecutor& executor, const TrialSpec& trial) {
    EXPECT_TRUE(executor.start(trial).is_ok());
    std::vector<FinishedTrial> done;
    while (done.empty()) done = executor.wait_any(std::chrono::seconds(30));
    EXPECT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].id, trial.id);
    return done[0].outcome;
  }

  TempDir dir_;
};

TEST_F(LocalExecutorTest, EnvironmentWorkdirAndGpuSlot) {
  std::filesystem::create_directories(dir_ / "work" / "2");
  dir_.write("env.sh",
             "env | grep -E '^(QTUNE_|CUDA_VISIBLE_DEVICES|TAG)' | sort > env.txt\npwd >> "
             "env.txt\necho FID: 0\n");
  auto executor = make(R"(command = ["sh", "../../env.sh"]
workdir = "work/{K}"
env = { TAG = "t{trial_id}-{word}" })",
                       1, {5, 6});
  const TrialSpec trial = spec(42, "a b", "2");
  ASSERT_TRUE(run_one(*executor, trial).ok());
  const std::string expected =
      "CUDA_VISIBLE_DEVICES=5\nQTUNE_PARAM_K=2\nQTUNE_PARAM_WORD=a b\nQTUNE_TRIAL_DIR=" +
      trial.dir.string() + "\nQTUNE_TRIAL_ID=42\nTAG=t42-a b\n" +
      std::filesystem::canonical(dir_ / "work/2").string() + "\n";
  EXPECT_EQ(read_file(dir_ / "work/2/env.txt"), expected);
}

TEST_F(LocalExecutorTest, LaunchFailures) {
  auto missing_program = make(R"(command = ["./no-such-program", "{K}"])");
  TrialOutcome outcome = run_one(*missing_program, spec(1));
  EXPECT_EQ(outcome.reason, FailureReason::kLaunch);
  EXPECT_NE(outcome.message.find("No such file or directory"), std::string::npos)
      << outcome.message;
  EXPECT_NE(read_file(dir_ / "trials/1/stderr.log").find("no-such-program"), std::string::npos);

  auto missing_workdir = make(R"(command = ["true"]
workdir = "nowhere/{K}")");
  outcome = run_one(*missing_workdir, spec(2));
  EXPECT_EQ(outcome.reason, FailureReason::kLaunch);
  EXPECT_NE(outcome.message.find("nowhere/2 does not exist"), std::string::npos) << outcome.message;
}

// The recorded end is the exact wait status: a program exiting 200 exited (no shell's
// "128 + N means signal N" guess), a program killed by SIGKILL was killed; and the program
// is the argv's own (`printf`, a shell builtin too, runs as the program on PATH).
TEST_F(LocalExecutorTest, ExitStatusIsRecordedExactly) {
  dir_.write("end.sh", "[ \"$1\" = 1 ] && exit 200\nkill -KILL $$\n");
  auto executor = make(R"(command = ["sh", "end.sh", "{K}"])");
  const TrialOutcome exited = run_one(*executor, spec(1, "w", "1"));
  EXPECT_EQ(exited.reason, FailureReason::kExitCode) << exited.message;
  EXPECT_EQ(exited.exit_code, 200);
  EXPECT_EQ(exited.signal, 0);
  EXPECT_EQ(read_file(dir_ / "trials/1/exit_status"), "exit=200\n");
  const TrialOutcome killed = run_one(*executor, spec(2, "w", "2"));
  EXPECT_EQ(killed.reason, FailureReason::kSignal) << killed.message;
  EXPECT_EQ(killed.signal, SIGKILL);
  EXPECT_EQ(read_file(dir_ / "trials/2/exit_status"), "signal=9\n");

  auto builtin = make(R"(command = ["printf", "FID: %s\\n", "{K}"])");
  const TrialOutcome printed = run_one(*builtin, spec(3, "w", "7"));
  ASSERT_TRUE(printed.ok()) << printed.message;
  EXPECT_EQ(*printed.value, 7.0);
}

// The trial and the child it started are both killed: the child's pid file proves it is gone.
TEST_F(LocalExecutorTest, TimeoutKillsTheWholeProcessGroup) {
  dir_.write("hang.sh", "sleep 60 & echo $! > \"$QTUNE_TRIAL_DIR/child.pid\"\nwait\n");
  auto executor = make(R"(command = ["sh", "hang.sh"]
timeout = 0.3
kill_grace = 0.2)");
  const TrialSpec trial = spec(1);
  const TrialOutcome outcome = run_one(*executor, trial);
  EXPECT_EQ(outcome.reason, FailureReason::kTimeout);
  EXPECT_EQ(outcome.signal, SIGTERM);
  const pid_t child = std::stoi(read_file(trial.dir / "child.pid"));
  EXPECT_TRUE(qtune::testing::process_ended(child))
      << "the trial's child " << child << " survived the timeout";
}

TEST_F(LocalExecutorTest, TermIgnoringTrialIsKilledAfterTheGrace) {
  dir_.write("stubborn.sh", "trap '' TERM\nwhile :; do sleep 0.05; done\n");
  auto executor = make(R"(command = ["sh", "stubborn.sh"]
timeout = 0.2
kill_grace = 0.2)");
  const TrialOutcome outcome = run_one(*executor, spec(1));
  EXPECT_EQ(outcome.reason, FailureReason::kTimeout);
  EXPECT_EQ(outcome.signal, SIGKILL);
}

// A built-in metric is computed off the polling thread: while it runs, poll() returns at once,
// another trial is reaped and its timeout enforced, and cancel_all() waits for the metric
// instead of losing the trial. The metric waits for the test's go-ahead (30 s at most: a
// poll() that computed it in place would block that long and then get no value).
TEST_F(LocalExecutorTest, BuiltinMetricRunsBesidePolling) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> calls = 0;
  BuiltinMetricFunction builtin =
      [&](const BuiltinMetric&, const std::filesystem::path& reference,
          const std::filesystem::path& generated) -> base::Result<double> {
    EXPECT_EQ(generated.filename(), "rec2");
    EXPECT_EQ(reference.filename(), "stim");
    if (calls++ == 0) entered.set_value();
    if (released.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      return base::Status::internal("the test never released the metric");
    }
    return 0.5;
  };
  dir_.write("t.sh", "[ \"$1\" = slow ] && sleep 60\nexit 0\n");
  auto executor = make(R"(command = ["sh", "t.sh", "{word}"]
timeout = "1s"
metric = { builtin = "fid", reference = "stim", generated = "rec{K}" }
)",
                       2, {}, builtin);
  ASSERT_TRUE(executor->start(spec(1, "fast")).is_ok());
  std::future<void> in_metric = entered.get_future();
  while (in_metric.wait_for(std::chrono::milliseconds(10)) != std::future_status::ready) {
    ASSERT_TRUE(executor->poll().empty());
  }
  EXPECT_EQ(executor->running(), 1u) << "a trial being scored still counts as running";
  ASSERT_TRUE(executor->poll().empty());

  // Trial 2 hangs past its timeout: it is killed and reported while trial 1 is still scored.
  ASSERT_TRUE(executor->start(spec(2, "slow")).is_ok());
  std::vector<FinishedTrial> done;
  while (done.empty()) done = executor->wait_any(std::chrono::seconds(30));
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].id, 2);
  EXPECT_EQ(done[0].outcome.reason, FailureReason::kTimeout);

  // Cancelling now keeps trial 1's value: it finished training before the cancel.
  std::thread go([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    release.set_value();
  });
  done = executor->cancel_all();
  go.join();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].id, 1);
  ASSERT_TRUE(done[0].outcome.ok()) << done[0].outcome.message;
  EXPECT_DOUBLE_EQ(*done[0].outcome.value, 0.5);
  EXPECT_EQ(executor->running(), 0u);
  EXPECT_EQ(calls.load(), 1);
}

// Overlap is read from the trials' own clocks: each logs its start and end time.
TEST_F(LocalExecutorTest, ParallelTrialsOverlap) {
  dir_.write("span.sh", "date +%s.%N\nsleep 0.5\ndate +%s.%N\necho FID: 1\n");
  auto executor = make(R"(command = ["sh", "span.sh"])", 3);
  for (TrialId id = 1; id <= 3; ++id) ASSERT_TRUE(executor->start(spec(id)).is_ok());
  std::size_t finished = 0;
  while (finished < 3) {
    for (const FinishedTrial& f : executor->wait_any(std::chrono::seconds(30))) {
      EXPECT_TRUE(f.outcome.ok()) << f.outcome.message;
      ++finished;
    }
  }
  double latest_start = 0, earliest_end = 1e300;
  for (TrialId id = 1; id <= 3; ++id) {
    std::istringstream log(read_file(dir_ / "trials" / std::to_string(id) / "stdout.log"));
    double start = 0, end = 0;
    log >> start >> end;
    latest_start = std::max(latest_start, start);
    earliest_end = std::min(earliest_end, end);
  }
  EXPECT_LT(latest_start, earliest_end) << "all three trials were running at " << latest_start;
}

// A trial handed out again after its process ended: one that recorded its exit status is
// that outcome (not run again); one that died without a record (its process group killed)
// runs again. runs.log counts the starts.
TEST_F(LocalExecutorTest, TakesOverARecordedEndAndRerunsWhatLeftNone) {
  qtune::testing::write_gated_script(dir_);
  const TrialSpec recorded = spec(1);
  const TrialSpec killed = spec(2);
  {
    auto first = make(R"(command = ["sh", "gated.sh"])", 2);
    ASSERT_TRUE(first->start(recorded).is_ok());
    ASSERT_TRUE(first->start(killed).is_ok());
    ASSERT_TRUE(qtune::testing::eventually([&] {
      return std::filesystem::exists(dir_ / "runs.log") &&
             std::filesystem::file_size(dir_ / "runs.log") == 8;
    }));
    first->release(1);
    first->release(2);
    EXPECT_EQ(first->poll().size(), 2u);
  }
  pid_t killed_pid = 0;
  std::istringstream record(read_file(killed.dir / "process"));
  for (std::string line; std::getline(record, line);)
    if (line.starts_with("pid=")) killed_pid = std::stoi(line.substr(4));
  ASSERT_GT(killed_pid, 1);
  ::kill(-killed_pid, SIGKILL);
  ASSERT_TRUE(qtune::testing::process_ended(killed_pid));
  dir_.write("go", "");
  ASSERT_TRUE(qtune::testing::eventually(
      [&] { return std::filesystem::exists(recorded.dir / "exit_status"); }));
  auto second = make(R"(command = ["sh", "gated.sh"])", 2);
  const auto outcomes = qtune::testing::run_all(*second, {recorded, killed});
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_TRUE(outcomes.at(1).ok()) << outcomes.at(1).message;
  EXPECT_TRUE(outcomes.at(2).ok()) << outcomes.at(2).message;
  EXPECT_EQ(read_file(dir_ / "runs.log"), "run\nrun\nrun\n");  // trial 2 ran again, 1 did not
}

TEST(LocalExecutorCreateTest, ZeroSlotsIsInvalid) {
  EXPECT_EQ(LocalExecutor::create(TrialConfig{}, {0, {}, {}}).status().code(),
            base::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace qtune::exec
