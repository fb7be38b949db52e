// qtune worker end to end: several real worker processes share one study of a small shell
// script, in a SQLite file or on the project's PostgreSQL test server; one is killed with
// SIGKILL in the middle of a trial.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cli/run_cli_util.h"
#include "support/postgres_server.h"
#include "support/slow_suite.h"
#include "support/temp_dir.h"

namespace qtune::testing {
namespace {

using nlohmann::json;

class WorkerCliTest : public ::testing::Test {
 protected:
  // A grid over x = 0..n-1 with a trajectory for each of 3 workers: each configuration once;
  // the script logs start and end.
  std::filesystem::path study(int n, int trials) {
    dir_.write("t.sh",
               "echo \"start $1\" >> runs.log\n"
               "if [ \"$1\" = 2 ] && [ ! -e slow-done ]; then echo $$ > slow.pid; sleep 30; fi\n"
               "sleep 0.1\necho \"done $1\" >> runs.log\necho FID: $1\n");
    return dir_.write(
        "study.toml",
        "[study]\nname = \"t\"\n[space]\nx = { range = [0, " + std::to_string(n - 1) +
            "] }\n[strategy]\nkind = \"grid\"\ntrajectories = 3\n[budget]\ntrials = " +
            std::to_string(trials) + "\n[trial]\ncommand = [\"sh\", \"t.sh\", \"{x}\"]\n");
  }

  std::vector<std::unique_ptr<BackgroundQtune>> start_workers(
      const std::filesystem::path& file, int n, const std::vector<std::string>& extra) {
    std::vector<std::unique_ptr<BackgroundQtune>> workers;
    for (int i = 0; i < n; ++i) {
      std::vector<std::string> args = {"worker", file.string(), "--worker-id",
                                       "w" + std::to_string(i)};
      args.insert(args.end(), extra.begin(), extra.end());
      workers.push_back(
          std::make_unique<BackgroundQtune>(dir_ / ("w" + std::to_string(i) + ".log"), args));
    }
    return workers;
  }

  std::string log_of(int worker) const {
    return read_file(dir_ / ("w" + std::to_string(worker) + ".log"));
  }

  TempDir dir_;
};

std::size_t count(const std::vector<std::string>& lines, const std::string& line) {
  return static_cast<std::size_t>(std::count(lines.begin(), lines.end(), line));
}

class WorkerCliStorage : public WorkerCliTest, public ::testing::WithParamInterface<bool> {};

TEST_P(WorkerCliStorage, ThreeWorkersFinishTheBudgetEachConfigurationOnce) {
  dir_.write("slow-done", "");  // no slow trial here
  const auto file = study(12, 9);
  std::optional<PostgresSchema> schema;
  std::vector<std::string> storage;
  if (GetParam()) {
    schema.emplace();
    storage = {"--storage", schema->url()};
  }
  auto workers = start_workers(file, 3, storage);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(workers[static_cast<std::size_t>(i)]->exit_code(), 0) << log_of(i);

  std::vector<std::string> exporting = {qtune_cli(), "export", file.string(), "--format", "json"};
  exporting.insert(exporting.end(), storage.begin(), storage.end());
  const ProcessResult exported = run_process(exporting);
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const json trials = json::parse(exported.out);
  ASSERT_EQ(trials.size(), 9u);  // the budget holds across workers
  std::set<std::string> xs;
  std::set<std::string> ran_by;
  for (const json& t : trials) {
    EXPECT_EQ(t["state"], "COMPLETE");
    EXPECT_EQ(t["attempt"], 0);
    xs.insert(t["params"]["x"].dump());
    ran_by.insert(t["worker"].get<std::string>());
  }
  EXPECT_EQ(xs.size(), 9u);  // no configuration twice
  for (const std::string& w : ran_by) EXPECT_TRUE(w == "w0" || w == "w1" || w == "w2") << w;
  const auto lines = lines_of(dir_ / "runs.log");
  EXPECT_EQ(lines.size(), 18u);
  for (const std::string& x : xs) EXPECT_EQ(count(lines, "done " + x), 1u) << x;

  // The study is finished: a late worker exits at once and runs nothing.
  std::vector<std::string> late = {qtune_cli(), "worker", file.string()};
  late.insert(late.end(), storage.begin(), storage.end());
  EXPECT_EQ(run_process(late, dir_.path()).exit_code, 0);
  EXPECT_EQ(lines_of(dir_ / "runs.log").size(), 18u);
}

INSTANTIATE_TEST_SUITE_P(Stores, WorkerCliStorage, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "Postgres" : "Sqlite";
                         });

TEST_F(WorkerCliTest, AKilledWorkersTrialRunsAgainOnAnotherAfterStaleAfter) {
  const auto file = study(6, 6);
  // Stale after 20 heartbeats: a live worker on a loaded machine is not taken for dead.
  const std::vector<std::string> timing = {"--heartbeat", "0.1s", "--stale-after", "2s"};
  auto first = start_workers(file, 1, timing);
  ASSERT_TRUE(eventually([&] { return lines_of(dir_ / "slow.pid").size() == 1; }));
  // While w0 lives, `run` refuses the study: its trial has a fresh heartbeat.
  const ProcessResult run = run_process({qtune_cli(), "run", file.string()}, dir_.path());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("qtune worker"), std::string::npos) << run.err;

