// The evaluation table through the qtune binary: `qtune metrics --metrics pixcorr,...` against
// MindEye's code re-created in tests/reference/nn_evaluation_table.py, and a study rewarded by
// the built-in alexnet2 with weights_for.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/run_cli_util.h"
#include "support/inception_weights.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace qtune::testing {
namespace {

std::vector<double> cli_numbers(const std::string& text) {
  std::istringstream in(text);
  std::vector<double> out;
  for (double v; in >> v;) out.push_back(v);
  return out;
}

class TableMetricsCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    run_reference_script("nn_evaluation_table.py", {"make", stim(), rec(), "5", "30", "36", "2"});
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string stim() { return (*dir_ / "stim").string(); }
  static std::string rec() { return (*dir_ / "rec").string(); }
  static std::string alexnet() { return table_network_weights("alexnet").string(); }

  static TempDir* dir_;
};

TempDir* TableMetricsCliTest::dir_ = nullptr;

TEST_F(TableMetricsCliTest, JsonAndTableMatchMindEye) {
  const std::vector<double> pixels =
      cli_numbers(run_reference_script("nn_evaluation_table.py", {"pixels", stim(), rec()}).out);
  const std::vector<double> two_way = cli_numbers(
      run_reference_script("nn_evaluation_table.py", {"twoway", "alexnet", alexnet(), stim(), rec(),
                                                      "features.4", (*dir_ / "f.f32").string()})
          .out);
  ASSERT_EQ(pixels.size(), 2u);
  ASSERT_EQ(two_way.size(), 3u);
  const ProcessResult r = run_process({qtune_cli(), "metrics", stim(), rec(), "--metrics",
                                       "pixcorr,ssim_mindeye,alexnet2", "--weights-for",
                                       "alexnet=" + alexnet(), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = nlohmann::json::parse(r.out);
  EXPECT_NEAR(out["pixcorr"].get<double>(), pixels[0], 1e-6);
  EXPECT_NEAR(out["ssim_mindeye"].get<double>(), pixels[1], 1e-5);
  EXPECT_EQ(out["alexnet2"]["score"].get<double>(), two_way[0]);
  EXPECT_NEAR(out["alexnet2"]["p_value"].get<double>(), two_way[2], 1e-6 * two_way[2] + 1e-15);
  EXPECT_FALSE(out.contains("fid"));

  const ProcessResult table =
      run_process({qtune_cli(), "metrics", stim(), rec(), "--metrics", "alexnet2,pixcorr",
                   "--weights-for", "alexnet=" + alexnet()});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.rfind("pixcorr       ", 0), 0u) << table.out;
  EXPECT_NE(table.out.find("\nalexnet2      "), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("(p = "), std::string::npos) << table.out;
}

// effnet and swav (correlation distances, no p-value) as MindEye computes them.
TEST_F(TableMetricsCliTest, DistancesMatchMindEye) {
  const std::string effnet = table_network_weights("efficientnet_b1").string();
  const std::string swav = table_network_weights("swav").string();
  const std::vector<double> expected_effnet = cli_numbers(
      run_reference_script("nn_evaluation_table.py", {"distance", "efficientnet_b1", effnet, stim(),
                                                      rec(), (*dir_ / "e.f32").string()})
          .out);
  const std::vector<double> expected_swav = cli_numbers(
      run_reference_script("nn_evaluation_table.py",
                           {"distance", "swav", swav, stim(), rec(), (*dir_ / "s.f32").string()})
          .out);
  ASSERT_EQ(expected_effnet.size(), 1u);
  ASSERT_EQ(expected_swav.size(), 1u);
  const std::vector<std::string> args = {qtune_cli(),     "metrics",
                                         stim(),          rec(),
                                         "--metrics",     "swav,effnet",
                                         "--weights-for", "efficientnet_b1=" + effnet,
                                         "--weights-for", "swav_resnet50=" + swav};
  std::vector<std::string> json_args = args;
  json_args.insert(json_args.end(), {"--format", "json"});
  const ProcessResult r = run_process(json_args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = nlohmann::json::parse(r.out);
  EXPECT_NEAR(out["effnet"].get<double>(), expected_effnet[0], 1e-4 * expected_effnet[0]);
  EXPECT_NEAR(out["swav"].get<double>(), expected_swav[0], 1e-4 * expected_swav[0]);

  const ProcessResult table = run_process(args);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  // The published column order: EffNet-B before SwAV.
  EXPECT_EQ(table.out.rfind("effnet        ", 0), 0u) << table.out;
  EXPECT_NE(table.out.find("\nswav          "), std::string::npos) << table.out;
  EXPECT_EQ(table.out.find("(p = "), std::string::npos) << table.out;
}

TEST_F(TableMetricsCliTest, BadInputExits2) {
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"--metrics", "alexnet2", "--weights-for", "vgg=x.pth"}, "unknown network"},
      {{"--metrics", "alexnet2", "--weights-for", "alexnet"}, "is not NAME=FILE"},
      {{"--metrics", "alexnet2", "--weights-for",
        "alexnet=" + table_network_weights("inception_v3").string()},
       "features.0.weight"},
      {{"--metrics", "alexnet5", "--weights-for", "alexnet=" + (*dir_ / "none.pth").string()},
       "none.pth"},
      {{"--metrics", "swav", "--weights-for",
        "swav_resnet50=" + table_network_weights("efficientnet_b1").string()},
       "\"conv1.weight\" is missing"},
      // A CLIP tower that is not ViT-L/14 (the tests' small one).
      {{"--metrics", "clip2way", "--weights-for",
        "clip_vit_l14=" + table_network_weights("clip").string()},
       "\"visual.conv1.weight\" has shape [256, 3, 14, 14]; expected [1024, 3, 14, 14]"},
      {{"--metrics", "clip"}, "unknown metric \"clip\""},
  };
  for (const Case& c : cases) {
    std::vector<std::string> argv = {qtune_cli(), "metrics", stim(), rec()};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    const ProcessResult r = run_process(argv);
    EXPECT_EQ(r.exit_code, 2) << c.expected << "\n" << r.err;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << r.err;
  }
  // A blank reconstruction: pixcorr is undefined, said so rather than printed as nan.
  TempDir blank;
  run_process({"/bin/cp", "-r", stim(), (blank / "stim").string()});
  run_process({"/usr/bin/python3", "-c",
               "import os\nfrom PIL import Image\nos.makedirs('" + (blank / "rec").string() +
                   "')\nfor i in range(5): Image.new('RGB', (36, 30), (9, 9, 9)).save('" +
                   (blank / "rec").string() + "/%d.png' % i)"});
  const ProcessResult r = run_process({qtune_cli(), "metrics", (blank / "stim").string(),
                                       (blank / "rec").string(), "--metrics", "pixcorr"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("constant image"), std::string::npos) << r.err;
}

