// The Slurm executor against a real one-node cluster (scripts/start-slurm): every trial is a
// real sbatch job.
#include "exec/slurm/slurm_executor.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <set>
#include <thread>

#include "exec/executor_test_util.h"
#include "support/eventually.h"
#include "support/run_process.h"
#include "support/slurm_cluster.h"
#include "support/temp_dir.h"

namespace qtune::exec {
namespace {

using qtune::testing::eventually;
using qtune::testing::read_file;
using qtune::testing::run_all;
using qtune::testing::run_process;
using qtune::testing::TempDir;

class SlurmExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(qtune::testing::start_slurm_cluster().empty()); }

  // `trial` is the [trial] body; `slurm` more [trial.slurm] lines (poll_interval is short).
  std::unique_ptr<SlurmExecutor> make(std::string_view trial, std::size_t parallel = 1,
                                      std::string_view slurm = "",
                                      BuiltinMetricFunction builtin = {}) {
    auto executor =
        SlurmExecutor::create(qtune::testing::executor_trial_config(dir_, "slurm", trial, slurm),
                              {parallel, "test", std::move(builtin)});
    EXPECT_TRUE(executor.is_ok()) << executor.status().to_string();
    return std::move(executor).value();
  }

  TrialSpec spec(TrialId id, std::string word = "a b", std::string k = "2") {
    return qtune::testing::trial_spec(dir_, id, std::move(word), std::move(k));
  }

  void write_gated_script() { qtune::testing::write_gated_script(dir_); }

  std::string job_id(TrialId id) const {
    return read_file(dir_ / "trials" / std::to_string(id) / "slurm_job_id");
  }

  // The ids among `ids` that squeue still lists.
  static std::string in_queue(const std::vector<std::string>& ids) {
    std::string list;
    for (const std::string& id : ids) list += (list.empty() ? "" : ",") + id;
    return run_process({"squeue", "--noheader", "--format=%i", "--jobs=" + list}).out;
  }

  TempDir dir_;
};

// A built-in metric is computed off the polling thread, as in the local executor: poll()
// returns at once while it runs, the trial counts as running, and its value arrives later.
TEST_F(SlurmExecutorTest, BuiltinMetricRunsBesidePolling) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  BuiltinMetricFunction builtin =
      [&](const BuiltinMetric&, const std::filesystem::path&,
          const std::filesystem::path& generated) -> base::Result<double> {
    EXPECT_EQ(generated.filename(), "rec2");
    entered.set_value();
    if (released.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      return base::Status::internal("the test never released the metric");
    }
    return 0.25;
  };
  auto executor = make(R"(command = ["true"]
metric = { builtin = "fid", reference = "stim", generated = "rec{K}" })",
                       1, "", builtin);
  ASSERT_TRUE(executor->start(spec(1)).is_ok());
  std::future<void> in_metric = entered.get_future();
  while (in_metric.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready) {
    ASSERT_TRUE(executor->poll().empty());
  }
  EXPECT_EQ(executor->running(), 1u) << "a trial being scored still counts as running";
  EXPECT_TRUE(executor->poll().empty());
  release.set_value();
  std::vector<FinishedTrial> done;
  while (done.empty() && executor->running() > 0)
    done = executor->wait_any(std::chrono::seconds(30));
  ASSERT_EQ(done.size(), 1u);
  ASSERT_TRUE(done[0].outcome.ok()) << done[0].outcome.message;
  EXPECT_DOUBLE_EQ(*done[0].outcome.value, 0.25);
  EXPECT_EQ(executor->running(), 0u);
}

// The metric, parameters, environment and workdir are the conformance suite's
// (executor_conformance_test.cc); here job.sh's own record of how the command ended.
TEST_F(SlurmExecutorTest, JobRecordsItsExitStatus) {
  auto executor = make(R"(command = ["sh", "-c", "echo FID: 1"])");
  const TrialSpec trial = spec(7);
  const TrialOutcome outcome = run_all(*executor, {trial})[7];
  ASSERT_TRUE(outcome.ok()) << outcome.message << "\n" << outcome.log_tail;
  EXPECT_EQ(read_file(trial.dir / "exit_status"), "exit=0\n");
}

