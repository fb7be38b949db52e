#include "exec/local/local_executor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "exec/study_text.h"
#include "support/temp_dir.h"

namespace qtune::exec {
namespace {

using qtune::testing::read_file;
using qtune::testing::TempDir;

// A study over one categorical and one integer dimension, with `trial` as its [trial] body;
// relative paths resolve against the temp dir (the study file lives there).
class LocalExecutorTest : public ::testing::Test {
 protected:
  std::unique_ptr<LocalExecutor> make(std::string_view trial, std::size_t parallel = 1,
                                      std::vector<int> gpus = {},
                                      BuiltinMetricFunction builtin = {}) {
    const std::string text = std::string(R"toml([space]
word = { values = ["a b", "$(touch pwned)", "x;y|z&", "'q'", "*"] }
K = { range = [1, 3] }
[trial]
)toml") + std::string(trial);
    const std::string file = (dir_ / "study.toml").string();
    auto parsed = testing::parse_study_text(text, file);
    EXPECT_TRUE(parsed.trial.is_ok()) << parsed.trial.status().to_string();
    auto executor = LocalExecutor::create(std::move(parsed.trial).value(),
                                          {parallel, std::move(gpus), std::move(builtin)});
    EXPECT_TRUE(executor.is_ok());
    return std::move(executor).value();
  }

  TrialSpec spec(TrialId id, std::string word = "a b", std::string k = "2") {
    return {
        id, {{"word", std::move(word)}, {"K", std::move(k)}}, dir_ / "trials" / std::to_string(id)};
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

TEST_F(LocalExecutorTest, SuccessCollectsTheMetricAndWritesLogs) {
  dir_.write("t.sh", "echo \"FID: 1.5\"\necho \"K=$1\"\necho err >&2\necho \"FID: $1.25\"\n");
  auto executor = make(R"(command = ["sh", "t.sh", "{K}"])");
  const TrialOutcome outcome = run_one(*executor, spec(1, "a b", "3"));
  ASSERT_TRUE(outcome.ok()) << outcome.message;
  EXPECT_DOUBLE_EQ(*outcome.value, 3.25);
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(read_file(dir_ / "trials/1/stdout.log"), "FID: 1.5\nK=3\nFID: 3.25\n");
  EXPECT_EQ(read_file(dir_ / "trials/1/stderr.log"), "err\n");
  EXPECT_EQ(executor->running(), 0u);
}

TEST_F(LocalExecutorTest, ValuesWithSpacesAndShellCharactersStayOneArgvWord) {
  dir_.write("args.sh",
             "for a in \"$@\"; do printf '[%s]\\n' \"$a\"; done > \"$QTUNE_TRIAL_DIR/args\"\necho "
             "FID: 1\n");
  auto executor = make(R"(command = ["sh", "args.sh", "{word}", "--w={word}", "{K}"])");
  const std::vector<std::string> words = {"a b", "$(touch pwned)", "x;y|z&", "'q'", "*"};
  for (std::size_t i = 0; i < words.size(); ++i) {
    SCOPED_TRACE(words[i]);
    const TrialSpec trial = spec(static_cast<TrialId>(i), words[i]);
    ASSERT_TRUE(run_one(*executor, trial).ok());
    EXPECT_EQ(read_file(trial.dir / "args"), "[" + words[i] + "]\n[--w=" + words[i] + "]\n[2]\n");
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "pwned"));
}

TEST_F(LocalExecutorTest, ShellOptInQuotesValues) {
  auto executor = make(R"(shell = true
command = "printf '[%s]' {word} > out.txt && echo FID: {K}")");
  for (const std::string word : {"a b", "$(touch pwned)", "'q'"}) {
    SCOPED_TRACE(word);
    const TrialOutcome outcome = run_one(*executor, spec(1, word, "2"));
    ASSERT_TRUE(outcome.ok()) << outcome.message << outcome.log_tail;
    EXPECT_DOUBLE_EQ(*outcome.value, 2.0);
    EXPECT_EQ(read_file(dir_ / "out.txt"), "[" + word + "]");
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "pwned"));
}

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

TEST_F(LocalExecutorTest, FailuresCarryTheirReasonStatusAndLogTail) {
  dir_.write("fail.sh", R"(case "$1" in
  1) echo "Traceback: boom" >&2; exit 3;;
  2) kill -SEGV $$;;
  3) echo "FID: nan";;
  4) echo "done, no metric";;