  // The host dies in the middle of trial x = 2: the worker and the trial's process group.
  first[0]->signal(SIGKILL);
  first[0]->wait();
  // (The script runs under the trial's wrapper, the leader of its process group.)
  const pid_t group = ::getpgid(std::stoi(lines_of(dir_ / "slow.pid")[0]));
  ASSERT_GT(group, 1);
  ::kill(-group, SIGKILL);
  dir_.write("slow-done", "");  // the trial is fast when it runs again
  std::vector<std::unique_ptr<BackgroundQtune>> others;
  for (int i = 1; i <= 2; ++i) {
    std::vector<std::string> args = {"worker", file.string(), "--worker-id",
                                     "w" + std::to_string(i)};
    args.insert(args.end(), timing.begin(), timing.end());
    others.push_back(
        std::make_unique<BackgroundQtune>(dir_ / ("w" + std::to_string(i) + ".log"), args));
  }
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(others[static_cast<std::size_t>(i)]->exit_code(), 0) << log_of(i + 1);

  const json trials = exported_trials(file);
  ASSERT_EQ(trials.size(), 6u);
  std::set<std::string> xs;
  for (const json& t : trials) {
    EXPECT_EQ(t["state"], "COMPLETE");
    xs.insert(t["params"]["x"].dump());
    if (t["params"]["x"] == 2) {
      EXPECT_EQ(t["attempt"], 1);  // handed out again once
      EXPECT_NE(t["worker"], "w0");
      EXPECT_EQ(t["value"], 2.0);
    }
  }
  EXPECT_EQ(xs.size(), 6u);
  const std::string notes = log_of(1) + log_of(2);
  EXPECT_NE(notes.find("of dead workers"), std::string::npos) << notes;
  const auto lines = lines_of(dir_ / "runs.log");
  EXPECT_EQ(count(lines, "start 2"), 2u);  // killed once, run again once
  for (int x = 0; x < 6; ++x) EXPECT_EQ(count(lines, "done " + std::to_string(x)), 1u) << x;
}

// Every process below `pid` (its children, theirs, ...), from /proc/PID/task/TID/children.
std::vector<pid_t> descendants(pid_t pid) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/task", ec), end;
       !ec && it != end; it.increment(ec)) {
    std::ifstream in(it->path() / "children");
    for (pid_t child = 0; in >> child;) {
      out.push_back(child);
      for (const pid_t grandchild : descendants(child)) out.push_back(grandchild);
    }
  }
  return out;
}