TEST_F(SlurmExecutorTest, ArgvWordsArriveIntact) {
  dir_.write("args.sh",
             "for a in \"$@\"; do printf '[%s]\\n' \"$a\"; done > \"$QTUNE_TRIAL_DIR/args\"\necho "
             "FID: 1\n");
  auto executor = make(R"(command = ["sh", "../../args.sh", "{word}", "--w={word}", "it's \"{K}\""]
workdir = "{trial_dir}")",
                       6);
  const std::vector<std::string> words = {"a b", "$(touch pwned)", "x;y|z&", "'q'", "*"};
  std::vector<TrialSpec> trials;
  for (std::size_t i = 0; i < words.size(); ++i)
    trials.push_back(spec(static_cast<TrialId>(i), words[i]));
  // A trial folder whose name Slurm would expand (%j) and a shell would split.
  trials.push_back({9, {{"word", "a b"}, {"K", "2"}}, dir_ / "odd 'dir' %j\n$(touch pwned)" / "9"});
  const auto outcomes = run_all(*executor, trials);
  for (const TrialSpec& trial : trials) {
    SCOPED_TRACE(trial.params[0].second);
    EXPECT_TRUE(outcomes.at(trial.id).ok()) << outcomes.at(trial.id).message;
    const std::string word = trial.params[0].second;
    EXPECT_EQ(read_file(trial.dir / "args"), "[" + word + "]\n[--w=" + word + "]\n[it's \"2\"]\n");
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "pwned"));
}

// The other failures are the conformance suite's; a missing program is found on the node.
TEST_F(SlurmExecutorTest, MissingProgramIsALaunchFailure) {
  auto missing = make(R"(command = ["./no-such-program"])");
  const TrialOutcome launch = run_all(*missing, {spec(4)})[4];
  EXPECT_EQ(launch.reason, FailureReason::kLaunch) << launch.message;
  EXPECT_NE(launch.log_tail.find("./no-such-program: no such program"), std::string::npos)
      << launch.log_tail;
}

// sbatch refusing the settings (a partition that does not exist) would refuse every trial:
// start() fails with sbatch's message and nothing runs or waits.
TEST_F(SlurmExecutorTest, SbatchRefusingTheSettingsFailsTheStart) {
  auto executor = make(R"(command = ["true"])", 1, "partition = \"no-such-partition\"\n");
  const base::Status started = executor->start(spec(1));
  EXPECT_EQ(started.code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(started.message().find("[trial.slurm]: sbatch refused the job: sbatch: error: "),
            std::string::npos)
      << started.message();
  EXPECT_NE(started.message().find("Invalid partition name specified"), std::string::npos)
      << started.message();
  EXPECT_EQ(executor->running(), 0u);
  EXPECT_TRUE(executor->poll().empty());
}

TEST_F(SlurmExecutorTest, TimeoutCancelsTheJob) {
  auto executor = make(R"(command = ["sleep", "60"]
timeout = 1)");
  const TrialOutcome outcome = run_all(*executor, {spec(1)})[1];
  EXPECT_EQ(outcome.reason, FailureReason::kTimeout) << outcome.message;
  EXPECT_EQ(outcome.message, "timeout after 1s");
  EXPECT_EQ(in_queue({job_id(1)}), "");
}

TEST_F(SlurmExecutorTest, CancelAllLeavesNoJobInTheQueue) {
  auto executor = make(R"(command = ["sleep", "60"])", 3);
  for (TrialId id = 1; id <= 3; ++id) ASSERT_TRUE(executor->start(spec(id)).is_ok());
  EXPECT_EQ(executor->start(spec(4)).code(), base::StatusCode::kUnavailable);
  EXPECT_EQ(executor->running(), 3u);
  const std::vector<FinishedTrial> done = executor->cancel_all();
  ASSERT_EQ(done.size(), 3u);
  for (const FinishedTrial& f : done)
    EXPECT_EQ(f.outcome.reason, FailureReason::kInterrupted) << f.outcome.message;
  EXPECT_EQ(executor->running(), 0u);
  EXPECT_EQ(in_queue({job_id(1), job_id(2), job_id(3)}), "");
}

TEST_F(SlurmExecutorTest, JobCancelledFromOutsideFailsWithSlurmsState) {
  dir_.write("slow.sh", "touch \"$QTUNE_TRIAL_DIR/started\"\nsleep 60\n");
  auto executor = make(R"(command = ["sh", "slow.sh"])");
  const TrialSpec trial = spec(1);
  ASSERT_TRUE(executor->start(trial).is_ok());
  std::vector<FinishedTrial> done;
  while (!std::filesystem::exists(trial.dir / "started") && done.empty())
    done = executor->wait_any(std::chrono::milliseconds(50));
  ASSERT_TRUE(done.empty()) << done[0].outcome.message;
  EXPECT_EQ(run_process({"scancel", job_id(1)}).exit_code, 0);
  while (done.empty()) done = executor->wait_any(std::chrono::seconds(60));
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].outcome.reason, FailureReason::kSignal);
  EXPECT_EQ(done[0].outcome.message.find("Slurm job " + job_id(1) + " ended CANCELLED"), 0u)
      << done[0].outcome.message;
}