esac
)");
  auto executor = make(R"(command = ["sh", "fail.sh", "{K}"])");
  struct Case {
    std::string k;
    FailureReason reason;
    int exit_code;
    int signal;
    std::string tail;
  };
  const std::vector<Case> cases = {
      {"1", FailureReason::kExitCode, 3, 0, "Traceback: boom"},
      {"2", FailureReason::kSignal, -1, SIGSEGV, ""},
      {"3", FailureReason::kNotFinite, 0, 0, "FID: nan"},
      {"4", FailureReason::kNoMetric, 0, 0, "done, no metric"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.k);
    const TrialOutcome outcome = run_one(*executor, spec(std::stoll(c.k), "a b", c.k));
    EXPECT_EQ(outcome.reason, c.reason) << outcome.message;
    EXPECT_FALSE(outcome.value.has_value());
    EXPECT_EQ(outcome.exit_code, c.exit_code);
    EXPECT_EQ(outcome.signal, c.signal);
    EXPECT_EQ(outcome.log_tail, c.tail);
    EXPECT_FALSE(outcome.message.empty());
  }
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

// True if `pid` has exited: no such process, or a zombie its (new) parent has not reaped.
bool gone(pid_t pid) {
  for (int i = 0; i < 100; ++i) {  // SIGKILL delivery is asynchronous
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!in || !std::getline(in, stat)) return true;
    const auto paren = stat.rfind(')');
    if ((paren != std::string::npos && stat.substr(paren + 2, 1) == "Z")) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
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
  EXPECT_TRUE(gone(child)) << "the trial's child " << child << " survived the timeout";
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

TEST_F(LocalExecutorTest, CancelIsInterruptedNotFailed) {
  dir_.write("slow.sh", "sleep 60\n");
  auto executor = make(R"(command = ["sh", "slow.sh"])", 2);
  ASSERT_TRUE(executor->start(spec(1)).is_ok());
  ASSERT_TRUE(executor->start(spec(2)).is_ok());
  EXPECT_EQ(executor->start(spec(3)).code(), base::StatusCode::kUnavailable);  // two slots
  EXPECT_EQ(executor->running(), 2u);
  const std::vector<FinishedTrial> done = executor->cancel_all();
  ASSERT_EQ(done.size(), 2u);
  for (const FinishedTrial& f : done) EXPECT_EQ(f.outcome.reason, FailureReason::kInterrupted);
  EXPECT_EQ(executor->running(), 0u);
}

// A released trial (handed to another worker) is stopped here; the other keeps running.
TEST_F(LocalExecutorTest, ReleaseStopsThatTrialOnly) {
  dir_.write("slow.sh", "sleep 60\n");
  auto executor = make(R"(command = ["sh", "slow.sh"])", 2);
  ASSERT_TRUE(executor->start(spec(1)).is_ok());
  ASSERT_TRUE(executor->start(spec(2)).is_ok());
  executor->release(2);
  std::vector<FinishedTrial> done;
  while (done.empty()) done = executor->wait_any(std::chrono::seconds(30));
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].id, 2);
  EXPECT_EQ(done[0].outcome.reason, FailureReason::kInterrupted) << done[0].outcome.message;
  EXPECT_EQ(executor->running(), 1u);
}

// Overlap is read from the trials' own clocks: each logs its start and end time.
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

TEST(LocalExecutorCreateTest, ZeroSlotsIsInvalid) {
  EXPECT_EQ(LocalExecutor::create(TrialConfig{}, {0, {}, {}}).status().code(),
            base::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace qtune::exec
