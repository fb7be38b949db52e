// One error, one exit code: every command given the same missing file, or the same broken
// study file, says so naming the file and exits 2 (README "Exit codes", base::exit_code).
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "support/run_process.h"
#include "support/temp_dir.h"

namespace qtune::testing {
namespace {

// The commands that take a study file, each with the study file in its place.
std::vector<std::vector<std::string>> study_commands(const std::string& file) {
  return {{"run", file},
          {"worker", file},
          {"retry", file, "--failed"},
          {"status", file},
          {"best", file},
          {"export", file},
          {"replay", "--config", file, "--objective", "FID", "results.csv"}};
}

void expect_usage_error(const std::vector<std::string>& args, const TempDir& dir,
                        const std::string& names) {
  std::vector<std::string> argv = {qtune_cli()};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProcessResult r = run_process(argv, dir.path());
  EXPECT_EQ(r.exit_code, 2) << "qtune " << args.front() << ": " << r.err;
  EXPECT_NE(r.err.find(names), std::string::npos) << "qtune " << args.front() << ": " << r.err;
  EXPECT_NE(r.err.find("qtune " + args.front() + ": "), std::string::npos) << r.err;
}

TEST(ExitCodes, EveryCommandExits2OnAMissingStudyFile) {
  const TempDir dir;
  for (const auto& args : study_commands("missing.toml")) {
    expect_usage_error(args, dir, "missing.toml");
  }
}

TEST(ExitCodes, EveryCommandExits2OnABrokenStudyFile) {
  const TempDir dir;
  std::ofstream(dir.path() / "broken.toml") << "[study]\nname = \"x\"\n[space\nK = [1, 2]\n";
  std::ofstream(dir.path() / "results.csv") << "K,FID\n1,3.0\n2,4.0\n";
  for (const auto& args : study_commands("broken.toml")) {
    expect_usage_error(args, dir, "broken.toml:3");
  }
}

// /dev/zero never ends: read whole, it would exhaust qtune; it is refused unread.
TEST(ExitCodes, EveryCommandExits2OnAStudyFileThatIsNotAFile) {
  const TempDir dir;
  for (const auto& args : study_commands("/dev/zero")) {
    expect_usage_error(args, dir, "/dev/zero: the study file");
  }
}

TEST(ExitCodes, ImageCommandsExit2OnAMissingFolder) {
  const TempDir dir;
  for (const std::string command : {"fid", "metrics"}) {
    expect_usage_error({command, "no-such-folder", "rec", "--weights", "no-such.pth"}, dir,
                       "no-such-folder");
  }
}

}  // namespace
}  // namespace qtune::testing
