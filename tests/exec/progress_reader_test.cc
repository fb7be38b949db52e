// exec::ProgressReader on real files written in pieces, as a running trial writes them.
#include <gtest/gtest.h>

#include <fstream>

#include "qtune/exec/progress.h"
#include "qtune/exec/trial_config.h"
#include "support/temp_dir.h"

namespace qtune::exec {
namespace {

using ::qtune::testing::TempDir;

void append(const std::filesystem::path& file, std::string_view text) {
  std::ofstream(file, std::ios::app | std::ios::binary) << text;
}

using Points = std::vector<ProgressPoint>;

TEST(ProgressReader, ReadsOnlyWholeLinesAndGoesOnWhereItStopped) {
  TempDir dir;
  const auto file = dir / "stdout.log";
  ProgressReader reader(RegexProgress{R"(epoch (\d+)/\d+ .*val_loss: (\S+))"}, file);
  EXPECT_TRUE(reader.read().empty());  // not written yet
  append(file, "loading data\nepoch 1/10 - loss: 3.0 - val_loss: 2.5\nepoch 2/10 - val_lo");
  EXPECT_EQ(reader.read(), (Points{{1, 2.5}}));
  // The half-written line is read once it is whole, never as "val_lo".
  append(file, "ss: 2.25\r");
  EXPECT_EQ(reader.read(), (Points{{2, 2.25}}));
  EXPECT_TRUE(reader.read().empty());
  append(file, "epoch 3/10 - val_loss: 2.0\nepoch 4/10 - val_loss: 1.75\n");
  EXPECT_EQ(reader.read(), (Points{{3, 2.0}, {4, 1.75}}));
  EXPECT_EQ(reader.counts().points, 4u);
  EXPECT_EQ(reader.counts().ignored(), 0u);
}

TEST(ProgressReader, NonFiniteBackwardsAndUnparsableValuesAreCountedNotReturned) {
  TempDir dir;
  const auto file = dir / "stdout.log";
  ProgressReader reader(RegexProgress{R"(step (\S+) value (\S+))"}, file);
  append(file,
         "step 1 value 5\n"
         "step 2 value nan\n"  // not finite
         "step 3 value inf\n"  // not finite
         "step 4 value 4.5\n"
         "step 2 value 1.0\n"    // backwards
         "step 4 value 1.0\n"    // repeated
         "step 5.5 value 1.0\n"  // not an integer step
         "step 6 value fast\n"   // not a number
         "step 7 value 4.0\n");
  EXPECT_EQ(reader.read(), (Points{{1, 5}, {4, 4.5}, {7, 4.0}}));
  EXPECT_EQ(reader.counts().not_finite, 2u);
  EXPECT_EQ(reader.counts().backwards, 2u);
  EXPECT_EQ(reader.counts().unparsable, 2u);
  EXPECT_EQ(reader.counts().ignored(), 6u);
}

TEST(ProgressReader, AFileThatShrankIsReadFromItsStartAgain) {
  TempDir dir;
  const auto file = dir / "stdout.log";
  ProgressReader reader(RegexProgress{R"(e(\d+) (\S+))"}, file);
  append(file, "e1 9\ne2 8\ne3 7\n");
  EXPECT_EQ(reader.read().size(), 3u);
  std::ofstream(file, std::ios::trunc) << "e1 6\ne4 5\n";
  EXPECT_EQ(reader.read(), (Points{{4, 5}}));  // e1 does not follow e3
  EXPECT_EQ(reader.counts().backwards, 1u);
}

TEST(ProgressReader, ALineOverTheLimitIsSkippedAndTheNextOneRead) {
  TempDir dir;
  const auto file = dir / "stdout.log";
  ProgressReader reader(RegexProgress{R"(e(\d+) (\S+))"}, file);
  append(file, "e1 1 " + std::string(kProgressMaxLineBytes + 10, 'x'));
  EXPECT_TRUE(reader.read().empty());
  append(file, "e2 2 tail of the long line\ne3 3\n");
  EXPECT_EQ(reader.read(), (Points{{3, 3}}));
  EXPECT_EQ(reader.counts().long_lines, 1u);
}

TEST(ProgressReader, JsonLinesWithTheirOwnKeys) {
  TempDir dir;
  const auto file = dir / "progress.jsonl";
  JsonLinesProgress source;
  source.step = "epoch";
  source.value = "fid";
  ProgressReader reader(source, file);
  append(file,
         "{\"epoch\": 1, \"fid\": 80.5}\n"
         "{\"epoch\": 2, \"fid\": NaN}\n"   // Python's json.dumps of a NaN
         "{\"epoch\": 3, \"loss\": 1.0}\n"  // no such key
         "[1, 2]\n"                         // not an object
         "\n"
         "{\"epoch\": 4, \"fid\": 70.25}\n"
         "{\"epoch\": 5, \"fid\": 6");  // still being written
  EXPECT_EQ(reader.read(), (Points{{1, 80.5}, {4, 70.25}}));
  EXPECT_EQ(reader.counts().not_finite, 1u);
  EXPECT_EQ(reader.counts().unparsable, 2u);
}

TEST(ProgressFile, IsStdoutForARegexAndTheExpandedPathForJsonLines) {
  TrialConfig config;
  config.base_dir = "/work/study";
  TrialSpec spec;
  spec.dir = "/work/study/s.trials/3";
  spec.number = 3;
  spec.params = {{"K", "4"}};
  config.progress = RegexProgress{R"(e(\d+) (\S+))"};
  EXPECT_EQ(progress_file(config, spec), spec.dir / "stdout.log");
  JsonLinesProgress jsonl;
  auto path = Template::parse("out_{K}/progress.jsonl", {"K"});
  ASSERT_TRUE(path.is_ok()) << path.status().to_string();
  jsonl.path = *path;
  config.progress = jsonl;
  EXPECT_EQ(progress_file(config, spec), "/work/study/out_4/progress.jsonl");
}

TEST(CheckProgressRegex, NeedsTwoGroupsThatCompile) {
  EXPECT_TRUE(check_progress_regex(R"(epoch (\d+).*loss: (\S+))").is_ok());
  const base::Status one = check_progress_regex(R"(loss: (\S+))");
  EXPECT_EQ(one.code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(one.message().find("has 1 capture groups; use exactly two"), std::string::npos);
  EXPECT_EQ(check_progress_regex("(a(").code(), base::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace qtune::exec
