// A reward from several metrics end to end: `qtune run` of a study whose [trial] metric combines
// mse and correlation on images a script writes (values worked by hand), then what status,
// export, best, best --pareto and the report show of its components.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "cli/run_cli_util.h"
#include "support/temp_dir.h"

namespace qtune::testing {
namespace {

using nlohmann::json;

class CombinedMetricCliTest : public ::testing::Test {
 protected:
  ProcessResult qtune(std::vector<std::string> args) {
    args.insert(args.begin(), qtune_cli());
    return run_process(args, dir_.path());
  }

  // One 16x16 grey image a folder. The stimulus is a horizontal ramp 100 + 4c (c = 0..15);
  // x = 1: the ramp + 40 (mse 1600, correlation 1); x = 2: the ramp reversed (mse
  // 16 * mean((15 - 2c)^2) = 1360, correlation -1); x = 3: the ramp + 80 (mse 6400,
  // correlation 1). So 2 has the best mse, 1 and 3 the best correlation, and 1 dominates 3.
  std::filesystem::path write_study() {
    dir_.write("t.py", R"(import os, sys
from PIL import Image
x = int(sys.argv[1])
ramp = [100 + 4 * c for c in range(16)]
rec = {1: [v + 40 for v in ramp], 2: ramp[::-1], 3: [v + 80 for v in ramp]}[x]
for sub, row in (("stim", ramp), ("rec", rec)):
    os.makedirs(f"{x}/{sub}", exist_ok=True)
    image = Image.new("L", (16, 16))
    image.putdata(row * 16)
    image.save(f"{x}/{sub}/0.png")
)");
    return dir_.write("study.toml", R"([study]
name = "t"
[space]
x = { range = [1, 3] }
[strategy]
kind = "grid"
[trial]
command = ["/usr/bin/python3", "t.py", "{x}"]
metric = { reference = "{x}/stim", generated = "{x}/rec", combine = [
  { builtin = "mse", weight = 1 },
  { builtin = "correlation", weight = 3 },
] }
)");
  }

