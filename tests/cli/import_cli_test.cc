// The user's situation end to end: a headerless FID_Results.csv from an earlier grid,
// `qtune import`, `qtune run` with a budget, `qtune best`, and `qtune replay` on the same
// headerless file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "cli/run_cli_util.h"
#include "support/temp_dir.h"

namespace qtune::testing {
namespace {

using nlohmann::json;

constexpr std::string_view kKey = "{K}_{intermediate_dim}_{batch_size}_{maxiter}";

// The "training": a known FID surface, also recorded in ran.txt (one key per run).
int fid(int k, int dim, int batch, int maxiter) {
  return (k - 7) * (k - 7) * 10 + (dim == 128 ? 0 : 5) + (batch == 32 ? 0 : 3) +
         (maxiter == 60 ? 0 : 2) + 1;
}

class ImportCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("train.sh",
               "echo \"$1_$2_$3_$4\" >> ran.txt\n"
               "d=5; [ \"$2\" = 128 ] && d=0\n"
               "b=3; [ \"$3\" = 32 ] && b=0\n"
               "m=2; [ \"$4\" = 60 ] && m=0\n"
               "echo \"FID: $(( ($1-7)*($1-7)*10 + d + b + m + 1 ))\"\n");
    study_ = dir_.write("study.toml", R"([study]
name = "dgmm"
[space]
K = { range = [2, 10] }
intermediate_dim = { values = [64, 128, 256] }
batch_size = { values = [16, 32, 64] }
maxiter = { values = [20, 40, 60] }
[budget]
trials = 12
[trial]
command = ["sh", "train.sh", "{K}", "{intermediate_dim}", "{batch_size}", "{maxiter}"]
)");
    // The earlier grid: the first 150 of the 243 configurations, K-major.
    std::ostringstream fid_results;
    int listed = 0;
    for (int k = 2; k <= 10 && listed < 150; ++k) {
      for (int dim : {64, 128, 256}) {
        for (int batch : {16, 32, 64}) {
          for (int maxiter : {20, 40, 60}) {
            if (listed == 150) continue;
            const std::string key = fmt_key(k, dim, batch, maxiter);
            fid_results << key << "," << fid(k, dim, batch, maxiter) << ".0\n";
            imported_keys_.insert(key);
            ++listed;
          }
        }
      }
    }
    fid_results_ = dir_.write("FID_Results.csv", fid_results.str());
  }
  static std::string fmt_key(int k, int dim, int batch, int maxiter) {
    return std::to_string(k) + "_" + std::to_string(dim) + "_" + std::to_string(batch) + "_" +
           std::to_string(maxiter);
  }
  ProcessResult qtune(std::vector<std::string> args) {
    args.insert(args.begin(), qtune_cli());
    return run_process(args, dir_.path());
  }
  json status_json() {
    const ProcessResult status = qtune({"status", study_.string(), "--format", "json"});
    EXPECT_EQ(status.exit_code, 0) << status.err;
    return status.exit_code == 0 ? json::parse(status.out) : json();
  }

  TempDir dir_;
  std::filesystem::path study_;
  std::filesystem::path fid_results_;
  std::set<std::string> imported_keys_;
};

