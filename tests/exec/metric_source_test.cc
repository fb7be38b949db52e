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
      {"123.4", FailureReason::kNone, 123.4},
      {" 1e-3\n", FailureReason::kNone, 1e-3},
      {"-2", FailureReason::kNone, -2.0},
      {"nan", FailureReason::kNotFinite, 0},
      {"NaN", FailureReason::kNotFinite, 0},
      {"inf", FailureReason::kNotFinite, 0},
      {"-inf", FailureReason::kNotFinite, 0},
      {"1e999", FailureReason::kNotFinite, 0},
      {"12abc", FailureReason::kNoMetric, 0},
      {"", FailureReason::kNoMetric, 0},
      {"tensor(3.0)", FailureReason::kNoMetric, 0},
      {"1e400", FailureReason::kNotFinite, 0},
      {"-1e400", FailureReason::kNotFinite, 0},
      {"1e-400", FailureReason::kNone, 0},
      {"-inf", FailureReason::kNotFinite, 0},
      {"12.5abc", FailureReason::kNoMetric, 0},
      {std::string(100'000, '9'), FailureReason::kNotFinite, 0},
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
  // Several matches on one line: the last; a line rewritten with '\r' (a progress bar).
  const TrialFiles line{dir.write("line.log", "12.5 and 13.25\nx\n"), dir.path(), {}};
  EXPECT_DOUBLE_EQ(read_metric(RegexMetric{R"((\d+\.\d+))"}, line, {}).value, 13.25);
  const TrialFiles bar{dir.write("bar.log", "fid=9.0\rfid=8.5\rfid=8.25 done\r\n"), dir.path(), {}};
  EXPECT_DOUBLE_EQ(read_metric(RegexMetric{R"(fid=(\S+))"}, bar, {}).value, 8.25);
  // "\r\n" line ends (Windows) leave no empty line behind for a regex that matches "".
  const TrialFiles crlf{dir.write("crlf.log", "4.5\r\n\r\n"), dir.path(), {}};
  EXPECT_DOUBLE_EQ(read_metric(RegexMetric{R"(^([\d.]*)$)"}, crlf, {}).value, 4.5);
}

TEST(MetricSourceTest, ALongTokenIsNoMetricWithAShortExcerpt) {
  // std::regex recursed once per character here and crashed qtune (SIGSEGV).
  const TempDir dir;
  const TrialFiles files{
      dir.write("stdout.log", "FID: " + std::string(100'000, 'x') + "\n"), dir.path(), {}};
  const MetricReading reading = read_metric(RegexMetric{R"(FID:\s*(\S+))"}, files, {});
  EXPECT_EQ(reading.reason, FailureReason::kNoMetric);
  EXPECT_LT(reading.message.size(), 200u) << reading.message;
  EXPECT_NE(
      reading.message.find("\"" + std::string(80, 'x') + "... (100000 bytes)\" is not a number"),
      std::string::npos)
      << reading.message;
  const MetricReading garbage = parse_metric_text("12.5abc");
  EXPECT_EQ(garbage.message, "\"12.5abc\" is not a number");
}

TEST(MetricSourceTest, CatastrophicPatternsRunInLinearTime) {
  const TempDir dir;
  // (a|aa)*b backtracks exponentially; (a+)+$ recursed per character in std::regex.
  const TrialFiles redos{dir.write("a.log", std::string(40, 'a') + "!\n"), dir.path(), {}};
  EXPECT_EQ(read_metric(RegexMetric{"(a|aa)*b"}, redos, {}).reason, FailureReason::kNoMetric);
  const TrialFiles long_line{dir.write("b.log", std::string(200'000, 'a') + "\n"), dir.path(), {}};
  const MetricReading reading = read_metric(RegexMetric{"(a+)+$"}, long_line, {});
  EXPECT_EQ(reading.reason, FailureReason::kNoMetric);
  EXPECT_LT(reading.message.size(), 300u);
  // Each match searches the rest of its line again: more than kMaxMatchesPerLine on one line
  // is refused rather than searched on.
  std::string many;
  for (std::size_t i = 0; i <= kMaxMatchesPerLine; ++i) many += "FID: 1 ";
  const TrialFiles crowded{dir.write("c.log", many + "\n"), dir.path(), {}};
  const MetricReading refused = read_metric(RegexMetric{R"(FID:\s*(\S+))"}, crowded, {});
  EXPECT_EQ(refused.reason, FailureReason::kNoMetric);
  EXPECT_NE(refused.message.find("more than 1000 matches"), std::string::npos) << refused.message;
}

TEST(MetricSourceTest, ReadsOnlyTheTailOfStdout) {
  const TempDir dir;
  const std::string filler = std::string(99, '.') + "\n";  // 100 bytes a line
  std::string before;                                      // more than the tail
  for (std::size_t i = 0; i < kStdoutTailBytes / filler.size() + 10; ++i) before += filler;
  const RegexMetric fid{R"(FID:\s*(\S+))"};
  // A match before the last kStdoutTailBytes is not found.
  const TrialFiles beyond{dir.write("beyond.log", "FID: 1.5\n" + before), dir.path(), {}};
  const MetricReading missed = read_metric(fid, beyond, {});
  EXPECT_EQ(missed.reason, FailureReason::kNoMetric);
  EXPECT_NE(missed.message.find("in its last 1048576 bytes"), std::string::npos) << missed.message;
  // The last match in the tail wins over earlier ones, in or before the tail.
  const TrialFiles last{
      dir.write("last.log", "FID: 1\n" + before + "FID: 2\n" + filler + "FID: 3.5\n" + filler),
      dir.path(),
      {}};
  const MetricReading reading = read_metric(fid, last, {});
  ASSERT_EQ(reading.reason, FailureReason::kNone) << reading.message;
  EXPECT_DOUBLE_EQ(reading.value, 3.5);
  // A line cut by the tail's start is not searched: its beginning is unknown.
  const std::string cut_line = "FID: 7 " + std::string(kStdoutTailBytes, 'y') + "\n";
  const TrialFiles cut{dir.write("cut.log", cut_line), dir.path(), {}};
  EXPECT_EQ(read_metric(fid, cut, {}).reason, FailureReason::kNoMetric);
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
  dir.write("t7/long.json", "{\"fid\": \"" + std::string(100'000, 'z') + "\" ");
  const MetricReading long_string = read("t7/long.json", "fid");
  EXPECT_EQ(long_string.reason, FailureReason::kNoMetric);
  EXPECT_LT(long_string.message.size(), 500u) << long_string.message;
}

TEST(MetricSourceTest, JsonTooLargeOrTooDeepIsNoMetric) {
  const TempDir dir;
  const TrialFiles files{dir / "stdout.log", dir.path(), {}};
  const auto read = [&](std::string_view path) {
    return read_metric(JsonMetric{templ(path), "fid"}, files, {});
  };
  // Valid JSON, but larger than kJsonMetricMaxBytes: refused unread.
  dir.write("big.json",
            "{\"fid\": 1.5, \"pad\": \"" + std::string(kJsonMetricMaxBytes, 'p') + "\"}");
  const MetricReading big = read("big.json");
  EXPECT_EQ(big.reason, FailureReason::kNoMetric);
  EXPECT_NE(big.message.find("over the 16 MiB limit for a JSON metric file"), std::string::npos)
      << big.message;
  dir.write("deep.json", std::string(100'000, '[') + std::string(100'000, ']'));
  const MetricReading deep = read("deep.json");
  EXPECT_EQ(deep.reason, FailureReason::kNoMetric);
  EXPECT_NE(deep.message.find("nested deeper than"), std::string::npos) << deep.message;
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

TEST(MetricSourceTest, CombinedReadsEveryComponentOrFailsNamingTheFirstThatFails) {
  const TempDir dir;
  CombinedMetric combined;
  for (const auto& [kind, weight] :
       {std::pair{BuiltinMetricKind::kMse, 1.0}, std::pair{BuiltinMetricKind::kPixcorr, 2.0}}) {
    BuiltinMetric metric;
    metric.kind = kind;
    metric.reference = templ("{K}/stim");
    metric.generated = templ("{K}/rec");
    combined.components.push_back({metric, weight});
  }
  const TrialFiles files{dir / "stdout.log", dir.path(), {{"K", "4"}}};
  const BuiltinMetricFunction fn = [](const BuiltinMetric& m, const std::filesystem::path&,
                                      const std::filesystem::path&) -> base::Result<double> {
    return m.kind == BuiltinMetricKind::kMse ? 1600.0 : 0.25;
  };
  const MetricReading reading = read_metric(combined, files, fn);
  ASSERT_EQ(reading.reason, FailureReason::kNone) << reading.message;
  EXPECT_EQ(reading.components, (std::vector<MetricComponent>{{"mse", 1600.0, 1.0, false},
                                                              {"pixcorr", 0.25, 2.0, true}}));
  const BuiltinMetricFunction failing = [](const BuiltinMetric& m, const std::filesystem::path&,
                                           const std::filesystem::path&) -> base::Result<double> {
    if (m.kind == BuiltinMetricKind::kPixcorr)
      return base::Status::invalid_argument("a constant image");
    return 1.0;
  };
  const MetricReading failed = read_metric(combined, files, failing);
  EXPECT_EQ(failed.reason, FailureReason::kNoMetric);
  EXPECT_EQ(failed.message, "combine: built-in metric \"pixcorr\": a constant image");
  EXPECT_TRUE(failed.components.empty());
}

}  // namespace
}  // namespace qtune::exec
