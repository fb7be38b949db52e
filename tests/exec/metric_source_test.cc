#include "exec/metric_source.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace qtune::exec {
namespace {

using qtune::testing::TempDir;

Template templ(std::string_view text) { return Template::parse(text, {"K", "trial_dir"}).value(); }

TEST(MetricSourceTest, ParseMetricText) {
  struct Case {
    std::string text;
    FailureReason reason;
    double value;
  };
  const std::vector<Case> cases = {
      {"123.4", FailureReason::kNone, 123.4},       {" 1e-3\n", FailureReason::kNone, 1e-3},
      {"-2", FailureReason::kNone, -2.0},           {"nan", FailureReason::kNotFinite, 0},
      {"NaN", FailureReason::kNotFinite, 0},        {"inf", FailureReason::kNotFinite, 0},
      {"-inf", FailureReason::kNotFinite, 0},       {"1e999", FailureReason::kNotFinite, 0},
      {"12abc", FailureReason::kNoMetric, 0},       {"", FailureReason::kNoMetric, 0},
      {"tensor(3.0)", FailureReason::kNoMetric, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    const MetricReading reading = parse_metric_text(c.text);
    EXPECT_EQ(reading.reason, c.reason) << reading.message;
    if (c.reason == FailureReason::kNone) {
      EXPECT_DOUBLE_EQ(reading.value, c.value);
    }
  }
}

TEST(MetricSourceTest, RegexTakesTheLastMatchAndItsGroup) {
  const TempDir dir;
  const TrialFiles files{
      dir.write("stdout.log", "FID: 9.5\nepoch 2\nFID:  7.25 (final)\ntrailing\n"), dir.path(), {}};
  const MetricReading reading = read_metric(RegexMetric{R"(FID:\s*(\S+))"}, files, {});
  ASSERT_EQ(reading.reason, FailureReason::kNone) << reading.message;
  EXPECT_DOUBLE_EQ(reading.value, 7.25);
  // No capture group: the whole match.
  const MetricReading whole = read_metric(RegexMetric{R"(\d+\.\d+)"}, files, {});
  EXPECT_DOUBLE_EQ(whole.value, 7.25);
}

TEST(MetricSourceTest, RegexFailures) {
  const TempDir dir;
  const TrialFiles none{dir.write("a.log", "loss 3\n"), dir.path(), {}};
  EXPECT_EQ(read_metric(RegexMetric{R"(FID:\s*(\S+))"}, none, {}).reason, FailureReason::kNoMetric);
  const TrialFiles nan{dir.write("b.log", "FID: nan\n"), dir.path(), {}};
  EXPECT_EQ(read_metric(RegexMetric{R"(FID:\s*(\S+))"}, nan, {}).reason, FailureReason::kNotFinite);
  const TrialFiles text{dir.write("c.log", "FID: n/a\n"), dir.path(), {}};
  const MetricReading reading = read_metric(RegexMetric{R"(FID:\s*(\S+))"}, text, {});
  EXPECT_EQ(reading.reason, FailureReason::kNoMetric);
  EXPECT_NE(reading.message.find("\"n/a\" is not a number"), std::string::npos) << reading.message;
  const TrialFiles missing{dir / "none.log", dir.path(), {}};
  EXPECT_EQ(read_metric(RegexMetric{"x"}, missing, {}).reason, FailureReason::kNoMetric);
}

TEST(MetricSourceTest, JsonKeyPointerAndFailures) {
  const TempDir dir;
  dir.write("t7/metrics.json", R"({"fid": 12.5, "val": {"mse": "0.25"}, "name": "x"})");
  const TrialFiles files{dir / "stdout.log", dir.path(), {{"trial_dir", (dir / "t7").string()}}};
  const auto read = [&](std::string_view path, std::string key) {
    return read_metric(JsonMetric{templ(path), std::move(key)}, files, {});
  };
  EXPECT_DOUBLE_EQ(read("{trial_dir}/metrics.json", "fid").value, 12.5);
  EXPECT_DOUBLE_EQ(read("t7/metrics.json", "/val/mse").value, 0.25);  // relative to the workdir
  EXPECT_EQ(read("t7/metrics.json", "name").reason, FailureReason::kNoMetric);
  EXPECT_EQ(read("t7/metrics.json", "kid").reason, FailureReason::kNoMetric);
  EXPECT_EQ(read("t7/none.json", "fid").reason, FailureReason::kNoMetric);
  dir.write("t7/nan.json", "{\"fid\": NaN}");  // what Python's json.dump writes
  EXPECT_EQ(read("t7/nan.json", "fid").reason, FailureReason::kNotFinite);
  dir.write("t7/bad.json", "{\"fid\": ");
  EXPECT_EQ(read("t7/bad.json", "fid").reason, FailureReason::kNoMetric);
}

TEST(MetricSourceTest, BuiltinGetsResolvedFoldersFromTheFunction) {
  const TempDir dir;
  BuiltinMetric metric;
  metric.reference = templ("{K}/stim");
  metric.generated = templ("/abs/{K}/rec");
  const TrialFiles files{dir / "stdout.log", dir.path(), {{"K", "4"}}};
  std::filesystem::path seen_reference, seen_generated;
  const BuiltinMetricFunction fn = [&](const BuiltinMetric&, const std::filesystem::path& r,
                                       const std::filesystem::path& g) -> base::Result<double> {
    seen_reference = r;
    seen_generated = g;
    return 3.5;
  };
  const MetricReading reading = read_metric(metric, files, fn);
  EXPECT_DOUBLE_EQ(reading.value, 3.5);
  EXPECT_EQ(seen_reference, dir / "4/stim");
  EXPECT_EQ(seen_generated, std::filesystem::path("/abs/4/rec"));
  EXPECT_EQ(read_metric(metric, files, {}).reason, FailureReason::kNoMetric);
}

}  // namespace
}  // namespace qtune::exec
