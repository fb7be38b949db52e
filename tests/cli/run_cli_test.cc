// qtune run / status / best / export end to end: real qtune processes driving small shell
// scripts that the tests write.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "cli/run_cli_util.h"
#include "support/temp_dir.h"

namespace qtune::testing {
namespace {

using nlohmann::json;

class RunCliTest : public ::testing::Test {
 protected:
  std::filesystem::path study(std::string_view text) { return dir_.write("study.toml", text); }
  ProcessResult qtune(std::vector<std::string> args) {
    args.insert(args.begin(), qtune_cli());
    return run_process(args, dir_.path());
  }
  std::filesystem::path trial_dir(int number) const {
    return dir_ / ("t.trials/" + std::to_string(number));
  }
  TempDir dir_;
};

TEST_F(RunCliTest, FindsTheKnownOptimum) {
  dir_.write("train.sh", "echo \"epoch 1\"\necho \"FID: $(( ($1-6)*($1-6) + ($2-2)*($2-2) ))\"\n");
  const auto file = study(R"([study]
name = "t"
seed = 1
[space]
x = { range = [0, 9] }
y = { values = [0, 1, 2, 3, 4] }
[strategy]
preset = "seed"
[budget]
trials = 30
[trial]
command = ["sh", "train.sh", "{x}", "{y}"]
)");
  const ProcessResult run = qtune({"run", file.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("best value: 0 "), std::string::npos) << run.out;
  EXPECT_NE(run.err.find("done"), std::string::npos);  // plain progress lines (not a terminal)

  const ProcessResult best = qtune({"best", file.string(), "--format", "json"});
  ASSERT_EQ(best.exit_code, 0) << best.err;
  const json parsed = json::parse(best.out);
  EXPECT_EQ(parsed["params"], json({{"x", 6}, {"y", 2}}));  // typed as the [space] has them
  EXPECT_EQ(parsed["value"], 0.0);

  const ProcessResult status =
      qtune({"status", "--storage", "sqlite://" + (dir_ / "t.db").string(), "--study", "t"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("30 trials: 30 complete, 0 failed"), std::string::npos) << status.out;
  EXPECT_EQ(read_file(trial_dir(0) / "stdout.log").substr(0, 8), "epoch 1\n");

  const json trials = exported_trials(file);
  std::set<std::string> configurations;
  for (const json& t : trials) configurations.insert(t["params"].dump());
  EXPECT_EQ(configurations.size(), 30u);  // each configuration evaluated once

  for (const std::string what : {"qtable", "policy", "rollout"}) {
    const ProcessResult exported =
        qtune({"export", file.string(), "--what", what, "--format", "json"});
    EXPECT_EQ(exported.exit_code, 0) << what << ": " << exported.err;
    EXPECT_TRUE(json::accept(exported.out)) << what;
  }
}

TEST_F(RunCliTest, FailedTrialsAreRecordedWithTheirReasonsAndTheStudyFinishes) {
  dir_.write("t.sh", R"(case "$1" in
  0) echo "Traceback: boom" >&2; exit 3;;
  1) sleep 30;;
  2) echo "FID: nan";;
  3) echo "all done";;
  *) echo "FID: $1";;
esac
)");
  const auto file = study(R"([study]
name = "t"
[space]
x = { range = [0, 5] }
[strategy]
kind = "grid"
[trial]
command = ["sh", "t.sh", "{x}"]
timeout = 0.5
kill_grace = 0.2
)");
  const ProcessResult run = qtune({"run", file.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::map<std::string, json> by_x;
  for (const json& t : exported_trials(file)) by_x[t["params"]["x"].dump()] = t;
  ASSERT_EQ(by_x.size(), 6u);
  const std::map<std::string, std::string> reasons = {{"0", "exit_code: exit status 3"},
                                                      {"1", "timeout: "},
                                                      {"2", "not_finite: "},
                                                      {"3", "no_metric: "}};
  for (const auto& [x, prefix] : reasons) {
    SCOPED_TRACE(x);
    EXPECT_EQ(by_x[x]["state"], "FAILED");
    EXPECT_EQ(by_x[x]["failure_reason"].get<std::string>().substr(0, prefix.size()), prefix);
  }
  EXPECT_EQ(by_x["0"]["log_tail"], "Traceback: boom");
  EXPECT_EQ(by_x["3"]["log_tail"], "all done");
  EXPECT_EQ(by_x["4"]["state"], "COMPLETE");
  EXPECT_EQ(by_x["4"]["value"], 4.0);
  const ProcessResult best = qtune({"best", file.string()});
  EXPECT_EQ(best.out, "best value: 4 (trial 4)\n  x = 4\n");

  const ProcessResult csv = qtune({"export", file.string()});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  const auto rows = lines_of(dir_.write("trials.csv", csv.out));
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows[0],
            "number,state,x,value,failure_reason,started_at,finished_at,worker,attempt,source");
  EXPECT_TRUE(rows[1].starts_with("0,FAILED,0,,exit_code: exit status 3,")) << rows[1];
  EXPECT_TRUE(rows[5].starts_with("4,COMPLETE,4,4,")) << rows[5];

  const ProcessResult status = qtune({"status", file.string(), "--format", "json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const json counts = json::parse(status.out)["counts"];
  EXPECT_EQ(counts["COMPLETE"], 2);
  EXPECT_EQ(counts["FAILED"], 4);
}

// `qtune retry --failed [--reason TEXT]`: the failed trials run again as the same records
// (number, attempt, retries), only those whose reason matches, within the budget.
TEST_F(RunCliTest, RetryRunsTheFailedTrialsAgainAsTheSameRecords) {
  // x = 1 and x = 2 fail while the file `broken` exists: 1 with exit 4, 2 with exit 5.
  dir_.write("t.sh",
             "echo \"start $1\" >> starts.log\n"
             "if [ -e broken ] && [ \"$1\" = 1 ]; then exit 4; fi\n"
             "if [ -e broken ] && [ \"$1\" = 2 ]; then exit 5; fi\n"
             "echo FID: $1\n");
  dir_.write("broken", "");
  const auto file = study(R"([study]
name = "t"
[space]
x = { range = [0, 3] }
[strategy]
kind = "grid"
[budget]
trials = 4
[trial]
command = ["sh", "t.sh", "{x}"]
)");
  ASSERT_EQ(qtune({"run", file.string()}).exit_code, 0);
  std::filesystem::remove(dir_ / "broken");
  const ProcessResult unasked = qtune({"retry", file.string()});
  EXPECT_EQ(unasked.exit_code, 2) << unasked.err;
  EXPECT_NE(unasked.err.find("--failed"), std::string::npos) << unasked.err;

  const ProcessResult one = qtune({"retry", file.string(), "--failed", "--reason", "status 4"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.err.find("retrying 1 failed trial (1)"), std::string::npos) << one.err;
  json trials = exported_trials(file);
  ASSERT_EQ(trials.size(), 4u);
  EXPECT_EQ(trials[1]["state"], "COMPLETE");
  EXPECT_EQ(trials[1]["value"], 1);
  EXPECT_EQ(trials[1]["attempt"], 1);
  EXPECT_EQ(trials[1]["retries"], 1);
  EXPECT_EQ(trials[2]["state"], "FAILED");  // its reason is exit status 5

  const ProcessResult rest = qtune({"retry", file.string(), "--failed"});
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  EXPECT_NE(rest.err.find("retrying 1 failed trial (2)"), std::string::npos) << rest.err;
  trials = exported_trials(file);
  ASSERT_EQ(trials.size(), 4u);  // no new trial: the budget was spent and stays so
  for (const json& t : trials) EXPECT_EQ(t["state"], "COMPLETE") << t.dump();
  EXPECT_EQ(
      lines_of(dir_ / "starts.log"),
      (std::vector<std::string>{"start 0", "start 1", "start 2", "start 3", "start 1", "start 2"}));
  const ProcessResult nothing = qtune({"retry", file.string(), "--failed"});
  EXPECT_EQ(nothing.exit_code, 0) << nothing.err;
  EXPECT_NE(nothing.err.find("no failed trial to retry"), std::string::npos) << nothing.err;
}

TEST_F(RunCliTest, NoSuccessfulTrialExits3) {
  dir_.write("t.sh", "exit 1\n");
  const auto file = study(R"([study]
name = "t"
[space]
x = { range = [0, 1] }
[strategy]
kind = "grid"
[trial]
command = ["sh", "t.sh"]
)");
  EXPECT_EQ(qtune({"run", file.string()}).exit_code, 3);
  EXPECT_EQ(qtune({"best", file.string()}).exit_code, 3);
}

// Overlap is read from the trials' own clocks, not timed by the test.
TEST_F(RunCliTest, ParallelTrialsOverlap) {
  dir_.write("t.sh",
             "date +%s.%N > \"$QTUNE_TRIAL_DIR/span\"\nsleep 0.5\ndate +%s.%N >> "
             "\"$QTUNE_TRIAL_DIR/span\"\necho FID: $1\n");
  const auto file = study(R"([study]
name = "t"
[space]
x = { range = [0, 3] }
[strategy]
kind = "grid"
[budget]
parallel = 2
[trial]
command = ["sh", "t.sh", "{x}"]
)");
  ASSERT_EQ(qtune({"run", file.string()}).exit_code, 0);
  std::vector<std::pair<double, double>> spans;
  for (int n = 0; n < 4; ++n) {
    std::istringstream in(read_file(trial_dir(n) / "span"));
    double start = 0, end = 0;
    in >> start >> end;
    spans.emplace_back(start, end);
  }
  int overlapping_pairs = 0;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    for (std::size_t j = i + 1; j < spans.size(); ++j) {
      if (spans[i].first < spans[j].second && spans[j].first < spans[i].second) ++overlapping_pairs;
    }
  }
  EXPECT_GE(overlapping_pairs, 2);  // two pairs ran side by side
}

constexpr std::string_view kSlowStudy = R"([study]
name = "t"
[space]
x = { range = [0, 7] }
[strategy]
kind = "grid"
[budget]
parallel = PARALLEL
[trial]
command = ["sh", "t.sh", "{x}"]
)";

std::string slow_study(int parallel) {
  std::string text(kSlowStudy);
  text.replace(text.find("PARALLEL"), 8, std::to_string(parallel));
  return text;
}

std::size_t count_prefix(const std::vector<std::string>& lines, std::string_view prefix) {
  std::size_t n = 0;
  for (const std::string& l : lines)
    if (l.starts_with(prefix)) ++n;
  return n;
}

TEST_F(RunCliTest, KillNineThenResumeLosesAndRepeatsNothing) {
  dir_.write(
      "t.sh",
      "echo \"start $1\" >> runs.log\nsleep 0.4\necho \"done $1\" >> runs.log\necho FID: $1\n");
  const auto file = study(slow_study(1));
  {
    BackgroundRun run(file, dir_ / "first.log");
    // Killed just after a trial started, while it sleeps, with 3 trials finished before it.
    ASSERT_TRUE(eventually([&] {
      const auto lines = lines_of(dir_ / "runs.log");
      return count_prefix(lines, "done") >= 3 &&
             count_prefix(lines, "start") == count_prefix(lines, "done") + 1;
    }));
    // Readers work while the run is live, and leave its running trial alone.
    const ProcessResult qtable = qtune({"export", file.string(), "--what", "qtable"});
    EXPECT_EQ(qtable.exit_code, 0) << qtable.err;
    EXPECT_TRUE(qtable.out.starts_with("state,x")) << qtable.out;  // grid: no Q-values
    EXPECT_EQ(qtune({"status", file.string()}).exit_code, 0);
    run.signal(SIGKILL);
    run.wait();
  }
  const json before = exported_trials(file);
  std::vector<json> finished;
  for (const json& t : before) {
    if (t["state"] == "COMPLETE") finished.push_back(t);
  }
  ASSERT_GE(finished.size(), 3u);

  const ProcessResult resumed = qtune({"run", file.string()});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const json after = exported_trials(file);
  ASSERT_EQ(after.size(), 8u);
  std::set<std::string> xs;
  for (const json& t : after) {
    EXPECT_EQ(t["state"], "COMPLETE");
    xs.insert(t["params"]["x"].dump());
  }
  EXPECT_EQ(xs.size(), 8u);           // no configuration twice
  for (const json& old : finished) {  // finished trials untouched
    const json& now = after[old["number"].get<std::size_t>()];
    EXPECT_EQ(now["params"], old["params"]);
    EXPECT_EQ(now["value"], old["value"]);
    EXPECT_EQ(now["finished_at"], old["finished_at"]);
  }
  const auto lines = lines_of(dir_ / "runs.log");
  for (int x = 0; x < 8; ++x) EXPECT_EQ(count_prefix(lines, "done " + std::to_string(x)), 1u) << x;
}

TEST_F(RunCliTest, CtrlCRecordsInterruptedTrialsAndExits130ThenResumes) {
  dir_.write("t.sh", "echo \"start $1\" >> runs.log\n[ -e fast ] || sleep 30\necho FID: $1\n");
  const auto file = study(slow_study(2));
  {
    BackgroundRun run(file, dir_ / "first.log");
    ASSERT_TRUE(
        eventually([&] { return count_prefix(lines_of(dir_ / "runs.log"), "start") == 2; }));
    run.signal(SIGINT);
    const int status = run.wait();
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 130) << read_file(dir_ / "first.log");
  }
  const json interrupted = exported_trials(file);
  ASSERT_EQ(interrupted.size(), 2u);
  for (const json& t : interrupted) EXPECT_EQ(t["state"], "INTERRUPTED");

  dir_.write("fast", "");
  const ProcessResult resumed = qtune({"run", file.string()});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const json after = exported_trials(file);
  ASSERT_EQ(after.size(), 8u);
  for (const json& t : after) EXPECT_EQ(t["state"], "COMPLETE");
  EXPECT_EQ(after[0]["params"], interrupted[0]["params"]);  // the same trial, handed out again
}

