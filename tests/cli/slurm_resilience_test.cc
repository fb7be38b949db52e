// The cluster misbehaving under a study, on the project's one-node Slurm (scripts/start-slurm):
// sbatch refusing the settings, the controller down for a while, a job held pending, one task
// of a worker array cancelled, and the issue's one scenario: 40 trials through all of these and
// more (qtune killed, workers of another login node, one of them killed, `qtune retry`). No
// trial that did not run counts, and none is lost.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/run_cli_util.h"
#include "support/slurm_cluster.h"
#include "support/slurm_study_test.h"

namespace qtune::testing {
namespace {

using nlohmann::json;

class SlurmResilienceTest : public SlurmStudyTest {
 protected:
  std::filesystem::path slurm_study(const std::string& slurm_table, int trials) {
    dir_.write("t.sh", "echo \"start $1\" >> runs.log\necho FID: $1\n");
    return dir_.write("study.toml", R"([study]
name = "s"
[space]
x = { range = [0, 9] }
[strategy]
kind = "grid"
[budget]
trials = )" + std::to_string(trials) + R"(
parallel = 2
[trial]
command = ["sh", "t.sh", "{x}"]
executor = "slurm"
[trial.slurm]
poll_interval = 0.2
)" + slurm_table);
  }
  std::map<std::string, int> states(const std::filesystem::path& file) {
    std::map<std::string, int> out;
    for (const json& t : exported_trials(file)) ++out[t["state"].get<std::string>()];
    return out;
  }
};

// A partition that does not exist: the study stops at the first sbatch with its message and
// exit 2, no trial counted; fixed, the same command runs the whole budget.
TEST_F(SlurmResilienceTest, RefusedPartitionStopsAtOnceAndTheFixedStudyRunsItsBudget) {
  auto file = slurm_study("partition = \"nope\"\n", 4);
  const ProcessResult refused = qtune({"run", file.string()});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("[trial.slurm]: sbatch refused the job"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("Invalid partition name specified"), std::string::npos) << refused.err;
  EXPECT_EQ(states(file), (std::map<std::string, int>{{"INTERRUPTED", 1}}));
  EXPECT_TRUE(lines_of(dir_ / "runs.log").empty());

  file = slurm_study("partition = \"debug\"\n", 4);
  const ProcessResult fixed = qtune({"run", file.string()});
  ASSERT_EQ(fixed.exit_code, 0) << fixed.err;
  EXPECT_EQ(states(file), (std::map<std::string, int>{{"COMPLETE", 4}}));
  EXPECT_EQ(lines_of(dir_ / "runs.log").size(), 4u);
}

// The controller is down when the study starts: sbatch's failures are retried (and said)
// until it is back; every trial then runs once and none failed.
TEST_F(SlurmResilienceTest, UnreachableControllerIsRetriedUntilItIsBack) {
  const auto file = slurm_study("", 3);
  // qtune's client commands give up on the controller after 1 s instead of 9 (MessageTimeout).
  const std::string conf = start_slurm_cluster();
  std::string text = read_file(conf);
  const std::size_t at = text.find("MessageTimeout=");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, text.find('\n', at) - at, "MessageTimeout=2");
  const std::string impatient = dir_.write("slurm.conf", text).string();
  ASSERT_TRUE(stop_slurm_controller());
  ::setenv("SLURM_CONF", impatient.c_str(), 1);  // for the qtune process only
  BackgroundRun run(file, dir_ / "run.log");
  ::setenv("SLURM_CONF", conf.c_str(), 1);
  const bool retried = eventually([&] {
    return text_of(dir_ / "run.log").find("not started, trying again in") != std::string::npos;
  });
  ASSERT_TRUE(restart_slurm_controller());
  ASSERT_TRUE(retried) << text_of(dir_ / "run.log");
  EXPECT_EQ(run.exit_code(), 0) << text_of(dir_ / "run.log");
  const std::string log = text_of(dir_ / "run.log");
  EXPECT_NE(log.find("Unable to contact slurm controller"), std::string::npos) << log;
  // "trial 0: submitted as Slurm job 145 after 2 failed sbatches" (how many: timing)
  EXPECT_NE(log.find("trial 0: submitted as Slurm job "), std::string::npos) << log;
  EXPECT_NE(log.find(" failed sbatch"), std::string::npos) << log;
  EXPECT_EQ(states(file), (std::map<std::string, int>{{"COMPLETE", 3}}));
  EXPECT_EQ(lines_of(dir_ / "runs.log").size(), 3u);
}

// A job that cannot start yet (--begin in an hour) is said pending with Slurm's reason;
// max_time ends the run, cancelling it and giving its trial back; max_pending fails it.
TEST_F(SlurmResilienceTest, HeldJobIsShownAndEndedByMaxTimeOrMaxPending) {
  const std::string held = "extra = [\"--begin=now+1hour\"]\n";
  auto file = slurm_study(held, 1);
  std::string text = read_file(file);
  text.replace(text.find("[budget]\n"), 9, "[budget]\nmax_time = \"3s\"\n");
  file = dir_.write("study.toml", text);
  const ProcessResult timed = qtune({"run", file.string()});
  // Not "no successful trial" (exit 3): the run ended on its time limit, the study goes on.
  EXPECT_EQ(timed.exit_code, 130) << timed.err;
  EXPECT_NE(timed.err.find("[budget] max_time 3s is up: this run ended with 1 trial given back "
                           "(INTERRUPTED"),
            std::string::npos)
      << timed.err;
  EXPECT_NE(timed.err.find("run the same command to continue"), std::string::npos) << timed.err;
  EXPECT_EQ(timed.err.find("no successful trial"), std::string::npos) << timed.err;
  EXPECT_NE(timed.err.find("trial 0: Slurm job "), std::string::npos) << timed.err;
  EXPECT_NE(timed.err.find(" is pending (BeginTime)"), std::string::npos) << timed.err;
  EXPECT_NE(timed.err.find("max_time 3s is up"), std::string::npos) << timed.err;
  EXPECT_EQ(states(file), (std::map<std::string, int>{{"INTERRUPTED", 1}}));
  const std::string job = read_file(dir_ / "s.trials/0/slurm_job_id");
  EXPECT_EQ(run_process({"squeue", "--noheader", "--jobs=" + job}).out, "");

  file = slurm_study(held + "max_pending = \"2s\"\n", 1);
  const ProcessResult pended = qtune({"run", file.string()});
  EXPECT_EQ(pended.exit_code, 3) << pended.err;  // no successful trial
  const json trials = exported_trials(file);
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0]["state"], "FAILED");
  EXPECT_NE(trials[0]["failure_reason"].get<std::string>().find(
                "was still pending after [trial.slurm] max_pending = 2s (BeginTime); it never "
                "started"),
            std::string::npos)
      << trials[0].dump();
  EXPECT_TRUE(lines_of(dir_ / "runs.log").empty());
}

