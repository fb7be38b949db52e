// The README's main job, scaled down: the shipped example study (examples/digits) and its own
// script, run by the qtune binary on a copy, with 4 trials instead of 30. Keeps the example
// working: the script's contract (folders named after the parameters holding stim/ and rec/
// PNGs, FID_Results.csv, "FID: <value>") and the study file's options.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "cli/run_cli_util.h"
#include "support/temp_dir.h"

namespace qtune::testing {
namespace {

TEST(ExampleStudyTest, DigitsStudyRecordsTheFidItsScriptPrints) {
  TempDir dir;
  const std::filesystem::path example = source_dir() / "examples" / "digits";
  std::filesystem::copy_file(example / "train.py", dir / "train.py");
  std::string text = read_file(example / "study.toml");
  const std::string budget = "trials = 30";
  const std::size_t at = text.find(budget);
  ASSERT_NE(at, std::string::npos) << "the example's budget line changed; change this test with it";
  text.replace(at, budget.size(), "trials = 4");
  const auto file = dir.write("study.toml", text);

  const ProcessResult run = run_process({qtune_cli(), "run", file.string(), "--quiet"}, dir.path());
  ASSERT_EQ(run.exit_code, 0) << run.err;

  // The script appends "K_idim_batch_iter,FID" for each training, at full precision.
  std::map<std::string, double> written;
  for (const std::string& line : lines_of(dir / "FID_Results.csv")) {
    const std::size_t comma = line.find(',');
    ASSERT_NE(comma, std::string::npos) << line;
    written[line.substr(0, comma)] = std::stod(line.substr(comma + 1));
  }
  const nlohmann::json trials = exported_trials(file);
  ASSERT_EQ(trials.size(), 4u);
  EXPECT_EQ(written.size(), 4u);  // four distinct configurations, each trained once
  for (const nlohmann::json& t : trials) {
    ASSERT_EQ(t["state"], "COMPLETE") << t.dump();
    const nlohmann::json& p = t["params"];
    const std::string folder = p["K"].dump() + "_" + p["intermediate_dim"].dump() + "_" +
                               p["batch_size"].dump() + "_" + p["maxiter"].dump();
    ASSERT_TRUE(written.contains(folder)) << folder;
    // The script prints the value with 5 decimals (half a unit: 5e-6).
    EXPECT_NEAR(t["value"].get<double>(), written[folder], 6e-6) << folder;
    // Its image folders are what qtune's own metrics read: ten stimulus/reconstruction pairs.
    const ProcessResult paired =
        run_process({qtune_cli(), "metrics", folder + "/stim", folder + "/rec", "--metrics", "psnr",
                     "--format", "json"},
                    dir.path());
    ASSERT_EQ(paired.exit_code, 0) << paired.err;
    EXPECT_EQ(nlohmann::json::parse(paired.out)["pairs"].size(), 10u) << folder;
  }
}

}  // namespace
}  // namespace qtune::testing