// status, best and export only read: they work on a read-only file in a read-only folder and
// write nothing there, not even SQLite's -wal and -shm files. (Tests run as root, where a
// mode does not stop a write: the file's time and size and the folder's listing show none.)
TEST_F(RunCliTest, ReadersWriteNothingToTheStore) {
  dir_.write("t.sh", "echo FID: $1\n");
  const auto file = study(R"([study]
name = "t"
[space]
x = { range = [0, 3] }
[strategy]
kind = "grid"
[trial]
command = ["sh", "t.sh", "{x}"]
)");
  ASSERT_EQ(qtune({"run", file.string()}).exit_code, 0);
  const std::filesystem::path db = dir_ / "t.db";
  ASSERT_FALSE(std::filesystem::exists(dir_ / "t.db-wal"));  // the run checkpointed it away
  const auto size = std::filesystem::file_size(db);
  const auto time = std::filesystem::last_write_time(db);
  using std::filesystem::perms;
  std::filesystem::permissions(db, perms::owner_read | perms::group_read | perms::others_read);
  std::filesystem::permissions(dir_.path(), perms::owner_read | perms::owner_exec |
                                                perms::group_read | perms::group_exec |
                                                perms::others_read | perms::others_exec);
  const ProcessResult status = qtune({"status", file.string()});
  const ProcessResult best = qtune({"best", file.string(), "--format", "json"});
  const ProcessResult trials = qtune({"export", file.string(), "--format", "json"});
  const ProcessResult qtable = qtune({"export", file.string(), "--what", "qtable"});
  const ProcessResult missing =
      qtune({"status", "--storage", "sqlite://" + (dir_ / "none.db").string(), "--study", "t"});
  std::filesystem::permissions(dir_.path(), perms::owner_all, std::filesystem::perm_options::add);
  std::filesystem::permissions(db, perms::owner_write, std::filesystem::perm_options::add);
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("4 trials: 4 complete"), std::string::npos) << status.out;
  ASSERT_EQ(best.exit_code, 0) << best.err;
  EXPECT_EQ(json::parse(best.out)["value"], 0.0);
  ASSERT_EQ(trials.exit_code, 0) << trials.err;
  EXPECT_EQ(json::parse(trials.out).size(), 4u);
  EXPECT_EQ(qtable.exit_code, 0) << qtable.err;
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no such database"), std::string::npos) << missing.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "none.db"));
  EXPECT_EQ(std::filesystem::file_size(db), size);
  EXPECT_EQ(std::filesystem::last_write_time(db), time);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "t.db-wal"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "t.db-shm"));
}

