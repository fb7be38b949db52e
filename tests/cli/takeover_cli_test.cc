// A crash or kill of `qtune run` costs no trial: the next run takes over the trials whose
// processes still run on this host (exec/local/local_executor.h), records the ones that
// ended meanwhile, and re-runs only those that left no result. And no process a trial
// started outlives it. Real qtune processes driving small shell scripts.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "cli/run_cli_util.h"
#include "support/slow_suite.h"
#include "support/temp_dir.h"

namespace qtune::testing {
namespace {

using nlohmann::json;

class TakeoverCliTest : public ::testing::Test {
 protected:
  std::filesystem::path study(int trials, int parallel, std::string_view trial_lines = "") {
    return dir_.write("study.toml", R"([study]
name = "t"
[space]
x = { range = [0, )" + std::to_string(trials - 1) +
                                        R"(] }
[strategy]
kind = "grid"
[budget]
parallel = )" + std::to_string(parallel) +
                                        R"(
[trial]
command = ["sh", "t.sh", "{x}"]
)" + std::string(trial_lines));
  }
  ProcessResult qtune(std::vector<std::string> args) {
    args.insert(args.begin(), qtune_cli());
    return run_process(args, dir_.path());
  }
  std::filesystem::path trial_dir(int number) const {
    return dir_ / ("t.trials/" + std::to_string(number));
  }
  // The pid in a trial's process record.
  std::string recorded_pid(int number) const {
    for (const std::string& line : lines_of(trial_dir(number) / "process"))
      if (line.starts_with("pid=")) return line.substr(4);
    return "";
  }
  // How often each x was started (starts.log: one "start x" line per start).
  std::map<std::string, int> starts() const {
    std::map<std::string, int> out;
    for (const std::string& line : lines_of(dir_ / "starts.log")) ++out[line.substr(6)];
    return out;
  }
  TempDir dir_;
};

// The acceptance case of issue 11: four parallel trials sleep 3 s; `qtune run` is killed
// with SIGKILL while they run and started again at once. It is not refused, it adopts the
// four processes (each recorded once, none started twice) and records their values.
TEST_F(TakeoverCliTest, KilledRunsTrialsAreTakenOverByTheNextRun) {
  dir_.write("t.sh", "echo \"start $1\" >> starts.log\nsleep 3\necho FID: $1\n");
  const auto file = study(4, 4);
  std::map<int, std::string> pids;
  {
    BackgroundRun run(file, dir_ / "first.log");
    ASSERT_TRUE(eventually([&] {
      if (lines_of(dir_ / "starts.log").size() < 4) return false;
      for (int n = 0; n < 4; ++n)
        if (recorded_pid(n).empty()) return false;
      return true;
    }));
    run.signal(SIGKILL);
    run.wait();
  }
  for (int n = 0; n < 4; ++n) pids[n] = recorded_pid(n);
  const std::string resumed_at = iso_now();
  const ProcessResult resumed = qtune({"run", file.string()});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const json trials = exported_trials(file);
  ASSERT_EQ(trials.size(), 4u);
  for (const json& t : trials) {
    EXPECT_EQ(t["state"], "COMPLETE") << t.dump();
    EXPECT_EQ(t["value"], t["params"]["x"].get<double>()) << t.dump();  // x: an integer
    // Its start is its process's, in the killed run, not the take-over's.
    EXPECT_LT(t["started_at"].get<std::string>(), resumed_at) << t.dump();
  }
  const std::map<std::string, int> started = starts();
  ASSERT_EQ(started.size(), 4u);
  for (const auto& [x, count] : started) EXPECT_EQ(count, 1) << "x = " << x << " started twice";
  for (int n = 0; n < 4; ++n)
    EXPECT_EQ(recorded_pid(n), pids[n]) << "trial " << n << " got a new process";
}

// A trial that ended while no qtune ran keeps its result: its exit status is recorded and
// its value read from its log, without running it again.
TEST_F(TakeoverCliTest, TrialThatEndedWhileQtuneWasDeadIsRecordedNotRerun) {
  dir_.write("t.sh", "echo \"start $1\" >> starts.log\nsleep 1\necho FID: $1\n");
  const auto file = study(2, 2);
  {
    BackgroundRun run(file, dir_ / "first.log");
    ASSERT_TRUE(eventually([&] { return lines_of(dir_ / "starts.log").size() == 2; }));
    run.signal(SIGKILL);
    run.wait();
  }
  ASSERT_TRUE(eventually([&] {
    return std::filesystem::exists(trial_dir(0) / "exit_status") &&
           std::filesystem::exists(trial_dir(1) / "exit_status");
  }));
  const std::string resumed_at = iso_now();
  const ProcessResult resumed = qtune({"run", file.string()});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const json trials = exported_trials(file);
  ASSERT_EQ(trials.size(), 2u);
  for (const json& t : trials) {
    EXPECT_EQ(t["state"], "COMPLETE") << t.dump();
    EXPECT_LT(t["started_at"].get<std::string>(), resumed_at) << t.dump();
  }
  for (const auto& [x, count] : starts()) EXPECT_EQ(count, 1) << "x = " << x;
}

// The crash loop of issue 11: 40 short trials, 4 at a time, `qtune run` killed with SIGKILL at
// 20 moments (a fixed seed), started again at once each time, then left to finish. No finished
// trial is lost or changed, no configuration runs or is recorded twice, 40 trials in all.
TEST_F(TakeoverCliTest, CrashLoopLosesAndRepeatsNothing) {
  QTUNE_SKIP_IF_SLOW_SUITES_SKIPPED();
  dir_.write("t.sh", "echo \"start $1\" >> starts.log\nsleep 0.$(( $1 % 4 + 5 ))\necho FID: $1\n");
  const auto file = study(40, 4);
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> moment_ms(100, 450);
  std::map<std::string, json> finished;  // by number: the COMPLETE trials seen so far
  for (int kill = 0; kill < 20; ++kill) {
    BackgroundRun run(file, dir_ / ("run" + std::to_string(kill) + ".log"));
    std::this_thread::sleep_for(std::chrono::milliseconds(moment_ms(rng)));
    run.signal(SIGKILL);
    run.wait();
    // Killed before it created the study (a loaded machine): nothing to read yet.
    const ProcessResult exported = qtune({"export", file.string(), "--format", "json"});
    if (exported.exit_code == 2 && finished.empty()) continue;
    ASSERT_EQ(exported.exit_code, 0) << exported.err;
    for (const json& t : json::parse(exported.out)) {
      const std::string number = std::to_string(t["number"].get<int>());
      if (t["state"] != "COMPLETE") continue;
      if (const auto seen = finished.find(number); seen != finished.end()) {
        EXPECT_EQ(t["value"], seen->second["value"]) << number;
        EXPECT_EQ(t["finished_at"], seen->second["finished_at"]) << number;
      }
      finished[number] = t;
    }
  }
  const ProcessResult last = qtune({"run", file.string()});
  ASSERT_EQ(last.exit_code, 0) << last.err;
  const json trials = exported_trials(file);
  ASSERT_EQ(trials.size(), 40u);
  std::set<std::string> xs;
  for (const json& t : trials) {
    EXPECT_EQ(t["state"], "COMPLETE") << t.dump();
    EXPECT_EQ(t["value"], t["params"]["x"].get<double>()) << t.dump();  // x: an integer
    xs.insert(t["params"]["x"].dump());
    const std::string number = std::to_string(t["number"].get<int>());
    if (const auto seen = finished.find(number); seen != finished.end()) {
      EXPECT_EQ(t["finished_at"], seen->second["finished_at"]) << "finished trial changed";
    }
  }
  EXPECT_EQ(xs.size(), 40u);  // no configuration recorded twice
  const std::map<std::string, int> started = starts();
  EXPECT_EQ(started.size(), 40u);
  for (const auto& [x, count] : started) EXPECT_EQ(count, 1) << "x = " << x << " started twice";
  std::cerr << finished.size() << " of 40 trials had finished before the last restart\n";
}

// A trial's grandchild that left its session and process group (setsid) ends with the
// trial: when the trial exits and when it times out.
TEST_F(TakeoverCliTest, SetsidGrandchildEndsWithItsTrial) {
  dir_.write("t.sh",
             "setsid sleep 300 &\necho $! > \"$QTUNE_TRIAL_DIR/grandchild.pid\"\n"
             "[ \"$1\" = 1 ] && sleep 60\necho FID: $1\n");
  const auto file = study(2, 1, "timeout = \"1s\"\nkill_grace = \"0.5s\"\n");
  const ProcessResult run = qtune({"run", file.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json trials = exported_trials(file);
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[0]["state"], "COMPLETE");
  EXPECT_EQ(trials[1]["state"], "FAILED");  // the timeout
  for (int n = 0; n < 2; ++n) {
    const std::vector<std::string> pid = lines_of(trial_dir(n) / "grandchild.pid");
    ASSERT_EQ(pid.size(), 1u) << n;
    EXPECT_TRUE(process_ended(std::stoi(pid[0])))
        << "trial " << n << "'s setsid grandchild " << pid[0] << " outlived it";
  }
}

// QTUNE_TRIAL_ID is the trial's number, the name of its folder.
TEST_F(TakeoverCliTest, TrialIdIsTheFolderNumber) {
  dir_.write("t.sh", "echo \"$QTUNE_TRIAL_ID {trial}\" > \"$QTUNE_TRIAL_DIR/id\"\necho FID: $1\n");
  const auto file = study(3, 1);
  ASSERT_EQ(qtune({"run", file.string()}).exit_code, 0);
  for (int n = 0; n < 3; ++n)
    EXPECT_EQ(lines_of(trial_dir(n) / "id").at(0), std::to_string(n) + " {trial}");
}

}  // namespace
}  // namespace qtune::testing