  TempDir dir_;
};

TEST_F(CombinedMetricCliTest, ComponentsAreStoredRankedAndShown) {
  const auto file = write_study();
  const ProcessResult run = qtune({"run", file.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  EXPECT_NE(run.err.find("mse 1600, correlation 1"), std::string::npos) << run.err;

  // Told in turn (grid: x = 1, 2, 3), weights 1 and 3:
  //   x=1 alone: 0.5
  //   x=2: mse best of 2 (0.5/2), correlation worst of 2 (1.5/2): (0.25 + 3 * 0.75) / 4
  //   x=3: mse worst of 3 (2.5/3), correlation tied best with x=1 (1/3): (2.5/3 + 3/3) / 4
  // Now: x=1 (1.5/3 + 3 * 1/3) / 4, x=2 (0.5/3 + 3 * 2.5/3) / 4, x=3 as told.
  const std::map<int, double> told = {{1, 0.5}, {2, 0.625}, {3, (2.5 / 3 + 1.0) / 4}};
  const std::map<int, double> now = {
      {1, (1.5 / 3 + 1.0) / 4}, {2, (0.5 / 3 + 7.5 / 3) / 4}, {3, (2.5 / 3 + 1.0) / 4}};
  const std::map<int, double> mse = {{1, 1600}, {2, 1360}, {3, 6400}};
  const std::map<int, double> correlation = {{1, 1}, {2, -1}, {3, 1}};
  const json trials = exported_trials(file);
  ASSERT_EQ(trials.size(), 3u);
  for (const json& t : trials) {
    ASSERT_EQ(t["state"], "COMPLETE") << t.dump();
    const int x = t["params"]["x"];
    EXPECT_DOUBLE_EQ(t["value"].get<double>(), told.at(x)) << x;
    EXPECT_DOUBLE_EQ(t["loss_now"].get<double>(), now.at(x)) << x;
    EXPECT_NEAR(t["components"]["mse"].get<double>(), mse.at(x), 1e-9) << x;
    EXPECT_NEAR(t["components"]["correlation"].get<double>(), correlation.at(x), 1e-9) << x;
  }

  const ProcessResult csv = qtune({"export", file.string()});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.substr(0, csv.out.find('\n')),
            "number,state,x,value,failure_reason,started_at,finished_at,worker,attempt,source,"
            "loss_now,mse,correlation");

  const ProcessResult status = qtune({"status", file.string()});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("best combined loss now: 0.375 (trial 0: x=1; mse 1600, "
                            "correlation 1)"),
            std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("(mse 1360, correlation -1)"), std::string::npos) << status.out;
  // Text views print six significant digits (export keeps every digit, above).
  EXPECT_NE(status.out.find("  0.458333 "), std::string::npos) << status.out;
  EXPECT_EQ(status.out.find("0.4583333"), std::string::npos) << status.out;

  const ProcessResult best = qtune({"best", file.string()});
  ASSERT_EQ(best.exit_code, 0) << best.err;
  EXPECT_EQ(best.out,
            "best combined loss now: 0.375 (trial 0)\n  x = 1\n  metrics: mse 1600, "
            "correlation 1\n");

  const ProcessResult pareto = qtune({"best", file.string(), "--pareto"});
  ASSERT_EQ(pareto.exit_code, 0) << pareto.err;
  EXPECT_EQ(pareto.out.substr(0, pareto.out.find('\n')),
            "Pareto front over mse (lower is better), correlation (higher is better): 2 of 3 "
            "complete trials");
  EXPECT_NE(pareto.out.find("  trial 0: mse 1600, correlation 1; loss now 0.375 (x=1)"),
            std::string::npos)
      << pareto.out;
  EXPECT_NE(pareto.out.find("  trial 1: mse 1360, correlation -1; loss now 0.666667 (x=2)"),
            std::string::npos)
      << pareto.out;
  EXPECT_EQ(pareto.out.find("trial 2:"), std::string::npos) << pareto.out;

  const ProcessResult pareto_json = qtune({"best", file.string(), "--pareto", "--format", "json"});
  ASSERT_EQ(pareto_json.exit_code, 0) << pareto_json.err;
  const json front = json::parse(pareto_json.out);
  EXPECT_EQ(front["complete"], 3);
  EXPECT_EQ(front["components"], json::parse(R"([{"name": "mse", "maximize": false},
                                                  {"name": "correlation", "maximize": true}])"));
  ASSERT_EQ(front["trials"].size(), 2u);
  EXPECT_EQ(front["trials"][0]["params"]["x"], 1);
  EXPECT_EQ(front["trials"][1]["params"]["x"], 2);
  EXPECT_DOUBLE_EQ(front["trials"][1]["loss_now"].get<double>(), now.at(2));

  const ProcessResult report = qtune({"report", file.string(), "-o", "r.html"});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  std::ifstream in(dir_ / "r.html");
  std::stringstream html;
  html << in.rdbuf();
  EXPECT_NE(html.str().find("<th>loss_now</th><th>mse</th><th>correlation</th>"),
            std::string::npos);
  EXPECT_NE(html.str().find("combined loss now"), std::string::npos);
}

TEST_F(CombinedMetricCliTest, ParetoOfAStudyOfOneMetricExits2) {
  dir_.write("one.toml", R"([study]
name = "one"
[space]
x = { range = [1, 2] }
[trial]
command = ["sh", "-c", "echo FID: {x}"]
)");
  ASSERT_EQ(qtune({"run", "one.toml"}).exit_code, 0);
  const ProcessResult pareto = qtune({"best", "one.toml", "--pareto"});
  EXPECT_EQ(pareto.exit_code, 2);
  EXPECT_NE(pareto.err.find("has no trial with several metrics"), std::string::npos) << pareto.err;
}

TEST_F(CombinedMetricCliTest, BadCombinationsExit2NamingTheKey) {
  const std::string head = "[study]\nname = \"b\"\n[space]\nx = { range = [1, 2] }\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"metric = { reference = \"a\", generated = \"b\", combine = [{ builtin = \"mse\" }] }",
       "[trial] metric.combine: has 1 metric(s)"},
      {"metric = { reference = \"a\", generated = \"b\", combine = [{ builtin = \"mse\" }, "
       "{ builtin = \"mse\" }] }",
       "[trial] metric.combine[1].builtin: \"mse\" is combined twice"},
      {"metric = { reference = \"a\", generated = \"b\", combine = [{ builtin = \"mse\" }, "
       "{ builtin = \"psnr\", weight = 0 }] }",
       "[trial] metric.combine[1].weight: use a number > 0"},
      {"metric = { combine = [{ builtin = \"mse\", reference = \"a\" }, { builtin = \"psnr\" }] }",
       "[trial] metric.combine[0].generated: missing"},
      {"metric = { reference = \"a\", generated = \"b\", combine = [{ builtin = \"mse\" }, "
       "{ builtin = \"psnr\", colour = 1 }] }",
       "[trial] metric.combine[1].colour: unknown key"},
  };
  for (const auto& [metric, message] : cases) {
    dir_.write("b.toml", head + "[trial]\ncommand = [\"true\"]\n" + metric + "\n");
    const ProcessResult run = qtune({"run", "b.toml"});
    EXPECT_EQ(run.exit_code, 2) << metric;
    EXPECT_NE(run.err.find(message), std::string::npos) << run.err;
  }
  dir_.write("m.toml",
             "[study]\nname = \"m\"\ndirection = \"maximize\"\n[space]\nx = { range = "
             "[1, 2] }\n[trial]\ncommand = [\"true\"]\nmetric = { reference = \"a\", "
             "generated = \"b\", combine = [{ builtin = \"mse\" }, { builtin = "
             "\"psnr\" }] }\n");
  const ProcessResult maximize = qtune({"run", "m.toml"});
  EXPECT_EQ(maximize.exit_code, 2);
  EXPECT_NE(maximize.err.find("[study] direction: \"maximize\" with [trial] metric = { combine"),
            std::string::npos)
      << maximize.err;
}

}  // namespace
}  // namespace qtune::testing