// job.sh may record the signal the program died of before Slurm has finished ending the job
// (squeue and scontrol say COMPLETING, not CANCELLED, until then). The program here writes that
// record itself, well before the scancel, so the executor sees it while the job still runs.
TEST_F(SlurmExecutorTest, RecordedSignalWaitsForSlurmToNameTheEnd) {
  dir_.write("cancelled.sh", R"(printf 'signal=15\n' > "$QTUNE_TRIAL_DIR/exit_status"
sleep 1
scancel "$SLURM_JOB_ID"
sleep 60
)");
  auto executor = make(R"(command = ["sh", "cancelled.sh"])");
  const TrialOutcome outcome = run_all(*executor, {spec(1)})[1];
  EXPECT_EQ(outcome.reason, FailureReason::kSignal);
  EXPECT_EQ(outcome.message.find("Slurm job " + job_id(1) + " ended CANCELLED"), 0u)
      << outcome.message;
  EXPECT_EQ(in_queue({job_id(1)}), "");
}

// release() leaves the job to the trial's next owner: a later start() of the same trial (a
// resumed qtune, another worker; here a second executor) takes the running job over, so the
// command runs once.
TEST_F(SlurmExecutorTest, ReleasedJobIsTakenOverWhileItRuns) {
  write_gated_script();
  const TrialSpec trial = spec(1);
  std::string job;
  {
    auto first = make(R"(command = ["sh", "gated.sh"])");
    ASSERT_TRUE(first->start(trial).is_ok());
    job = job_id(1);
    ASSERT_TRUE(eventually([&] { return std::filesystem::exists(dir_ / "runs.log"); }));
    first->release(1);
    const std::vector<FinishedTrial> released = first->poll();
    ASSERT_EQ(released.size(), 1u);
    EXPECT_EQ(released[0].outcome.reason, FailureReason::kInterrupted);
    EXPECT_EQ(released[0].outcome.message,
              "handed to another process, which takes over Slurm job " + job);
    EXPECT_EQ(first->running(), 0u);
  }  // destroying the executor cancels nothing it released
  EXPECT_NE(in_queue({job}), "");
  auto second = make(R"(command = ["sh", "gated.sh"])");
  ASSERT_TRUE(second->start(trial).is_ok());
  dir_.write("go", "");
  const TrialOutcome outcome = run_all(*second, {})[1];
  ASSERT_TRUE(outcome.ok()) << outcome.message;
  EXPECT_DOUBLE_EQ(*outcome.value, 4.0);
  EXPECT_EQ(job_id(1), job);
  EXPECT_EQ(read_file(dir_ / "runs.log"), "run\n");
}

