// Nothing a trial prints can crash, hang or exhaust qtune: real `qtune run` processes on
// trials that print hostile output (docs/config.md "What happens to a trial's output"), and
// the [trial] values that are refused before any trial runs.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>

#include "cli/run_cli_util.h"
#include "support/temp_dir.h"

namespace qtune::testing {
namespace {

using nlohmann::json;

// A hung qtune ends the test with exit 124 instead of stalling the whole suite.
constexpr std::string_view kDeadlineSeconds = "300";

class TrialOutputCliTest : public ::testing::Test {
 protected:
  std::filesystem::path study(std::string_view trial_lines, std::string_view space = "[0, 1]") {
    return dir_.write("study.toml", fmt_study(trial_lines, space));
  }
  static std::string fmt_study(std::string_view trial_lines, std::string_view space) {
    return "[study]\nname = \"t\"\n[space]\nx = { range = " + std::string(space) +
           " }\n[strategy]\nkind = \"grid\"\n[trial]\n" + std::string(trial_lines);
  }
  ProcessResult run(const std::filesystem::path& file) {
    return run_process(
        {"timeout", std::string(kDeadlineSeconds), qtune_cli(), "run", file.string()}, dir_.path());
  }
  std::map<std::string, json> trials_by_x(const std::filesystem::path& file) {
    std::map<std::string, json> by_x;
    // Export JSON types each value as its dimension (x is an integer).
    for (const json& t : exported_trials(file)) by_x[t["params"]["x"].dump()] = t;
    return by_x;
  }
  TempDir dir_;
};

TEST_F(TrialOutputCliTest, AHugeTokenAfterFidIsNoMetricAndTheStudyResumesWithoutRerunningIt) {
  // std::regex recursed once per character of the token: qtune died of SIGSEGV, the trial
  // stayed RUNNING and every rerun crashed again.
  dir_.write("t.sh",
             "echo \"ran $1\" >> runs.log\n"
             "if [ \"$1\" = 0 ]; then printf 'FID: '; head -c 100000 /dev/zero | tr '\\0' x; echo\n"
             "else echo \"FID: $1\"; fi\n");
  const auto file = study("command = [\"sh\", \"t.sh\", \"{x}\"]\n");
  const ProcessResult first = run(file);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto by_x = trials_by_x(file);
  ASSERT_EQ(by_x.size(), 2u);
  EXPECT_EQ(by_x["0"]["state"], "FAILED");
  const std::string reason = by_x["0"]["failure_reason"];
  EXPECT_TRUE(reason.starts_with("no_metric: ")) << reason.substr(0, 300);
  EXPECT_NE(reason.find("\"" + std::string(80, 'x') + "... (100000 bytes)\" is not a number"),
            std::string::npos)
      << reason.substr(0, 300);
  EXPECT_LT(reason.size(), 300u);
  EXPECT_LE(by_x["0"]["log_tail"].get<std::string>().size(), 4096u);
  EXPECT_EQ(by_x["1"]["state"], "COMPLETE");

  const ProcessResult second = run(file);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(lines_of(dir_ / "runs.log"), (std::vector<std::string>{"ran 0", "ran 1"}));
  EXPECT_EQ(exported_trials(file).size(), 2u);
}

TEST_F(TrialOutputCliTest, ACatastrophicRegexFinishes) {
  // (a|aa)*b on 40 a's backtracked for ever in std::regex, deaf to signals and timeouts.
  dir_.write("t.sh", "printf 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\\n'\n");
  const auto file =
      study("command = [\"sh\", \"t.sh\"]\nmetric = { regex = '(a|aa)*b' }\n", "[0, 0]");
  const ProcessResult result = run(file);
  EXPECT_EQ(result.exit_code, 3) << result.err;  // no successful trial, and not 124 (hung)
  const auto by_x = trials_by_x(file);
  ASSERT_EQ(by_x.size(), 1u);
  EXPECT_TRUE(by_x.at("0")["failure_reason"].get<std::string>().starts_with(
      "no_metric: stdout has no line matching regex '(a|aa)*b'"))
      << by_x.at("0")["failure_reason"];
}

// `qtune run` in a child of a forked process, which then reports its children's peak RSS
// (qtune's own: the trial's shell, head and tr are far smaller) in KiB.
struct MeasuredRun {
  int exit_code = -1;
  long max_rss_kib = 0;
};
MeasuredRun run_measured(const std::filesystem::path& file, const std::filesystem::path& dir) {
  int fds[2];
  if (::pipe(fds) != 0) return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    const ProcessResult r = run_process(
        {"timeout", std::string(kDeadlineSeconds), qtune_cli(), "run", file.string()}, dir);
    rusage usage{};
    ::getrusage(RUSAGE_CHILDREN, &usage);
    const long report[2] = {r.exit_code, usage.ru_maxrss};
    const ssize_t written = ::write(fds[1], report, sizeof report);
    ::_exit(written == sizeof report ? 0 : 1);
  }
  ::close(fds[1]);
  long report[2] = {-1, 0};
  const ssize_t got = ::read(fds[0], report, sizeof report);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (got != sizeof report) return {};
  return {static_cast<int>(report[0]), report[1]};
}

TEST_F(TrialOutputCliTest, A200MegabyteStdoutLeavesQtuneSmall) {
  // One 200 MB line, then the metric: qtune read all of stdout line by line before.
  dir_.write("t.sh", "head -c 200000000 /dev/zero | tr '\\0' a\necho\necho 'FID: 3.5'\n");
  const auto file = study("command = [\"sh\", \"t.sh\"]\n", "[0, 0]");
  const MeasuredRun measured = run_measured(file, dir_.path());
  ASSERT_EQ(measured.exit_code, 0);
  const auto by_x = trials_by_x(file);
  ASSERT_EQ(by_x.size(), 1u);
  EXPECT_EQ(by_x.at("0")["state"], "COMPLETE");
  EXPECT_EQ(by_x.at("0")["value"], 3.5);
  EXPECT_EQ(std::filesystem::file_size(dir_ / "t.trials/0/stdout.log"), 200'000'010u);
  std::cout << "qtune peak RSS: " << measured.max_rss_kib / 1024 << " MiB\n";
  EXPECT_GT(measured.max_rss_kib, 0);
  EXPECT_LT(measured.max_rss_kib, 150 * 1024);  // generous: the output alone is 190 MiB
}

TEST_F(TrialOutputCliTest, GarbageInTrialIsRefusedBeforeAnyTrialRuns) {
  struct Case {
    std::string study;
    std::string expected;
  };
  const std::string command = "command = [\"sh\", \"t.sh\", \"{x}\"]\n";
  const std::vector<Case> cases = {
      {fmt_study(command + "metric = { regex = 'a**' }\n", "[0, 1]"),
       "study.toml:9: [trial] metric.regex: does not compile (bad repetition operator: **)"},
      {fmt_study(command + "metric = { regex = 'FID: \\S+' }\n", "[0, 1]"),
       "study.toml:9: [trial] metric.regex: has 0 capture groups; use exactly one"},
      {fmt_study("command = [\"\"]\n", "[0, 1]"),
       "study.toml:8: [trial] command: the program (the first word) is empty"},
      {fmt_study(command + "timeout = \"1d1d\"\n", "[0, 1]"),
       "study.toml:9: [trial] timeout: duration \"1d1d\": unit \"d\" comes again"},
      {fmt_study(command + "timeout = \"1m1h\"\n", "[0, 1]"),
       "study.toml:9: [trial] timeout: duration \"1m1h\": unit \"h\" comes again"},
      {"[study]\nname = \"t\"\n[space]\ntrial_id = { range = [0, 1] }\n[strategy]\nkind = "
       "\"grid\"\n[trial]\ncommand = [\"sh\", \"t.sh\"]\n",
       "study.toml:4: [space] trial_id: the name is reserved for the {trial_id} placeholder"},
  };
  dir_.write("t.sh", "echo ran >> runs.log\necho 'FID: 1'\n");
  for (const Case& c : cases) {
    SCOPED_TRACE(c.study);
    const auto file = dir_.write("study.toml", c.study);
    const ProcessResult result = run(file);
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find(c.expected), std::string::npos) << result.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "runs.log"));
}

}  // namespace
}  // namespace qtune::testing