// A study rewarded by alexnet2, its weights named relative to the workdir: each trial
// writes its own reconstructions; the better one (less noise) scores higher.
TEST_F(TableMetricsCliTest, BuiltinRewardWithWeightsFor) {
  TempDir study_dir;
  std::filesystem::create_directories(study_dir / "w");
  std::filesystem::copy_file(alexnet(), study_dir / "w" / "alexnet.pth");
  study_dir.write("t.py", R"(import os, shutil, sys
import numpy as np
from PIL import Image
x = int(sys.argv[1])
os.makedirs(f"{x}/rec", exist_ok=True)
rng = np.random.default_rng(x)
for name in sorted(os.listdir(sys.argv[2])):
    a = np.asarray(Image.open(os.path.join(sys.argv[2], name)).convert("RGB"), dtype=float)
    noisy = a + rng.normal(0, 40 + 120 * x, a.shape)
    Image.fromarray(np.uint8(np.clip(noisy, 0, 255))).save(f"{x}/rec/{name}")
)");
  const auto file = study_dir.write(
      "study.toml", R"([study]
name = "t"
direction = "maximize"
[space]
x = { range = [0, 1] }
[strategy]
kind = "grid"
[trial]
command = ["/usr/bin/python3", "t.py", "{x}", ")" +
                        stim() + R"("]
metric = { builtin = "alexnet2", reference = ")" +
                        stim() +
                        R"(", generated = "{x}/rec", weights_for = { alexnet = "w/alexnet.pth" } }
)");
  const ProcessResult run = run_process({qtune_cli(), "run", file.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::map<std::string, double> score;
  for (const nlohmann::json& t : exported_trials(file)) {
    ASSERT_EQ(t["state"], "COMPLETE") << t.dump();
    score[t["params"]["x"].dump()] = t["value"];
  }
  ASSERT_EQ(score.size(), 2u);
  EXPECT_GT(score["0"], 0.5);
  EXPECT_LE(score["0"], 1.0);
  EXPECT_GE(score["0"], score["1"]);
}

}  // namespace
}  // namespace qtune::testing