// status --watch follows a running study (JSON Lines when stdout is not a terminal, a line
// only when the view changed) and ends by itself when the trial budget is used up.
TEST_F(RunCliTest, StatusWatchFollowsARunningStudyUntilItIsFinished) {
  dir_.write("t.sh", "sleep 1\necho FID: $1\n");
  const auto file = study(R"([study]
name = "t"
[space]
x = { range = [0, 3] }
[strategy]
kind = "grid"
[budget]
trials = 4
[trial]
command = ["sh", "t.sh", "{x}"]
)");
  BackgroundRun run(file, dir_ / "run.log");
  ASSERT_TRUE(eventually([&] { return qtune({"status", file.string()}).exit_code == 0; }));
  const ProcessResult watched =
      qtune({"status", file.string(), "--watch", "1", "--format", "json"});
  EXPECT_EQ(run.exit_code(), 0);
  ASSERT_EQ(watched.exit_code, 0) << watched.err;
  std::vector<json> views;
  std::istringstream in(watched.out);
  for (std::string line; std::getline(in, line);) views.push_back(json::parse(line));
  ASSERT_GE(views.size(), 2u) << watched.out;
  for (std::size_t i = 1; i < views.size(); ++i) {
    EXPECT_NE(views[i], views[i - 1]);  // printed again only when something changed
    EXPECT_GE(views[i]["counts"]["COMPLETE"], views[i - 1]["counts"]["COMPLETE"]);
  }
  EXPECT_LT(views.front()["counts"]["COMPLETE"], 4);
  EXPECT_EQ(views.back()["counts"]["COMPLETE"], 4);
  EXPECT_EQ(views.back()["best"]["value"], 0.0);
}

