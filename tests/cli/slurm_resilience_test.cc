// The cluster misbehaving under a study, on the project's one-node Slurm (scripts/start-slurm):
// sbatch refusing the settings, the controller down for a while, one task of a worker array
// cancelled. No trial that did not run counts, and none is lost.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/run_cli_util.h"
#include "support/slurm_cluster.h"
#include "support/temp_dir.h"

namespace qtune::testing {
namespace {

using nlohmann::json;

// A file's text, "" before it exists (a log its process has not opened yet).
std::string text_of(const std::filesystem::path& path) {
  return std::filesystem::exists(path) ? read_file(path) : "";
}

class SlurmResilienceTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(start_slurm_cluster().empty()); }
  ProcessResult qtune(std::vector<std::string> args) {
    args.insert(args.begin(), qtune_cli());
    return run_process(args, dir_.path());
  }
  // t.sh logs its start ("start X" in runs.log), waits for the file `go`, then prints FID: X.
  void write_gated_script() {
    dir_.write("t.sh",
               "echo \"start $1\" >> runs.log\n"
               "while [ ! -e go ]; do sleep 0.1; done\necho FID: $1\n");
  }
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

  TempDir dir_;
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
  ASSERT_TRUE(eventually([&] { return lines_of(dir_ / "runs.log").size() == 2; }));
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

}  // namespace
}  // namespace qtune::testing
