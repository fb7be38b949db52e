#include "qtune/exec/trial_config.h"

#include <gtest/gtest.h>

#include <tuple>

#include "exec/study_text.h"

namespace qtune::exec {
namespace {

using testing::parse_trial_lines;

TEST(TrialConfigTest, ParsesEveryKey) {
  const auto config =
      parse_trial_lines(R"(command = ["python3", "train.py", "{K}", "--act={act}", "{trial_dir}"]
shell = false
workdir = "runs/{K}"
timeout = "2h"
kill_grace = 3
env = { OMP_NUM_THREADS = "1", TAG = "{act}-{trial_id}" }
metric = { json = "{trial_dir}/metrics.json", key = "fid" }
)");
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  ASSERT_EQ(config->command.size(), 5u);
  EXPECT_EQ(config->command[3].expand({{"act", "elu"}}), "--act=elu");
  EXPECT_FALSE(config->shell);
  EXPECT_EQ(config->workdir.text(), "runs/{K}");
  EXPECT_EQ(config->base_dir, std::filesystem::path("dir"));
  EXPECT_EQ(config->timeout, std::chrono::hours(2));
  EXPECT_EQ(config->kill_grace, std::chrono::seconds(3));
  ASSERT_EQ(config->env.size(), 2u);
  EXPECT_EQ(config->env[1].first, "TAG");
  EXPECT_EQ(config->env[1].second.expand({{"act", "relu"}, {"trial_id", "3"}}), "relu-3");
  const auto* json = std::get_if<JsonMetric>(&config->metric);
  ASSERT_NE(json, nullptr);
  EXPECT_EQ(json->key, "fid");
}

TEST(TrialConfigTest, DefaultsAreRegexFidWorkdirDotAndNoTimeout) {
  const auto config = parse_trial_lines("command = [\"./train.sh\"]\n");
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  EXPECT_EQ(config->workdir.text(), ".");
  EXPECT_EQ(config->timeout.count(), 0);
  EXPECT_EQ(config->kill_grace, std::chrono::seconds(10));
  const auto* regex = std::get_if<RegexMetric>(&config->metric);
  ASSERT_NE(regex, nullptr);
  EXPECT_EQ(regex->pattern, R"(FID:\s*(\S+))");
}

TEST(TrialConfigTest, BuiltinMetric) {
  const auto config = parse_trial_lines(R"(command = ["x"]
metric = { builtin = "fid", reference = "{K}/stim", generated = "{K}/rec", dims = 64 }
)");
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  const auto* builtin = std::get_if<BuiltinMetric>(&config->metric);
  ASSERT_NE(builtin, nullptr);
  EXPECT_EQ(builtin->kind, BuiltinMetricKind::kFid);
  EXPECT_EQ(builtin->dims, 64);
  EXPECT_EQ(builtin->generated.expand({{"K", "3"}}), "3/rec");
  EXPECT_EQ(builtin_metric_name(builtin->kind), "fid");
}

TEST(TrialConfigTest, EvaluationTableMetricWithWeights) {
  const auto config = parse_trial_lines(R"(command = ["x"]
metric = { builtin = "alexnet2", reference = "s", generated = "{K}/rec", weights_for = { alexnet = "w/a.pth", inception_v3 = "/abs/i.pth" } }
)");
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  const auto* builtin = std::get_if<BuiltinMetric>(&config->metric);
  ASSERT_NE(builtin, nullptr);
  EXPECT_EQ(builtin->kind, BuiltinMetricKind::kAlexnet2);
  EXPECT_EQ(builtin_metric_name(builtin->kind), "alexnet2");
  ASSERT_EQ(builtin->weights_for.size(), 2u);
  EXPECT_EQ(builtin->weights_for[0].first, "alexnet");
  EXPECT_EQ(builtin->weights_for[0].second, "w/a.pth");
  EXPECT_EQ(builtin->weights_for[1].first, "inception_v3");
}

TEST(TrialConfigTest, CombinedMetricComponentsTakeTheSharedKeysTheyLack) {
  const auto config = parse_trial_lines(R"(command = ["x"]
metric = { reference = "{K}/stim", generated = "{K}/rec", weights_for = { alexnet = "a.pth" }, combine = [
                      { builtin = "fid", dims = 64 },
                      { builtin = "alexnet2", weight = 2.5, generated = "{K}/other" },
                      { builtin = "pixcorr", weight = 3 }] }
)");
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  const auto* combined = std::get_if<CombinedMetric>(&config->metric);
  ASSERT_NE(combined, nullptr);
  ASSERT_EQ(combined->components.size(), 3u);
  const auto& [fid, alexnet2, pixcorr] =
      std::tie(combined->components[0], combined->components[1], combined->components[2]);
  EXPECT_EQ(fid.metric.kind, BuiltinMetricKind::kFid);
  EXPECT_EQ(fid.metric.dims, 64);
  EXPECT_EQ(fid.weight, 1.0);
  EXPECT_EQ(fid.metric.reference.expand({{"K", "3"}}), "3/stim");
  EXPECT_EQ(alexnet2.metric.kind, BuiltinMetricKind::kAlexnet2);
  EXPECT_EQ(alexnet2.weight, 2.5);
  EXPECT_EQ(alexnet2.metric.generated.expand({{"K", "3"}}), "3/other");
  ASSERT_EQ(alexnet2.metric.weights_for.size(), 1u);
  EXPECT_EQ(alexnet2.metric.weights_for[0].second, "a.pth");
  EXPECT_EQ(pixcorr.weight, 3.0);
  EXPECT_EQ(pixcorr.metric.dims, 2048);
  EXPECT_FALSE(builtin_metric_maximize(fid.metric.kind));
  EXPECT_TRUE(builtin_metric_maximize(alexnet2.metric.kind));
  EXPECT_TRUE(builtin_metric_maximize(pixcorr.metric.kind));
}

// Every built-in metric's direction, as a study's [study] direction defaults to it (the
// evaluation table's agree with metrics/evaluation_table.h: tests/study/study_config_test.cc).
TEST(TrialConfigTest, EveryBuiltinMetricHasItsDirection) {
  using K = BuiltinMetricKind;
  for (const K lower : {K::kFid, K::kKid, K::kMse, K::kEffnet, K::kSwav}) {
    EXPECT_FALSE(builtin_metric_maximize(lower)) << builtin_metric_name(lower);
  }
  for (const K higher : {K::kPsnr, K::kSsim, K::kCorrelation, K::kPixcorr, K::kSsimMindeye,
                         K::kAlexnet2, K::kAlexnet5, K::kInception2way, K::kClip2way}) {
    EXPECT_TRUE(builtin_metric_maximize(higher)) << builtin_metric_name(higher);
  }
}

TEST(TrialConfigTest, DistanceTableMetricsWithWeights) {
  const auto config = parse_trial_lines(R"(command = ["x"]
metric = { builtin = "swav", reference = "s", generated = "r", weights_for = { swav_resnet50 = "swav_800ep_pretrain.pth.tar", efficientnet_b1 = "e.pth" } }
)");
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  const auto* builtin = std::get_if<BuiltinMetric>(&config->metric);
  ASSERT_NE(builtin, nullptr);
  EXPECT_EQ(builtin->kind, BuiltinMetricKind::kSwav);
  ASSERT_EQ(builtin->weights_for.size(), 2u);
  EXPECT_EQ(builtin->weights_for[1].first, "swav_resnet50");
  const auto effnet = parse_trial_lines(
      "command = [\"x\"]\nmetric = { builtin = \"effnet\", reference = \"s\", generated = \"r\" "
      "}\n");
  ASSERT_TRUE(effnet.is_ok()) << effnet.status().to_string();
  EXPECT_EQ(std::get<BuiltinMetric>(effnet->metric).kind, BuiltinMetricKind::kEffnet);
}

TEST(TrialConfigTest, Clip2wayWithItsWeights) {
  const auto config = parse_trial_lines(R"(command = ["x"]
metric = { builtin = "clip2way", reference = "s", generated = "r", weights_for = { clip_vit_l14 = "vit_large_patch14_clip_224.openai.bin" } }
)");
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  const auto* builtin = std::get_if<BuiltinMetric>(&config->metric);
  ASSERT_NE(builtin, nullptr);
  EXPECT_EQ(builtin->kind, BuiltinMetricKind::kClip2way);
  EXPECT_EQ(builtin_metric_name(builtin->kind), "clip2way");
  EXPECT_TRUE(builtin_metric_maximize(builtin->kind));
  ASSERT_EQ(builtin->weights_for.size(), 1u);
  EXPECT_EQ(builtin->weights_for[0].first, "clip_vit_l14");
}

TEST(TrialConfigTest, ShellScriptString) {
  const auto config = parse_trial_lines("shell = true\ncommand = \"python3 t.py {K} | tee out\"\n");
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  EXPECT_TRUE(config->shell);
  ASSERT_EQ(config->command.size(), 1u);
}

// Each bad [trial] names the file, the line (the [trial] header is line 4) and the key.
TEST(TrialConfigTest, ErrorsNameFileLineAndKey) {
  struct Case {
    std::string lines;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"command = [\"x\"]\ncolour = 1\n", "dir/study.toml:6: [trial] colour: unknown key"},
      {"command = [\"x\", \"{k}\"]\n",
       "dir/study.toml:5: [trial] command: placeholder {k} names no dimension"},
      {"command = [\"x\", 3]\n",
       "dir/study.toml:5: [trial] command: an integer is the wrong type; use a string"},
      {"command = []\n", "dir/study.toml:5: [trial] command: is empty"},
      {"command = \"x {K}\"\n", "dir/study.toml:5: [trial] command: a string is a shell script"},
      {"shell = \"yes\"\ncommand = [\"x\"]\n",
       "dir/study.toml:5: [trial] shell: a string is the wrong type"},
      {"timeout = \"2x\"\ncommand = [\"x\"]\n",
       "dir/study.toml:5: [trial] timeout: duration \"2x\": unit \"x\" is unknown"},
      {"command = [\"x\"]\nworkdir = \"{nope}\"\n",
       "dir/study.toml:6: [trial] workdir: placeholder {nope}"},
      {"command = [\"x\"]\nenv = { A = 1 }\n",
       "dir/study.toml:6: [trial] env.A: an integer is the wrong type"},
      {"command = [\"x\"]\nmetric = { regex = '(' }\n",
       "dir/study.toml:6: [trial] metric.regex: does not compile"},
      {"command = [\"x\"]\nmetric = { regex = 'a**' }\n",
       "dir/study.toml:6: [trial] metric.regex: does not compile (bad repetition operator: **); "
       "use RE2 syntax"},
      {"command = [\"x\"]\nmetric = { regex = '(?<=FID: )(\\S+)' }\n",
       "dir/study.toml:6: [trial] metric.regex: does not compile"},
      {"command = [\"x\"]\nmetric = { regex = 'FID: \\S+' }\n",
       "dir/study.toml:6: [trial] metric.regex: has 0 capture groups; use exactly one"},
      {"command = [\"x\"]\nmetric = { regex = '(FID|KID): (\\S+)' }\n",
       "dir/study.toml:6: [trial] metric.regex: has 2 capture groups; use exactly one"},
      {"command = [\"\", \"train.py\"]\n",
       "dir/study.toml:5: [trial] command: the program (the first word) is empty"},
      {"shell = true\ncommand = \" \"\n", "dir/study.toml:6: [trial] command: the script is empty"},
      {"timeout = \"1d1d\"\ncommand = [\"x\"]\n",
       "dir/study.toml:5: [trial] timeout: duration \"1d1d\": unit \"d\" comes again"},
      {"kill_grace = \"1m1h\"\ncommand = [\"x\"]\n",
       "dir/study.toml:5: [trial] kill_grace: duration \"1m1h\": unit \"h\" comes again or after "
       "a smaller unit; give each unit at most once, in the order d, h, m, s"},
      {"command = [\"x\"]\nmetric = { json = \"m.json\" }\n",
       "dir/study.toml:6: [trial] metric.key: missing"},
      {"command = [\"x\"]\nmetric = { regex = 'a', key = 'b' }\n",
       "dir/study.toml:6: [trial] metric.key: unknown key"},
      {"command = [\"x\"]\nmetric = { reference = \"a\", generated = \"b\", combine = [{ builtin "
       "= \"K\" }, { builtin = \"fid\" }] }\n",
       "dir/study.toml:6: [trial] metric.combine[0].builtin: \"K\" is unknown"},
      {"command = [\"x\"]\nmetric = { reference = \"a\", generated = \"b\", combine = \"fid\" }\n",
       "dir/study.toml:6: [trial] metric.combine: a string is the wrong type"},
      {"command = [\"x\"]\nmetric = { builtin = \"lpips\", reference = \"a\", generated = \"b\" "
       "}\n",
       "dir/study.toml:6: [trial] metric.builtin: \"lpips\" is unknown"},
      {"command = [\"x\"]\nmetric = { builtin = \"fid\", reference = \"a\", generated = \"b\", "
       "dims = 100 }\n",
       "dir/study.toml:6: [trial] metric.dims: use 64, 192, 768 or 2048"},
      {"command = [\"x\"]\nmetric = { builtin = \"alexnet5\", reference = \"a\", generated = "
       "\"b\", weights_for = { vgg = \"v.pth\" } }\n",
       "dir/study.toml:6: [trial] metric.weights_for.vgg: unknown network; name one of alexnet, "
       "inception_v3"},
      {"command = [\"x\"]\nmetric = { builtin = \"alexnet5\", reference = \"a\", generated = "
       "\"b\", weights_for = \"a.pth\" }\n",
       "dir/study.toml:6: [trial] metric.weights_for: a string is the wrong type"},
      {"command = [\"x\"]\nmetric = { file = \"a\" }\n",
       "dir/study.toml:6: [trial] metric: no metric source given"},
      {"workdir = \".\"\n", "dir/study.toml:4: [trial] command: missing"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.lines);
    const auto config = parse_trial_lines(c.lines);
    ASSERT_FALSE(config.is_ok());
    EXPECT_EQ(config.status().code(), base::StatusCode::kInvalidArgument);
    EXPECT_EQ(config.status().message().substr(0, c.expected.size()), c.expected)
        << config.status().message();
  }
}

TEST(TrialConfigTest, RefusesADimensionNamedLikeAPlaceholder) {
  for (const std::string name : {"trial_id", "trial_dir"}) {
    SCOPED_TRACE(name);
    const std::string text = "[space]\nK = { range = [2, 4] }\n" + name +
                             " = { values = [1, 2] }\n[trial]\ncommand = [\"x\", \"{K}\"]\n";
    const auto parsed = testing::parse_study_text(text, "dir/study.toml");
    ASSERT_TRUE(parsed.space.is_ok()) << parsed.space.status().to_string();
    ASSERT_FALSE(parsed.trial.is_ok());
    EXPECT_EQ(parsed.trial.status().code(), base::StatusCode::kInvalidArgument);
    EXPECT_EQ(parsed.trial.status().message(),
              "dir/study.toml:3: [space] " + name + ": the name is reserved for the {" + name +
                  "} placeholder of [trial]; rename the dimension, e.g. \"" + name + "_\"");
  }
}

}  // namespace
}  // namespace qtune::exec