TEST_F(RunCliTest, CategoricalValuesReachTheScriptAsOneArgvWordEach) {
  dir_.write("t.sh", "printf '[%s]' \"$@\" >> args.log\necho >> args.log\necho FID: 1\n");
  const auto file = study(R"toml([study]
name = "t"
[space]
word = { values = ["a b", "x;y|z&", "$(touch pwned)", "'q' \"r\""] }
[strategy]
kind = "grid"
[trial]
command = ["sh", "t.sh", "{word}", "--w={word}"]
)toml");
  ASSERT_EQ(qtune({"run", file.string()}).exit_code, 0);
  auto lines = lines_of(dir_ / "args.log");
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(lines, (std::vector<std::string>{"[$(touch pwned)][--w=$(touch pwned)]",
                                             "['q' \"r\"][--w='q' \"r\"]", "[a b][--w=a b]",
                                             "[x;y|z&][--w=x;y|z&]"}));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "pwned"));
}

// The built-in metric: qtune computes it on the folders the trial wrote (here paired MSE,
// which is 0 for identical images and grows with the difference), two trials at a time, on
// its scoring thread while the other trial runs.
TEST_F(RunCliTest, BuiltinMetricOnTheTrialsImageFolders) {
  dir_.write("t.py", R"(import os, sys
from PIL import Image
x = int(sys.argv[1])
for sub, grey in (("stim", 100), ("rec", 100 + 40 * x)):
    os.makedirs(f"{x}/{sub}", exist_ok=True)
    for i in range(3):
        Image.new("L", (16, 16), grey + i).save(f"{x}/{sub}/{i}.png")
)");
  const auto file = study(R"([study]
name = "t"
[space]
x = { range = [0, 2] }
[strategy]
kind = "grid"
[budget]
parallel = 2
[trial]
command = ["/usr/bin/python3", "t.py", "{x}"]
metric = { builtin = "mse", reference = "{x}/stim", generated = "{x}/rec" }
)");
  const ProcessResult run = qtune({"run", file.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::map<std::string, double> mse;
  for (const json& t : exported_trials(file)) {
    ASSERT_EQ(t["state"], "COMPLETE") << t.dump();
    mse[t["params"]["x"].dump()] = t["value"];
  }
  // By hand: every pixel differs by 40 * x grey levels (0..255 scale, as scikit-image's
  // mean_squared_error on uint8 images).
  EXPECT_EQ(mse["0"], 0.0);
  EXPECT_DOUBLE_EQ(mse["1"], 1600.0);
  EXPECT_DOUBLE_EQ(mse["2"], 6400.0);
}

TEST_F(RunCliTest, BadStudyFilesExit2NamingFileLineAndKey) {
  const std::string good = R"([study]
name = "t"
[space]
x = { range = [0, 3] }
[trial]
command = ["sh", "t.sh", "{x}"]
)";
  struct Case {
    std::string from, to, expected;
  };
  const std::vector<Case> cases = {
      {"command =", "colour = 1\ncommand =", "study.toml:6: [trial] colour: unknown key"},
      {"command =", "timeout = true\ncommand =",
       "study.toml:6: [trial] timeout: a boolean is the wrong type"},
      {"{x}\"]", "{z}\"]", "study.toml:6: [trial] command: placeholder {z} names no dimension"},
      {"range = [0, 3]", "range = [5, 2]", "study.toml:4: dimension \"x\""},
      {"name = \"t\"", "name = \"t\"\nseeed = 1", "study.toml:3:"},
      {"name = \"t\"", "name = 5", "study.toml:2:"},
  };
  for (const Case& c : cases) {
    std::string text = good;
    text.replace(text.find(c.from), c.from.size(), c.to);
    SCOPED_TRACE(text);
    const auto file = study(text);
    const ProcessResult run = qtune({"run", file.string()});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.err.find(c.expected), std::string::npos) << run.err;
  }
  const ProcessResult missing = qtune({"run", (dir_ / "none.toml").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("none.toml"), std::string::npos);
}

}  // namespace
}  // namespace qtune::testing