TEST_F(ImportCliTest, ImportedGridSeedsTheRunWhichSpendsItsBudgetOnNewConfigurationsOnly) {
  // A second file: a configuration outside the [space] (K=12) and a repeated measurement.
  const auto more = dir_.write("more.csv", "12_128_32_40,99.5\n2_64_16_20," +
                                               std::to_string(fid(2, 64, 16, 20) + 2) + ".0\n");
  const ProcessResult imported = qtune({"import", study_.string(), fid_results_.string(),
                                        more.string(), "--key", std::string(kKey)});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_NE(imported.out.find("imported 151 results"), std::string::npos) << imported.out;
  EXPECT_NE(imported.err.find("more.csv:1: K is 12, not a value of the [space]"), std::string::npos)
      << imported.err;
  json status = status_json();
  EXPECT_EQ(status["counts"]["IMPORTED"], 151);
  EXPECT_EQ(status["counts"]["COMPLETE"], 0);  // none run

  // Idempotent: the same files again add nothing.
  const ProcessResult again = qtune({"import", study_.string(), fid_results_.string(),
                                     more.string(), "--key", std::string(kKey)});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("imported 0 results"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("151 imported before"), std::string::npos) << again.out;

  // --strict refuses the whole input, and nothing is written.
  const ProcessResult strict =
      qtune({"import", study_.string(), more.string(), "--key", std::string(kKey), "--strict"});
  EXPECT_EQ(strict.exit_code, 2) << strict.err;
  EXPECT_NE(strict.err.find("more.csv:1:"), std::string::npos) << strict.err;
  // A malformed line is an error naming file:line, and nothing of the file is written.
  const auto bad = dir_.write("bad.csv", "3_64_16_20,1.0\n3_64_16,2.0\n");
  const ProcessResult malformed =
      qtune({"import", study_.string(), bad.string(), "--key", std::string(kKey)});
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_NE(malformed.err.find("bad.csv:2:"), std::string::npos) << malformed.err;
  EXPECT_EQ(status_json()["counts"]["IMPORTED"], 151);

  // The run: 12 new configurations, none of them imported.
  const ProcessResult run = qtune({"run", study_.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("151 imported results (qtune import) seed the strategy"),
            std::string::npos)
      << run.err;
  const std::vector<std::string> ran = lines_of(dir_ / "ran.txt");
  EXPECT_EQ(ran.size(), 12u);
  std::set<std::string> distinct;
  for (const std::string& key : ran) {
    EXPECT_FALSE(imported_keys_.contains(key)) << key << " was imported and ran again";
    distinct.insert(key);
  }
  EXPECT_EQ(distinct.size(), 12u);
  status = status_json();
  EXPECT_EQ(status["counts"]["IMPORTED"], 151);
  EXPECT_EQ(status["counts"]["COMPLETE"], 12);

  // best compares imported and new: the best mean over every configuration measured.
  std::map<std::string, std::pair<double, int>> sums;
  const json trials = exported_trials(study_);
  for (const json& t : trials) {
    if (t["state"] != "COMPLETE") continue;
    auto& [sum, n] = sums[t["params"].dump()];
    sum += t["value"].get<double>();
    ++n;
  }
  double expected = 1e300;
  for (const auto& [params, m] : sums) expected = std::min(expected, m.first / m.second);
  const ProcessResult best = qtune({"best", study_.string(), "--format", "json"});
  ASSERT_EQ(best.exit_code, 0) << best.err;
  EXPECT_DOUBLE_EQ(json::parse(best.out)["value"].get<double>(), expected);
  // Every imported trial keeps its source (file:line).
  std::size_t with_source = 0;
  for (const json& t : trials) {
    if (!t["source"].get<std::string>().empty()) ++with_source;
  }
  EXPECT_EQ(with_source, 151u);
  const ProcessResult table = qtune({"status", study_.string()});
  EXPECT_NE(table.out.find("12 trials: 12 complete, 0 failed, 0 running, 0 interrupted; 151 "
                           "imported"),
            std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("FID_Results.csv:1]"), std::string::npos);

  // The best trial's command, ready to paste: the imported optimum (7, 128, 32, 60).
  const ProcessResult command = qtune({"best", study_.string(), "--command"});
  ASSERT_EQ(command.exit_code, 0) << command.err;
  EXPECT_EQ(command.out, "cd " + dir_.path().string() + " && sh train.sh 7 128 32 60\n");
  const ProcessResult pasted = run_process({"sh", "-c", command.out});
  EXPECT_EQ(pasted.out, "FID: 1\n");
}

TEST_F(ImportCliTest, ExportsTypeParametersAndWriteIsoTimes) {
  const auto file = dir_.write("r.csv", "6_128_32_60,10.5\n");
  ASSERT_EQ(qtune({"import", study_.string(), file.string(), "--key", std::string(kKey)}).exit_code,
            0);
  const json trials = exported_trials(study_);
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0]["params"],
            json({{"K", 6}, {"intermediate_dim", 128}, {"batch_size", 32}, {"maxiter", 60}}));
  const std::string started = trials[0]["started_at"].get<std::string>();
  EXPECT_EQ(started.size(), 24u) << started;  // 2026-05-01T12:00:00.250Z
  EXPECT_EQ(started[10], 'T');
  EXPECT_EQ(started.back(), 'Z');
  const ProcessResult csv = qtune({"export", study_.string()});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_NE(csv.out.find(",import,0," + (dir_.path() / "r.csv").string() + ":1\n"),
            std::string::npos)
      << csv.out;
  const ProcessResult walk =
      qtune({"export", study_.string(), "--what", "greedy-walk", "--format", "json"});
  ASSERT_EQ(walk.exit_code, 0) << walk.err;
  EXPECT_NE(json::parse(walk.out)["what"].get<std::string>().find("not a recommendation"),
            std::string::npos);
}

