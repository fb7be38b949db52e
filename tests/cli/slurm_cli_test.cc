// `qtune run` with executor = "slurm" on the project's one-node cluster (scripts/start-slurm).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <set>
#include <thread>

#include "cli/run_cli_util.h"
#include "support/slurm_study_test.h"

namespace qtune::testing {
namespace {

class SlurmCliTest : public SlurmStudyTest {
 protected:
  // Two trials at once (parallel = 2) of the gated script.
  std::filesystem::path gated_study() {
    write_gated_script();
    return dir_.write("study.toml", R"([study]
name = "s"
[space]
x = { range = [0, 9] }
[strategy]
kind = "grid"
[budget]
trials = 2
parallel = 2
[trial]
command = ["sh", "t.sh", "{x}"]
executor = "slurm"
[trial.slurm]
poll_interval = 0.2
)");
  }

  // `qtune run` in the background until both trials' jobs run, then `sig` to it; the job ids.
  std::vector<std::string> run_until_both_jobs_run(const std::filesystem::path& file, int sig) {
    BackgroundRun run(file, dir_ / "first.log");
    EXPECT_TRUE(eventually([&] { return lines_of(dir_ / "runs.log").size() == 2; }))
        << read_file(dir_ / "first.log");
    std::vector<std::string> jobs;
    for (const char* trial : {"0", "1"})
      jobs.push_back(read_file(dir_ / "s.trials" / trial / "slurm_job_id"));
    run.signal(sig);
    const int status = run.wait();
    if (sig == SIGINT) {  // Ctrl-C: qtune stops its trials and exits 130
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130) << read_file(dir_ / "first.log");
    }
    return jobs;
  }
};

TEST_F(SlurmCliTest, RunWithParallelTwoCompletesItsBudget) {
  // Each trial says which Slurm job ran it.
  dir_.write("train.sh", "echo \"job $SLURM_JOB_ID\"\necho \"FID: $(( ($1-3)*($1-3) + $2 ))\"\n");
  const auto file = dir_.write("study.toml", R"([study]
name = "s"
[space]
x = { range = [0, 5] }
y = { values = [0, 1] }
[strategy]
kind = "random"
[budget]
trials = 6
parallel = 2
[trial]
command = ["sh", "train.sh", "{x}", "{y}"]
executor = "slurm"
[trial.slurm]
poll_interval = 0.2
cpus_per_task = 1
mem = "100M"
)");
  const ProcessResult run = qtune({"run", file.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const ProcessResult status = qtune({"status", file.string()});
  EXPECT_NE(status.out.find("6 trials: 6 complete, 0 failed"), std::string::npos) << status.out;
  std::set<std::string> jobs;
  for (const nlohmann::json& trial : exported_trials(file)) {
    const std::filesystem::path dir =
        dir_ / ("s.trials/" + std::to_string(trial["number"].get<int>()));
    const std::string job = read_file(dir / "slurm_job_id");
    EXPECT_EQ(lines_of(dir / "stdout.log").at(0), "job " + job);
    jobs.insert(job);
    const int x = trial["params"]["x"].get<int>();
    const int y = trial["params"]["y"].get<int>();
    EXPECT_EQ(trial["value"], (x - 3) * (x - 3) + y);
  }
  EXPECT_EQ(jobs.size(), 6u);  // one job per trial
}

// Ctrl-C scancels the running jobs (none is left in the queue) and records the trials as
// interrupted; the same command then runs them again to the end.
TEST_F(SlurmCliTest, InterruptCancelsTheJobsAndRunResumes) {
  const auto file = gated_study();
  const std::vector<std::string> jobs = run_until_both_jobs_run(file, SIGINT);
  // scancel was sent: the jobs leave the queue within seconds, not when `go` appears (a job
  // whose status file qtune already read may still be COMPLETING when qtune exits).
  for (int i = 0; i < 100 && !queued(jobs).empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(queued(jobs), "");
  for (const nlohmann::json& t : exported_trials(file)) EXPECT_EQ(t["state"], "INTERRUPTED");

  dir_.write("go", "");
  const ProcessResult resumed = qtune({"run", file.string()});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const nlohmann::json after = exported_trials(file);
  ASSERT_EQ(after.size(), 2u);
  for (const nlohmann::json& t : after) EXPECT_EQ(t["state"], "COMPLETE");
  EXPECT_EQ(lines_of(dir_ / "runs.log").size(), 4u);  // both trials ran again
}

// qtune killed outright (kill -9, a lost login session) leaves its jobs running: the same
// command takes them over, so each trial's training runs once and counts.
TEST_F(SlurmCliTest, KilledRunLeavesItsJobsToTheResumedOne) {
  const auto file = gated_study();
  const std::vector<std::string> jobs = run_until_both_jobs_run(file, SIGKILL);
  EXPECT_EQ(queued(jobs), jobs[0] + "\n" + jobs[1] + "\n");

  const std::string resumed_at = iso_now();
  dir_.write("go", "");
  const ProcessResult resumed = qtune({"run", file.string()});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const nlohmann::json after = exported_trials(file);
  ASSERT_EQ(after.size(), 2u);
  for (const nlohmann::json& t : after) {
    EXPECT_EQ(t["state"], "COMPLETE");
    EXPECT_EQ(t["value"], t["params"]["x"].get<double>());
    // It started in the killed run (job.sh's start), not when the resumed one took it over.
    EXPECT_LT(t["started_at"].get<std::string>(), resumed_at) << t.dump();
    EXPECT_EQ(t["attempt"], 1);
  }
  EXPECT_EQ(read_file(dir_ / "s.trials/0/slurm_job_id"), jobs[0]);
  EXPECT_EQ(read_file(dir_ / "s.trials/1/slurm_job_id"), jobs[1]);
  EXPECT_EQ(lines_of(dir_ / "runs.log").size(), 2u) << "a trial's command ran twice";
}

// A worker that dies leaves its job running; the worker that hands the trial out again (at
// once: the dead worker was a process of this host) takes the job over.
TEST_F(SlurmCliTest, DeadWorkersJobIsTakenOverByAnotherWorker) {
  write_gated_script();
  const auto file = dir_.write("study.toml", R"([study]
name = "s"
[space]
x = { range = [0, 1] }
[strategy]
kind = "grid"
trajectories = 2
[budget]
trials = 2
[trial]
command = ["sh", "t.sh", "{x}"]
executor = "slurm"
[trial.slurm]
poll_interval = 0.2
)");
  const auto worker = [&](const std::string& id) {
    return std::make_unique<BackgroundQtune>(
        dir_ / (id + ".log"),
        std::vector<std::string>{"worker", file.string(), "--worker-id", id, "--heartbeat", "0.1s",
                                 "--stale-after", "2s"});
  };
  auto w0 = worker("w0");
  ASSERT_TRUE(eventually([&] { return lines_of(dir_ / "runs.log").size() == 1; }))
      << read_file(dir_ / "w0.log");
  const std::string job = read_file(dir_ / "s.trials/0/slurm_job_id");
  w0->signal(SIGKILL);
  w0->wait();
  auto w1 = worker("w1");
  ASSERT_TRUE(eventually([&] {
    return text_of(dir_ / "w1.log").find("trial 0: taking over Slurm job " + job) !=
           std::string::npos;
  })) << read_file(dir_ / "w1.log");
  dir_.write("go", "");
  EXPECT_EQ(w1->exit_code(), 0) << read_file(dir_ / "w1.log");

  const nlohmann::json trials = exported_trials(file);
  ASSERT_EQ(trials.size(), 2u);
  for (const nlohmann::json& t : trials) {
    EXPECT_EQ(t["state"], "COMPLETE");
    EXPECT_EQ(t["worker"], "w1");
    EXPECT_EQ(t["value"], t["params"]["x"].get<double>());
  }
  EXPECT_EQ(trials[0]["attempt"], 1);  // handed out again once
  EXPECT_EQ(read_file(dir_ / "s.trials/0/slurm_job_id"), job);
  const std::vector<std::string> runs =
      lines_of(dir_ / "runs.log");  // each trial's command ran once
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_NE(runs[0], runs[1]);
}

// Slurm job ids are cluster-wide: a worker on another login node (QTUNE_HOSTNAME) takes over
// the jobs of a `qtune run` killed elsewhere once its heartbeat is stale, and no job runs twice.
TEST_F(SlurmCliTest, KilledRunsJobsAreTakenOverFromAnotherLoginNode) {
  const auto file = gated_study();
  const std::vector<std::string> jobs = run_until_both_jobs_run(file, SIGKILL);
  ::setenv("QTUNE_HOSTNAME", "login2", 1);  // for the worker only
  BackgroundQtune worker(dir_ / "w.log",
                         {"worker", file.string(), "--heartbeat", "0.2s", "--stale-after", "2s"});
  ::unsetenv("QTUNE_HOSTNAME");
  ASSERT_TRUE(eventually([&] {
    const std::string log = text_of(dir_ / "w.log");
    return log.find("trial 1: taking over Slurm job " + jobs[1]) != std::string::npos &&
           log.find("trial 0: taking over Slurm job " + jobs[0]) != std::string::npos;
  })) << read_file(dir_ / "w.log");
  dir_.write("go", "");
  EXPECT_EQ(worker.exit_code(), 0) << read_file(dir_ / "w.log");
  const nlohmann::json after = exported_trials(file);
  ASSERT_EQ(after.size(), 2u);
  for (const nlohmann::json& t : after) {
    EXPECT_EQ(t["state"], "COMPLETE");
    EXPECT_EQ(t["worker"].get<std::string>().rfind("login2:", 0), 0u) << t["worker"];
  }
  EXPECT_EQ(read_file(dir_ / "s.trials/0/slurm_job_id"), jobs[0]);
  EXPECT_EQ(read_file(dir_ / "s.trials/1/slurm_job_id"), jobs[1]);
  EXPECT_EQ(lines_of(dir_ / "runs.log").size(), 2u) << "a trial's command ran twice";
}

// A job that cannot start (sbatch --hold) is shown by `qtune status` with Slurm's state and
// reason, in the table and in JSON, while the trial is RUNNING in the store.
TEST_F(SlurmCliTest, StatusShowsAHeldJobsStateAndPendingReason) {
  dir_.write("t.sh", "echo \"start $1\" >> runs.log\necho FID: $1\n");
  const auto file = dir_.write("study.toml", R"([study]
name = "s"
[space]
x = { range = [0, 9] }
[strategy]
kind = "grid"
[budget]
trials = 1
[trial]
command = ["sh", "t.sh", "{x}"]
executor = "slurm"
[trial.slurm]
poll_interval = 0.2
extra = ["--hold"]
)");
  BackgroundRun run(file, dir_ / "run.log");
  nlohmann::json trial;
  ASSERT_TRUE(eventually([&] {
    const ProcessResult shown = qtune({"status", file.string(), "--format", "json"});
    if (shown.exit_code != 0) return false;
    const nlohmann::json list = nlohmann::json::parse(shown.out)["trial_list"];
    if (list.empty() || !list[0].contains("slurm_state")) return false;
    trial = list[0];
    return trial["slurm_state"] == "PENDING";
  })) << trial.dump()
      << text_of(dir_ / "run.log");
  EXPECT_EQ(trial["state"], "RUNNING");
  EXPECT_EQ(trial["slurm_reason"], "JobHeldUser");
  const std::string job = trial["slurm_job"].get<std::string>();
  EXPECT_EQ(job, read_file(dir_ / "s.trials/0/slurm_job_id"));
  const ProcessResult table = qtune({"status", file.string()});
  EXPECT_NE(table.out.find("(Slurm job " + job + " PENDING: JobHeldUser)"), std::string::npos)
      << table.out;
  run.signal(SIGINT);
  EXPECT_EQ(run.exit_code(), 130) << text_of(dir_ / "run.log");
  EXPECT_TRUE(lines_of(dir_ / "runs.log").empty());
}

TEST_F(SlurmCliTest, GpusAreForTheLocalExecutor) {
  const auto file = dir_.write("study.toml", R"([space]
x = { range = [0, 1] }
[budget]
gpus = 1
[trial]
command = ["true"]
executor = "slurm"
)");
  const ProcessResult run = qtune({"run", file.string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("[budget] gpus: is for executor = \"local\""), std::string::npos)
      << run.err;
}

}  // namespace
}  // namespace qtune::testing