// The README's worker array: scancel of one task sends SIGTERM to its `qtune worker` and to
// its trial at once. The trial is given back (interrupted, not failed) and the other worker
// runs it.
TEST_F(SlurmResilienceTest, CancelledArrayTaskGivesItsTrialBack) {
  write_gated_script();
  const auto file = dir_.write("study.toml", R"([study]
name = "s"
[space]
x = { range = [0, 2] }
[strategy]
kind = "grid"
trajectories = 2
[budget]
trials = 3
[trial]
command = ["sh", "t.sh", "{x}"]
)");
  const ProcessResult submitted =
      run_process({"sbatch", "--parsable", "--array=0-1", "--chdir=" + dir_.path().string(),
                   "--output=" + (dir_ / "w%a.log").string(),
                   "--wrap=exec " + qtune_cli() + " worker study.toml --heartbeat 1s"},
                  dir_.path());
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  const std::string array = submitted.out.substr(0, submitted.out.find_first_of(";\n"));
  ASSERT_TRUE(eventually([&] { return lines_of(dir_ / "runs.log").size() == 2; }))
      << "runs.log:\n"
      << text_of(dir_ / "runs.log") << "w0.log:\n"
      << text_of(dir_ / "w0.log") << "w1.log:\n"
      << text_of(dir_ / "w1.log") << "squeue:\n"
      << run_process({"squeue", "--jobs=" + array}).out;
  const ProcessResult cancelled = run_process({"scancel", array + "_0"});
  ASSERT_EQ(cancelled.exit_code, 0) << cancelled.err;
  // Task 0's worker stops (its log says so) before the gate opens.
  ASSERT_TRUE(eventually([&] {
    return text_of(dir_ / "w0.log").find("recorded as interrupted") != std::string::npos;
  })) << text_of(dir_ / "w0.log");
  dir_.write("go", "");
  ASSERT_TRUE(eventually([&] {
    return run_process({"squeue", "--noheader", "--jobs=" + array}).out.empty();
  }));

  const json trials = exported_trials(file);
  ASSERT_EQ(trials.size(), 3u) << text_of(dir_ / "w1.log");
  int handed_out_again = 0;
  for (const json& t : trials) {
    EXPECT_EQ(t["state"], "COMPLETE") << t.dump();
    handed_out_again += t["attempt"].get<int>();
  }
  EXPECT_EQ(handed_out_again, 1);
  // Each configuration completed once; the cancelled one started twice.
  EXPECT_EQ(lines_of(dir_ / "runs.log").size(), 4u);
}