// The crash loop of issue 11 on PostgreSQL: four workers share a 20-trial study; five times,
// at seeded moments, one of them dies with everything it started (SIGKILL, as when its node
// fails) and a new worker takes its place. No finished trial is lost, every configuration
// ends COMPLETE exactly once, and a configuration started more than once was running under
// a killed worker.
TEST_F(WorkerCliTest, PostgresCrashLoopOfFourWorkersLosesNothing) {
  QTUNE_SKIP_IF_SLOW_SUITES_SKIPPED();
  dir_.write("slow-done", "");
  dir_.write("t.sh", "echo \"start $1\" >> runs.log\nsleep 0.4\necho FID: $1\n");
  const auto file = dir_.write("study.toml",
                               "[study]\nname = \"t\"\n[space]\nx = { range = [0, 19] }\n"
                               "[strategy]\nkind = \"grid\"\ntrajectories = 4\n[budget]\n"
                               "trials = 20\n[trial]\ncommand = [\"sh\", \"t.sh\", \"{x}\"]\n");
  PostgresSchema schema;
  const std::vector<std::string> options = {"--storage", schema.url(),    "--heartbeat",
                                            "0.1s",      "--stale-after", "2s"};
  auto workers = start_workers(file, 4, options);
  std::mt19937 rng(11);
  int next_id = 4;
  std::size_t killed = 0;
  for (int round = 0; round < 5; ++round) {
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(300, 900)(rng)));
    const std::size_t victim = std::uniform_int_distribution<std::size_t>(0, 3)(rng);
    const pid_t pid = workers[victim]->pid();
    const std::vector<pid_t> below = descendants(pid);
    workers[victim]->signal(SIGKILL);
    for (const pid_t p : below) ::kill(p, SIGKILL);
    const int status = workers[victim]->wait();
    if (WIFSIGNALED(status)) ++killed;  // (it may have finished already)
    std::vector<std::string> args = {"worker", file.string(), "--worker-id",
                                     "w" + std::to_string(next_id)};
    args.insert(args.end(), options.begin(), options.end());
    workers[victim] =
        std::make_unique<BackgroundQtune>(dir_ / ("w" + std::to_string(next_id) + ".log"), args);
    ++next_id;
  }
  for (auto& w : workers) EXPECT_EQ(w->exit_code(), 0);

  const ProcessResult exported = run_process(
      {qtune_cli(), "export", file.string(), "--format", "json", "--storage", schema.url()});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const json trials = json::parse(exported.out);
  std::map<std::string, int> complete;
  for (const json& t : trials)
    if (t["state"] == "COMPLETE") ++complete[t["params"]["x"].dump()];
  EXPECT_EQ(complete.size(), 20u) << exported.out;
  for (const auto& [x, n] : complete) EXPECT_EQ(n, 1) << "x = " << x;
  const auto lines = lines_of(dir_ / "runs.log");
  std::size_t repeated = 0;
  for (int x = 0; x < 20; ++x) {
    const std::size_t starts = count(lines, "start " + std::to_string(x));
    EXPECT_GE(starts, 1u) << x;
    repeated += starts - 1;
  }
  EXPECT_LE(repeated, killed);  // only a killed worker's trial ran again
  std::printf("%zu workers killed, %zu configurations started again\n", killed, repeated);
}

TEST_F(WorkerCliTest, BadFlagsExit2) {
  const auto file = study(3, 3);
  const ProcessResult bad =
      run_process({qtune_cli(), "worker", file.string(), "--heartbeat", "2x"}, dir_.path());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--heartbeat"), std::string::npos) << bad.err;
  const ProcessResult slow = run_process(
      {qtune_cli(), "worker", file.string(), "--heartbeat", "1m", "--stale-after", "30s"},
      dir_.path());
  EXPECT_EQ(slow.exit_code, 2);
  EXPECT_NE(slow.err.find("--stale-after"), std::string::npos) << slow.err;
}

}  // namespace
}  // namespace qtune::testing
