// `qtune fid` end to end with the real binary: pytorch-fid's output line and conventions.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/fid_inputs.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace qtune::cli {
namespace {

using qtune::testing::ProcessResult;
using qtune::testing::qtune_cli;
using qtune::testing::run_process;
using qtune::testing::TempDir;

class FidCliTest : public qtune::testing::FidInputsTest<5, 4> {
 protected:
  static ProcessResult fid(const std::vector<std::string>& args) {
    return qtune::testing::run_qtune_fid_command("fid", args);
  }

  static double value_of(const std::string& out) {
    EXPECT_EQ(out.rfind("FID:  ", 0), 0u) << out;
    return std::stod(out.substr(6));
  }
};

TEST_F(FidCliTest, PrintsPytorchFidsLineAndValue) {
  const double expected = qtune::testing::pytorch_fid(stim(), rec(), 64);
  const auto r = fid({stim(), rec()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NEAR(value_of(r.out), expected, 1e-5 * expected);
  EXPECT_NE(r.err.find("note: " + stim().string() + ": 5 images for 64 dims"), std::string::npos)
      << r.err;
}

TEST_F(FidCliTest, JsonFormat) {
  const auto r = fid({stim(), rec(), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["dims"], 64);
  EXPECT_EQ(out["counts"], nlohmann::json::array({5, 4}));
  EXPECT_GT(out["fid"].get<double>(), 0.0);
}

TEST_F(FidCliTest, SaveStatsWritesAnNpzOnceAndItIsReadBack) {
  TempDir out;
  const std::string npz = (out / "stim.npz").string();
  const auto saved = fid({stim(), npz, "--save-stats"});
  ASSERT_EQ(saved.exit_code, 0) << saved.err;
  EXPECT_EQ(saved.out, "");
  ASSERT_TRUE(std::filesystem::exists(npz));

  const auto again = fid({stim(), npz, "--save-stats"});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find(npz + ": the file exists"), std::string::npos) << again.err;

  const double from_folder = value_of(fid({stim(), rec()}).out);
  const auto from_npz = fid({npz, rec()});
  ASSERT_EQ(from_npz.exit_code, 0) << from_npz.err;
  EXPECT_NEAR(value_of(from_npz.out), from_folder, 1e-6 * from_folder);
}

TEST_F(FidCliTest, BadInputsExit2NamingTheFile) {
  const std::string nowhere = (rec().parent_path() / "nowhere").string();
  const auto missing = fid({stim(), nowhere});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find(nowhere), std::string::npos) << missing.err;

  TempDir bad;
  std::filesystem::copy(rec(), bad / "rec");
  bad.write("rec/9.png", "\x89PNG\r\n\x1a\n truncated");
  const auto corrupt = fid({stim(), (bad / "rec").string()});
  EXPECT_EQ(corrupt.exit_code, 2);
  EXPECT_NE(corrupt.err.find("9.png"), std::string::npos) << corrupt.err;

  const auto dims = run_process({qtune_cli(), "fid", stim(), rec(), "--dims", "100"});
  EXPECT_EQ(dims.exit_code, 2);
  const auto one_path = run_process({qtune_cli(), "fid", stim()});
  EXPECT_EQ(one_path.exit_code, 2);
}

TEST_F(FidCliTest, CacheGivesTheSameValue) {
  TempDir cache;
  const std::vector<std::string> argv = {
      qtune_cli(), "fid",    stim(), rec(),         "--weights",
      weights(),   "--dims", "64",   "--cache-dir", cache.path().string()};
  const auto first = run_process(argv);
  const auto second = run_process(argv);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, second.out);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(cache.path()), {}),
            1);  // the first path only
}

}  // namespace
}  // namespace qtune::cli