// A job that ended while nobody watched it (qtune dead) counts for its trial when it is
// started again: its recorded end, metric and run time are read, nothing is submitted.
TEST_F(SlurmExecutorTest, JobThatFinishedMeanwhileIsTakenOver) {
  dir_.write("once.sh", "echo run >> runs.log\nsleep 2\necho FID: 3\n");
  const TrialSpec trial = spec(1);
  std::string job;
  {
    auto first = make(R"(command = ["sh", "once.sh"])");
    ASSERT_TRUE(first->start(trial).is_ok());
    job = job_id(1);
    first->release(1);
  }
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(trial.dir / "exit_status"); }));
  std::this_thread::sleep_for(std::chrono::seconds(1));  // taken over a while after the job ended
  auto second = make(R"(command = ["sh", "once.sh"])");
  const TrialOutcome outcome = run_all(*second, {trial})[1];
  ASSERT_TRUE(outcome.ok()) << outcome.message;
  EXPECT_DOUBLE_EQ(*outcome.value, 3.0);
  // job.sh's own start and end (file times, 1 s resolution on some file systems): the 2 s
  // sleep, not the time since the take-over.
  EXPECT_GE(outcome.elapsed, std::chrono::seconds(1));
  EXPECT_LE(outcome.elapsed, std::chrono::seconds(30));
  EXPECT_EQ(job_id(1), job);
  EXPECT_EQ(read_file(dir_ / "runs.log"), "run\n");
}

// A taken-over job's timeout counts from when job.sh started, not from the take-over.
TEST_F(SlurmExecutorTest, TakenOverJobTimesOutFromItsOwnStart) {
  write_gated_script();
  const TrialSpec trial = spec(1);
  const auto before_start = std::chrono::steady_clock::now();
  {
    auto first = make(R"(command = ["sh", "gated.sh"])");
    ASSERT_TRUE(first->start(trial).is_ok());
    ASSERT_TRUE(eventually([&] { return std::filesystem::exists(dir_ / "runs.log"); }));
    first->release(1);
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));
  auto second = make(R"(command = ["sh", "gated.sh"]
timeout = 2)");
  const TrialOutcome outcome = run_all(*second, {trial})[1];
  EXPECT_EQ(outcome.reason, FailureReason::kTimeout) << outcome.message;
  EXPECT_GE(outcome.elapsed, std::chrono::seconds(3));  // counted from before the take-over
  EXPECT_LE(outcome.elapsed, std::chrono::steady_clock::now() - before_start);
  EXPECT_EQ(in_queue({job_id(1)}), "");
}

// A job qtune scancelled (Ctrl-C) is never taken over, even when its script recorded the
// SIGTERM (the race of RecordedSignalWaitsForSlurmToNameTheEnd): the trial runs again.
TEST_F(SlurmExecutorTest, JobQtuneCancelledIsSubmittedAgain) {
  write_gated_script();
  const TrialSpec trial = spec(1);
  auto first = make(R"(command = ["sh", "gated.sh"])");
  ASSERT_TRUE(first->start(trial).is_ok());
  const std::string job = job_id(1);
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(dir_ / "runs.log"); }));
  const std::vector<FinishedTrial> stopped = first->cancel_all();
  ASSERT_EQ(stopped.size(), 1u);
  EXPECT_EQ(stopped[0].outcome.reason, FailureReason::kInterrupted);
  dir_.write("trials/1/exit_status", "signal=15\n");
  dir_.write("go", "");
  auto second = make(R"(command = ["sh", "gated.sh"])");
  const TrialOutcome outcome = run_all(*second, {trial})[1];
  ASSERT_TRUE(outcome.ok()) << outcome.message;
  EXPECT_DOUBLE_EQ(*outcome.value, 4.0);
  EXPECT_NE(job_id(1), job);
  EXPECT_EQ(read_file(dir_ / "runs.log"), "run\nrun\n");
}

