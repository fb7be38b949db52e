// `qtune metrics` end to end with the real binary.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
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

class MetricsCliTest : public qtune::testing::FidInputsTest<4, 4> {
 protected:
  // `qtune metrics STIM REC ARGS...`
  static ProcessResult metrics(std::vector<std::string> args) {
    args.insert(args.begin(), {stim(), rec()});
    return qtune::testing::run_qtune_fid_command("metrics", args);
  }
};

TEST_F(MetricsCliTest, JsonHasEveryMetricAndPairedValuesMatchScikitImage) {
  const auto ref =
      qtune::testing::run_reference_script("stats_paired.py", {"folders", stim(), rec()});
  std::istringstream in(ref.out);
  double mse = 0, psnr = 0, ssim = 0, pcc = 0;
  in >> mse >> psnr >> ssim >> pcc;

  const auto r = metrics({"--format", "json", "--kid-subsets", "10"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = nlohmann::json::parse(r.out);
  EXPECT_NEAR(out["ssim"].get<double>(), ssim, 1e-9);
  EXPECT_NEAR(out["psnr"].get<double>(), psnr, 1e-9);
  EXPECT_NEAR(out["mse"].get<double>(), mse, 1e-9);
  EXPECT_NEAR(out["pcc"].get<double>(), pcc, 1e-9);
  EXPECT_GT(out["fid"].get<double>(), 0.0);
  EXPECT_EQ(out["kid"]["subset_size"], 4);
  // 4 images a side and subsets of up to 1000: every subset would be the whole set, so KID is
  // computed once, without a spread (std null), and the note says why.
  EXPECT_EQ(out["kid"]["subsets"], 1);
  EXPECT_TRUE(out["kid"]["std"].is_null()) << out["kid"].dump();
  EXPECT_EQ(out["pairs"].size(), 4u);
  EXPECT_NE(r.err.find("note: KID of all 4 images a side: every subset is the whole set"),
            std::string::npos)
      << r.err;
}

TEST_F(MetricsCliTest, TableOfTheChosenMetrics) {
  const auto r = metrics({"--metrics", "ssim,mse"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("ssim  ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\nmse   "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("fid"), std::string::npos);
}

TEST_F(MetricsCliTest, PairedMetricsNeedNoWeights) {
  TempDir empty;
  const auto r = run_process({qtune_cli(), "metrics", stim(), rec(), "--metrics", "psnr",
                              "--weights", (empty / "missing.pth").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// 8x8 (sklearn digits): only ssim needs 11x11, so leaving it out scores them.
TEST_F(MetricsCliTest, ImagesBelowTheSsimWindowWithoutSsim) {
  TempDir dir;
  for (const char* side : {"stim", "rec"}) {
    qtune::testing::run_reference_script(
        "stats_paired.py",
        {"make", (dir / side).string(), "3", "8", "8", "L", side[0] == 's' ? "1" : "2"});
  }
  const auto ref = qtune::testing::run_reference_script(
      "stats_paired.py", {"folders", (dir / "stim").string(), (dir / "rec").string()});
  std::istringstream in(ref.out);
  double mse = 0, psnr = 0;
  in >> mse >> psnr;
  const auto r =
      run_process({qtune_cli(), "metrics", (dir / "stim").string(), (dir / "rec").string(),
                   "--metrics", "mse,psnr,pcc", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = nlohmann::json::parse(r.out);
  EXPECT_NEAR(out["mse"].get<double>(), mse, 1e-9);
  EXPECT_NEAR(out["psnr"].get<double>(), psnr, 1e-9);
  EXPECT_FALSE(out.contains("ssim"));
  const auto with_ssim = run_process({qtune_cli(), "metrics", (dir / "stim").string(),
                                      (dir / "rec").string(), "--metrics", "ssim"});
  EXPECT_EQ(with_ssim.exit_code, 2);
  EXPECT_NE(with_ssim.err.find("smaller than the 11x11 SSIM window"), std::string::npos)
      << with_ssim.err;
}

TEST_F(MetricsCliTest, BadInputsExit2) {
  const auto unknown = metrics({"--metrics", "ssim,lpips"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown metric \"lpips\""), std::string::npos) << unknown.err;
  TempDir fewer;
  qtune::testing::make_grey_pngs(fewer / "rec", 3, 2);
  const auto count =
      run_process({qtune_cli(), "metrics", stim(), (fewer / "rec").string(), "--metrics", "ssim"});
  EXPECT_EQ(count.exit_code, 2);
  EXPECT_NE(count.err.find("4 and 3 images"), std::string::npos) << count.err;
}

}  // namespace
}  // namespace qtune::cli
