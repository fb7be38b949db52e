// Which processes run a shared study, as other processes see them: registered workers (idle
// ones too) keep `qtune run` off the study, a worker that died on this host is dead at once,
// and `qtune status` lists them. Real `qtune worker` processes on a SQLite file.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "cli/run_cli_util.h"
#include "support/temp_dir.h"

namespace qtune::testing {
namespace {

using nlohmann::json;

class WorkerLivenessTest : public ::testing::Test {
 protected:
  std::unique_ptr<BackgroundQtune> worker(const std::string& id, std::vector<std::string> extra) {
    std::vector<std::string> args = {"worker", file_.string(), "--worker-id", id};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<BackgroundQtune>(dir_ / (id + ".log"), args);
  }
  // The worker's log so far ("" before its process opened it).
  std::string log_of(const std::string& id) const {
    return std::filesystem::exists(dir_ / (id + ".log")) ? read_file(dir_ / (id + ".log")) : "";
  }
  json status() {
    const ProcessResult shown =
        run_process({qtune_cli(), "status", file_.string(), "--format", "json"}, dir_.path());
    EXPECT_EQ(shown.exit_code, 0) << shown.err;
    return shown.exit_code == 0 ? json::parse(shown.out) : json();
  }
  std::vector<std::string> worker_ids() {
    std::vector<std::string> ids;
    const json shown = status();  // kept: a range-for over a temporary's member would dangle
    for (const json& w : shown["workers"]) ids.push_back(w["worker"].get<std::string>());
    return ids;
  }

  TempDir dir_;
  // One trajectory: while trial 0 runs, a second worker has nothing to do. x = 0 waits for
  // the file `go`.
  std::filesystem::path file_ = dir_.write("study.toml", R"([study]
name = "s"
[space]
x = { range = [0, 1] }
[strategy]
kind = "grid"
[budget]
trials = 2
[trial]
command = ["sh", "t.sh", "{x}"]
)");
};

TEST_F(WorkerLivenessTest, IdleWorkersKeepRunOffAndADeadWorkerOfThisHostIsDeadAtOnce) {
  dir_.write("t.sh",
             "echo \"start $1\" >> runs.log\n"
             "while [ \"$1\" = 0 ] && [ ! -e go ]; do sleep 0.1; done\necho FID: $1\n");
  auto w0 = worker("w0", {"--heartbeat", "0.2s"});
  ASSERT_TRUE(eventually([&] { return lines_of(dir_ / "runs.log").size() == 1; })) << log_of("w0");
  // w1 has nothing to do, and hears of nothing for an hour (its heartbeat).
  auto w1 = worker("w1", {"--heartbeat", "30m", "--stale-after", "1h"});
  ASSERT_TRUE(eventually([&] { return worker_ids().size() == 2; })) << log_of("w1");

  json shown = status();
  ASSERT_EQ(shown["workers"].size(), 2u);
  EXPECT_EQ(shown["workers"][0]["worker"], "w0");
  EXPECT_EQ(shown["workers"][0]["running"], json::array({0}));
  EXPECT_GT(shown["workers"][0]["pid"].get<int>(), 0);
  EXPECT_EQ(shown["workers"][1]["running"], json::array());
  ASSERT_EQ(shown["trial_list"].size(), 1u);
  EXPECT_EQ(shown["trial_list"][0]["worker"], "w0");
  const ProcessResult table = run_process({qtune_cli(), "status", file_.string()}, dir_.path());
  EXPECT_NE(table.out.find("workers (2):"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("  w1  on "), std::string::npos) << table.out;

  // w0 dies (its trial's process runs on). Its trial is dead at once (this host), but idle
  // w1 is alive: `qtune run` is refused, as it would take the study from under w1.
  w0->signal(SIGKILL);
  w0->wait();
  const ProcessResult refused = run_process({qtune_cli(), "run", file_.string()}, dir_.path());
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_NE(refused.err.find("1 live worker, e.g. w1 on "), std::string::npos) << refused.err;
  // So is `qtune retry`: a configuration never runs in two processes at once.
  const ProcessResult retry =
      run_process({qtune_cli(), "retry", file_.string(), "--failed"}, dir_.path());
  EXPECT_EQ(retry.exit_code, 1) << retry.err;
  EXPECT_NE(retry.err.find("1 live worker, e.g. w1 on "), std::string::npos) << retry.err;
  EXPECT_EQ(lines_of(dir_ / "runs.log").size(), 1u);

  // w1 stops (SIGTERM) and unregisters; w0's registration stays, dead.
  w1->signal(SIGTERM);
  EXPECT_EQ(w1->exit_code(), 130) << log_of("w1");
  EXPECT_EQ(worker_ids(), std::vector<std::string>{"w0"});

  // A new worker with an hour's --stale-after hands w0's trial out at once and takes over
  // its process (same host): x = 0 is not started again.
  auto w2 = worker("w2", {"--stale-after", "1h", "--heartbeat", "30m"});
  ASSERT_TRUE(eventually([&] { return log_of("w2").find("of dead workers") != std::string::npos; }))
      << log_of("w2");
  dir_.write("go", "");
  EXPECT_EQ(w2->exit_code(), 0) << log_of("w2");
  const json trials = exported_trials(file_);
  ASSERT_EQ(trials.size(), 2u);
  for (const json& t : trials) {
    EXPECT_EQ(t["state"], "COMPLETE") << t.dump();
    EXPECT_EQ(t["worker"], "w2");
  }
  EXPECT_EQ(lines_of(dir_ / "runs.log"), (std::vector<std::string>{"start 0", "start 1"}));

  // Only dead registrations are left: the study is `run`'s again.
  const ProcessResult accepted = run_process({qtune_cli(), "run", file_.string()}, dir_.path());
  EXPECT_EQ(accepted.exit_code, 0) << accepted.err;
}

}  // namespace
}  // namespace qtune::testing
