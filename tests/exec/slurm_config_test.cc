// [trial] executor and [trial.slurm]: parsing, errors, and the sbatch arguments they make.
#include <gtest/gtest.h>

#include "exec/slurm/slurm_job.h"
#include "exec/study_text.h"
#include "qtune/exec/make_executor.h"
#include "qtune/exec/trial_config.h"

namespace qtune::exec {
namespace {

base::Result<TrialConfig> parse_slurm_trial(std::string_view trial_lines) {
  return testing::parse_trial_lines("command = [\"x\"]\n" + std::string(trial_lines));
}

TEST(SlurmConfigTest, DefaultsAreLocalAndTimeFromTimeout) {
  auto config = parse_slurm_trial("timeout = \"90m\"\n");
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  EXPECT_EQ(config->executor, ExecutorKind::kLocal);
  EXPECT_EQ(config->slurm.time, std::chrono::minutes(90));
  EXPECT_EQ(config->slurm.poll_interval, std::chrono::seconds(5));
  EXPECT_EQ(config->slurm.sbatch, "sbatch");
  EXPECT_EQ(detail::sbatch_arguments(config->slurm, "qtune-s-3", "/w", "/t/3"),
            (std::vector<std::string>{"--parsable", "--job-name=qtune-s-3", "--chdir=/w",
                                      "--output=/t/3/stdout.log", "--error=/t/3/stderr.log",
                                      "--export=ALL", "--time=90", "/t/3/job.sh"}));
}

TEST(SlurmConfigTest, EveryKeyBecomesItsSbatchOption) {
  auto config = parse_slurm_trial(R"(executor = "slurm"
timeout = "1h"
[trial.slurm]
partition = "gpu"
time = "2h30s"
cpus_per_task = 4
mem = "16G"
gres = "gpu:1"
gpus_per_task = "a100:2"
account = "lab"
qos = "normal"
extra = ["--constraint=a100", "--exclusive"]
poll_interval = "2s"
sbatch = "/opt/slurm/bin/sbatch"
squeue = "/opt/slurm/bin/squeue"
)");
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  EXPECT_EQ(config->executor, ExecutorKind::kSlurm);
  EXPECT_EQ(config->slurm.poll_interval, std::chrono::seconds(2));
  EXPECT_EQ(config->slurm.sbatch, "/opt/slurm/bin/sbatch");
  EXPECT_EQ(config->slurm.squeue, "/opt/slurm/bin/squeue");
  EXPECT_EQ(config->slurm.scancel, "scancel");
  // 2h30s is 121 minutes: Slurm's limits are whole minutes, rounded up.
  EXPECT_EQ(
      detail::sbatch_arguments(config->slurm, "n", "/w", "/t%j/1"),
      (std::vector<std::string>{
          "--parsable", "--job-name=n", "--chdir=/w", "--output=/t%%j/1/stdout.log",
          "--error=/t%%j/1/stderr.log", "--export=ALL", "--partition=gpu", "--time=121",
          "--cpus-per-task=4", "--mem=16G", "--gres=gpu:1", "--gpus-per-task=a100:2",
          "--account=lab", "--qos=normal", "--constraint=a100", "--exclusive", "/t%j/1/job.sh"}));
  auto count = parse_slurm_trial("[trial.slurm]\ngpus_per_task = 2\n");
  ASSERT_TRUE(count.is_ok()) << count.status().to_string();
  EXPECT_EQ(count->slurm.gpus_per_task, "2");
}

TEST(SlurmConfigTest, ErrorsNameFileLineAndKey) {
  struct Case {
    std::string lines;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"executor = \"pbs\"\n",
       "dir/study.toml:6: [trial] executor: use \"local\" (this machine) or \"slurm\""},
      {"slurm = 3\n", "dir/study.toml:6: [trial] slurm: an integer is the wrong type; use a table"},
      {"[trial.slurm]\nqueue = \"x\"\n",
       "dir/study.toml:7: [trial] slurm.queue: unknown key; use partition,"},
      {"[trial.slurm]\npartition = \"a b\"\n",
       "dir/study.toml:7: [trial] slurm.partition: \"a b\" is invalid; use a non-empty word "
       "without spaces"},
      {"[trial.slurm]\naccount = 1\n",
       "dir/study.toml:7: [trial] slurm.account: an integer is the wrong type"},
      {"[trial.slurm]\ntime = \"2x\"\n", "dir/study.toml:7: [trial] slurm.time: duration \"2x\""},
      {"[trial.slurm]\ncpus_per_task = 0\n",
       "dir/study.toml:7: [trial] slurm.cpus_per_task: use an integer from 1 to 1000000"},
      {"[trial.slurm]\nmem = \"16GB\"\n",
       "dir/study.toml:7: [trial] slurm.mem: \"16GB\" is not a size; use megabytes or a K, M, G or "
       "T suffix"},
      {"[trial.slurm]\ngpus_per_task = 0\n",
       "dir/study.toml:7: [trial] slurm.gpus_per_task: use a count >= 1, or \"type:count\""},
      {"[trial.slurm]\ngpus_per_task = \"a100:\"\n",
       "dir/study.toml:7: [trial] slurm.gpus_per_task: use a count"},
      {"[trial.slurm]\nextra = \"--exclusive\"\n",
       "dir/study.toml:7: [trial] slurm.extra: a string is the wrong type; use an array of sbatch "
       "options"},
      {"[trial.slurm]\nextra = [\"--exclusive\", \"a100\"]\n",
       "dir/study.toml:7: [trial] slurm.extra: \"a100\" is not an option; each word is one sbatch "
       "option starting "
       "with \"-\""},
      {"[trial.slurm]\nextra = [\"--output=x.log\"]\n",
       "dir/study.toml:7: [trial] slurm.extra: \"--output\" is set by qtune for every trial; "
       "remove it"},
      {"[trial.slurm]\nsbatch = \"\"\n",
       "dir/study.toml:7: [trial] slurm.sbatch: \"\" is invalid; use a non-empty string"},
      {"[trial.slurm]\npoll_interval = true\n",
       "dir/study.toml:7: [trial] slurm.poll_interval: a boolean is the wrong type"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.lines);
    const auto config = parse_slurm_trial(c.lines);
    ASSERT_FALSE(config.is_ok());
    EXPECT_EQ(config.status().message().substr(0, c.message.size()), c.message)
        << config.status().message();
  }
}

TEST(SlurmConfigTest, JobNamesAndExitStatusFiles) {
  EXPECT_EQ(detail::job_name("my study/1", {1, {}, "/x/my study.trials/12"}),
            "qtune-my_study_1-12");
  using Kind = detail::RecordedEnd::Kind;
  const auto exit3 = detail::parse_exit_status("exit=3\n");
  ASSERT_TRUE(exit3);
  EXPECT_EQ(exit3->kind, Kind::kExit);
  EXPECT_EQ(exit3->value, 3);
  const auto sig = detail::parse_exit_status("signal=9\n");
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->kind, Kind::kSignal);
  EXPECT_EQ(sig->value, 9);
  EXPECT_EQ(detail::parse_exit_status("launch\n")->kind, Kind::kLaunch);
  for (const std::string_view bad : {"", "exit=", "exit=x", "exit=-1", "code=3", "exit=3 4"}) {
    EXPECT_FALSE(detail::parse_exit_status(bad)) << bad;
  }
}

TEST(SlurmConfigTest, GpusAreForTheLocalExecutor) {
  auto config = parse_slurm_trial("executor = \"slurm\"\n");
  ASSERT_TRUE(config.is_ok());
  const auto executor = make_executor(*config, {1, {0}, "s", {}});
  EXPECT_EQ(executor.status().code(), base::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace qtune::exec