TEST_F(ImportCliTest, RepeatedMeasurementsOfAConfigurationAreAveragedByBest) {
  const auto file = dir_.write("r.csv", "6_128_32_60,10.0\n6_128_32_60,20.0\n7_64_16_20,14.0\n");
  ASSERT_EQ(qtune({"import", study_.string(), file.string(), "--key", std::string(kKey)}).exit_code,
            0);
  const ProcessResult best = qtune({"best", study_.string(), "--format", "json"});
  ASSERT_EQ(best.exit_code, 0) << best.err;
  const json parsed = json::parse(best.out);
  EXPECT_DOUBLE_EQ(parsed["value"].get<double>(), 14.0);  // 7_64_16_20, not 6_128_32_60 (15)
}

TEST_F(ImportCliTest, HeaderCsvAndJsonExportImportToo) {
  const auto csv = dir_.write("h.csv",
                              "K,intermediate_dim,batch_size,maxiter,fid\n"
                              "3,64,16,20,100\n4,128,32,40,50.5\n");
  const ProcessResult a = qtune({"import", study_.string(), csv.string()});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_NE(a.out.find("imported 2 results"), std::string::npos) << a.out;
  const auto exported = dir_.write(
      "e.json",
      json::array({{{"number", 0},
                    {"state", "COMPLETE"},
                    {"params",
                     {{"K", 5}, {"intermediate_dim", "256"}, {"batch_size", 64}, {"maxiter", 60}}},
                    {"value", 7.25}}})
          .dump());
  const ProcessResult b = qtune({"import", study_.string(), exported.string()});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_NE(b.out.find("imported 1 result "), std::string::npos) << b.out;
  EXPECT_EQ(status_json()["counts"]["IMPORTED"], 3);
}

TEST_F(ImportCliTest, ReplayReadsTheHeaderlessFileAndStatesItsCoverage) {
  const ProcessResult replay =
      qtune({"replay", fid_results_.string(), "--key", std::string(kKey), "--config",
             study_.string(), "--budget", "10", "--seeds", "3"});
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_NE(replay.out.find("150 of 243 configurations; 93 missing"), std::string::npos)
      << replay.out;
  EXPECT_NE(replay.err.find("warning"), std::string::npos) << replay.err;
  EXPECT_NE(replay.err.find("regret is scored on the covered configurations only"),
            std::string::npos)
      << replay.err;

  const ProcessResult as_json =
      qtune({"replay", fid_results_.string(), "--key", std::string(kKey), "--config",
             study_.string(), "--budget", "10", "--seeds", "3", "--format", "json"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const json out = json::parse(as_json.out);
  EXPECT_EQ(out["coverage"]["listed"], 150);
  EXPECT_EQ(out["coverage"]["missing"], 93);
  // K = 2..6 are 135 lines, then 15 of K = 7, the best (7, 128, 32, 60) among them.
  EXPECT_EQ(out["table_best"], 1.0 * fid(7, 128, 32, 60));
}

}  // namespace
}  // namespace qtune::testing
