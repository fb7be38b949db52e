// `qtune fid` end to end with the real binary: pytorch-fid's output line and conventions.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/run_process.h"
#include "support/temp_dir.h"

namespace qtune::cli {
namespace {

using qtune::testing::qtune_cli;
using qtune::testing::run_process;
using qtune::testing::run_reference_script;
using qtune::testing::TempDir;

class FidCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    run_reference_script("nn_fid_inception.py", {"weights", weights(), "5"});
    run_reference_script("stats_paired.py", {"make", (dir_->path() / "stim").string(), "5", "28", "28", "L", "1"});
    run_reference_script("stats_paired.py", {"make", (dir_->path() / "rec").string(), "4", "28", "28", "L", "2"});
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string weights() { return (dir_->path() / "w.pth").string(); }
  static std::string path(const char* name) { return (dir_->path() / name).string(); }

  static qtune::testing::ProcessResult fid(std::vector<std::string> args) {
    std::vector<std::string> argv = {qtune_cli(), "fid"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--weights", weights(), "--dims", "64", "--no-cache"});
    return run_process(argv);
  }

  static double value_of(const std::string& out) {
    EXPECT_EQ(out.rfind("FID:  ", 0), 0u) << out;
    return std::stod(out.substr(6));
  }

  static TempDir* dir_;
};
TempDir* FidCliTest::dir_ = nullptr;

TEST_F(FidCliTest, PrintsPytorchFidsLineAndValue) {
  const auto ref = run_reference_script("stats_pytorch_fid.py",
                                        {"fid", path("stim"), path("rec"), weights(), "64", "50", "0"});
  const double expected = std::stod(ref.out.substr(5));
  const auto r = fid({path("stim"), path("rec")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NEAR(value_of(r.out), expected, 1e-5 * expected);
  EXPECT_NE(r.err.find("note: " + path("stim") + ": 5 images for 64 dims"), std::string::npos) << r.err;
}

TEST_F(FidCliTest, JsonFormat) {
  const auto r = fid({path("stim"), path("rec"), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["dims"], 64);
  EXPECT_EQ(out["counts"], nlohmann::json::array({5, 4}));
  EXPECT_GT(out["fid"].get<double>(), 0.0);
}

TEST_F(FidCliTest, SaveStatsWritesAnNpzOnceAndItIsReadBack) {
  TempDir out;
  const std::string npz = (out / "stim.npz").string();
  const auto saved = fid({path("stim"), npz, "--save-stats"});
  ASSERT_EQ(saved.exit_code, 0) << saved.err;
  EXPECT_EQ(saved.out, "");
  ASSERT_TRUE(std::filesystem::exists(npz));

  const auto again = fid({path("stim"), npz, "--save-stats"});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find(npz + ": the file exists"), std::string::npos) << again.err;

  const double from_folder = value_of(fid({path("stim"), path("rec")}).out);
  const auto from_npz = fid({npz, path("rec")});
  ASSERT_EQ(from_npz.exit_code, 0) << from_npz.err;
  EXPECT_NEAR(value_of(from_npz.out), from_folder, 1e-6 * from_folder);
}

TEST_F(FidCliTest, BadInputsExit2NamingTheFile) {
  const auto missing = fid({path("stim"), path("nowhere")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find(path("nowhere")), std::string::npos) << missing.err;

  TempDir bad;
  std::filesystem::copy(path("rec"), bad / "rec");
  bad.write("rec/9.png", "\x89PNG\r\n\x1a\n truncated");
  const auto corrupt = fid({path("stim"), (bad / "rec").string()});
  EXPECT_EQ(corrupt.exit_code, 2);
  EXPECT_NE(corrupt.err.find("9.png"), std::string::npos) << corrupt.err;

  const auto dims = run_process({qtune_cli(), "fid", path("stim"), path("rec"), "--dims", "100"});
  EXPECT_EQ(dims.exit_code, 2);
  const auto one_path = run_process({qtune_cli(), "fid", path("stim")});
  EXPECT_EQ(one_path.exit_code, 2);
}

TEST_F(FidCliTest, CacheGivesTheSameValue) {
  TempDir cache;
  std::vector<std::string> argv = {qtune_cli(), "fid", path("stim"), path("rec"), "--weights", weights(),
                                   "--dims", "64", "--cache-dir", cache.path().string()};
  const auto first = run_process(argv);
  const auto second = run_process(argv);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, second.out);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(cache.path()), {}), 1);  // the first path only
}

}  // namespace
}  // namespace qtune::cli