// The issue's scenario: one study of 40 trials through every failure in turn, run by
// `qtune run`, two `qtune worker`s of another login node, and `qtune retry`:
//  1. a partition that does not exist: the run stops at once, nothing counted;
//  2. jobs held pending (sbatch --hold) until max_time: said pending with Slurm's reason, and
//     given back (exit 130, not "no successful trial");
//  3. a job scancelled while qtune watches: FAILED with Slurm's state;
//  4. qtune killed (kill -9) with 4 jobs running, one of which ends while nobody watches. A
//     real time limit would take 60-90 s here (whole minutes, checked every 30 s by
//     slurmctld): a scancel ends the job the same way, leaving the queue without an exit status;
//  5. two workers on another login node (QTUNE_HOSTNAME) take the jobs over; one is killed and
//     the other takes its trials over at once (the same host, a dead pid);
//  6. `qtune retry --failed` runs the two failed trials again.
// It ends with 40 COMPLETE trials; every configuration ran once, the two retried ones twice.
TEST_F(SlurmResilienceTest, FortyTrialsThroughEveryFailureEndComplete) {
  dir_.write("t.sh",
             "echo \"start $1\" >> runs.log\n"
             "while [ -e hold ]; do sleep 0.1; done\necho FID: $1\n");
  const auto study = [&](const std::string& slurm_table, const std::string& budget) {
    return dir_.write("study.toml", R"([study]
name = "s"
[space]
x = { range = [0, 39] }
[strategy]
kind = "grid"
trajectories = 8
[budget]
trials = 40
parallel = 4
)" + budget + R"([trial]
command = ["sh", "t.sh", "{x}"]
executor = "slurm"
[trial.slurm]
poll_interval = 0.2
)" + slurm_table);
  };
  const auto job_of = [&](int trial) {
    return read_file(dir_ / ("s.trials/" + std::to_string(trial) + "/slurm_job_id"));
  };

  // 1. Refused by sbatch: exit 2, the trial given back.
  auto file = study("partition = \"nope\"\n", "");
  const ProcessResult refused = qtune({"run", file.string()});
  ASSERT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_EQ(states(file), (std::map<std::string, int>{{"INTERRUPTED", 1}}));

  // 2. Held: pending with Slurm's reason until max_time gives the 4 trials back.
  file = study("extra = [\"--hold\"]\n", "max_time = \"3s\"\n");
  const ProcessResult held = qtune({"run", file.string()});
  EXPECT_EQ(held.exit_code, 130) << held.err;
  EXPECT_NE(held.err.find(" is pending (JobHeldUser)"), std::string::npos) << held.err;
  EXPECT_NE(held.err.find("ended with 4 trials given back"), std::string::npos) << held.err;
  EXPECT_EQ(states(file), (std::map<std::string, int>{{"INTERRUPTED", 4}}));

  // 3. Trials 0-3 run (held at the gate `hold`); trial 1's job is scancelled: it fails and
  // trial 4 takes its place. 4. Then qtune is killed, and trial 2's job ends unwatched.
  dir_.write("hold", "");
  file = study("", "");
  std::map<int, std::string> jobs;
  {
    BackgroundRun run(file, dir_ / "run.log");
    ASSERT_TRUE(eventually([&] { return lines_of(dir_ / "runs.log").size() == 4; }))
        << text_of(dir_ / "run.log");
    ASSERT_EQ(run_process({"scancel", job_of(1)}).exit_code, 0);
    ASSERT_TRUE(eventually([&] { return lines_of(dir_ / "runs.log").size() == 5; }))
        << text_of(dir_ / "run.log");
    for (const int t : {0, 2, 3, 4}) jobs[t] = job_of(t);
    run.signal(SIGKILL);
    run.wait();
  }
  EXPECT_EQ(states(file), (std::map<std::string, int>{{"FAILED", 1}, {"RUNNING", 4}}));
  ASSERT_EQ(run_process({"scancel", jobs[2]}).exit_code, 0);
  ASSERT_TRUE(eventually([&] { return queued({jobs[2]}).empty(); }));

  // 5. Two workers of login2 take over the killed run's jobs once its heartbeat is stale.
  ::setenv("QTUNE_HOSTNAME", "login2", 1);  // for the workers only
  const auto worker = [&](const std::string& id) {
    return std::make_unique<BackgroundQtune>(
        dir_ / (id + ".log"),
        std::vector<std::string>{"worker", file.string(), "--worker-id", id, "--heartbeat", "0.2s",
                                 "--stale-after", "2s"});
  };
  auto w1 = worker("w1");
  auto w2 = worker("w2");
  ::unsetenv("QTUNE_HOSTNAME");
  // Taken over: 0, 3 and 4 run under the workers; 2 failed with what Slurm says.
  json shown;
  ASSERT_TRUE(eventually([&] {
    const ProcessResult status = qtune({"status", file.string(), "--format", "json"});
    if (status.exit_code != 0) return false;
    shown = json::parse(status.out);
    int taken = 0;
    for (const json& t : shown["trial_list"]) {
      const int n = t["number"].get<int>();
      if ((n == 0 || n == 3 || n == 4) && t["state"] == "RUNNING" &&
          t["worker"].get<std::string>()[0] == 'w')
        ++taken;
      if (n == 2 && t["state"] != "FAILED") return false;
    }
    return taken == 3;
  })) << shown.dump()
      << text_of(dir_ / "w1.log") << text_of(dir_ / "w2.log");
  // The worker running trial 0 is killed; the other one takes its trials over at once.
  std::string victim;
  for (const json& t : shown["trial_list"])
    if (t["number"] == 0) victim = t["worker"].get<std::string>();
  auto& killed = victim == "w1" ? w1 : w2;
  auto& survivor = victim == "w1" ? w2 : w1;
  const std::string survivor_log = victim == "w1" ? "w2.log" : "w1.log";
  // "N trials of dead workers ... will run again": once more than before the kill.
  const auto dead_notes = [&] {
    const std::string log = text_of(dir_ / survivor_log);
    int n = 0;
    for (auto at = log.find("of dead workers"); at != std::string::npos;
         at = log.find("of dead workers", at + 1))
      ++n;
    return n;
  };
  const int before = dead_notes();
  killed->signal(SIGKILL);
  killed->wait();
  ASSERT_TRUE(eventually([&] { return dead_notes() > before; })) << text_of(dir_ / survivor_log);
  std::filesystem::remove(dir_ / "hold");
  EXPECT_EQ(survivor->exit_code(), 0) << text_of(dir_ / survivor_log);
  EXPECT_EQ(states(file), (std::map<std::string, int>{{"COMPLETE", 38}, {"FAILED", 2}}));

  // 6. The two failed trials run again, as the same records; the budget is not touched.
  const ProcessResult retried = qtune({"retry", file.string(), "--failed"});
  ASSERT_EQ(retried.exit_code, 0) << retried.err;
  EXPECT_NE(retried.err.find("retrying 2 failed trials (1 2)"), std::string::npos) << retried.err;

  const json trials = exported_trials(file);
  ASSERT_EQ(trials.size(), 40u);
  std::map<std::string, int> starts;  // by x
  for (const std::string& line : lines_of(dir_ / "runs.log")) ++starts[line.substr(6)];
  for (const json& t : trials) {
    const int n = t["number"].get<int>();
    const int x = t["params"]["x"].get<int>();
    EXPECT_EQ(t["state"], "COMPLETE") << t.dump();
    EXPECT_EQ(t["value"], x);
    const bool retried_trial = n == 1 || n == 2;
    EXPECT_EQ(t["retries"], retried_trial ? 1 : 0) << t.dump();
    // Each configuration ran once; the retried ones once more, as asked.
    EXPECT_EQ(starts[std::to_string(x)], retried_trial ? 2 : 1) << t.dump();
  }
  EXPECT_EQ(lines_of(dir_ / "runs.log").size(), 42u);
  // The taken-over trials kept their jobs: none was submitted again.
  for (const int t : {0, 3, 4}) EXPECT_EQ(job_of(t), jobs[t]) << "trial " << t;
}

}  // namespace
}  // namespace qtune::testing