// An earlier job that does not run the job.sh this run would write (here there is none: a
// job from elsewhere under the trial's job name) is cancelled, and the trial submitted again.
TEST_F(SlurmExecutorTest, ResubmissionCancelsTheEarlierJob) {
  dir_.write("t.sh", "echo FID: 1\n");
  auto executor = make(R"(command = ["sh", "t.sh"])");
  const TrialSpec trial = spec(1);
  std::filesystem::create_directories(trial.dir);
  const std::string job = run_process({"sbatch", "--parsable", "--job-name=qtune-test-1",
                                       "--output=/dev/null", "--wrap=sleep 60"})
                              .out;
  const std::string earlier = job.substr(0, job.find('\n'));
  dir_.write("trials/1/slurm_job_id", earlier);
  dir_.write("trials/1/exit_status",
             "exit=9\n");  // left by the earlier run: not this run's outcome
  const TrialOutcome outcome = run_all(*executor, {trial})[1];
  EXPECT_TRUE(outcome.ok()) << outcome.message;
  EXPECT_EQ(in_queue({earlier}), "");
}

// A job that started under an earlier qtune and left the queue without an exit status while
// no qtune watched (here: scancelled) fails with Slurm's state; it is not submitted again.
TEST_F(SlurmExecutorTest, JobThatEndedUnwatchedFailsWithSlurmsStateAndIsNotResubmitted) {
  write_gated_script();
  const TrialSpec trial = spec(1);
  std::string job;
  {
    auto first = make(R"(command = ["sh", "gated.sh"])");
    ASSERT_TRUE(first->start(trial).is_ok());
    job = job_id(1);
    ASSERT_TRUE(eventually([&] { return std::filesystem::exists(dir_ / "runs.log"); }));
    ASSERT_TRUE(std::filesystem::exists(dir_ / "trials/1/job_started"));
    first->release(1);  // as a killed qtune, it leaves the job running
  }
  ASSERT_EQ(run_process({"scancel", job}).exit_code, 0);
  ASSERT_TRUE(eventually([&] { return in_queue({job}).empty(); }));
  auto second = make(R"(command = ["sh", "gated.sh"])");
  const TrialOutcome outcome = run_all(*second, {trial})[1];
  EXPECT_EQ(outcome.reason, FailureReason::kSignal) << outcome.message;
  EXPECT_NE(outcome.message.find("Slurm job " + job + " ended CANCELLED"), std::string::npos)
      << outcome.message;
  EXPECT_EQ(job_id(1), job);  // not submitted again
  EXPECT_EQ(read_file(dir_ / "runs.log"), "run\n");
  const std::vector<std::string> notes = second->take_notes();
  ASSERT_EQ(notes.size(), 1u);
  // Slurm may still know the job (scontrol/sacct: "it has ended") or not any more ("ended
  // while qtune was not watching"), depending on how soon after the cancel qtune looks.
  EXPECT_NE(notes[0].find("Slurm job " + job), std::string::npos) << notes[0];
  EXPECT_NE(notes[0].find("ended"), std::string::npos) << notes[0];
}

TEST(SlurmExecutorCreateTest, ZeroSlotsOrNoSbatchIsRefused) {
  EXPECT_EQ(SlurmExecutor::create(TrialConfig{}, {0, "s", {}}).status().code(),
            base::StatusCode::kInvalidArgument);
  TrialConfig config;
  config.slurm.sbatch = "/no/such/sbatch";
  const auto missing = SlurmExecutor::create(config, {1, "s", {}});
  EXPECT_EQ(missing.status().code(), base::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "[trial.slurm] sbatch: \"/no/such/sbatch --version\" failed (/no/such/sbatch: No such "
            "file or "
            "directory); install Slurm's client commands or set sbatch to their path");
}

}  // namespace
}  // namespace qtune::exec
