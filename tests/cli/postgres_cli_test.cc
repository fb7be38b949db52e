// qtune run / status / best on PostgreSQL storage, end to end: real qtune processes, the
// project's test server, a study in a schema of its own.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/postgres_server.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace qtune::testing {
namespace {

TEST(PostgresCli, RunThenStatusAndBestReadTheStudyBack) {
  TempDir dir;
  PostgresSchema schema;
  dir.write("train.sh", "echo \"FID: $(( ($1-3)*($1-3) + 1 ))\"\n");
  const auto study = dir.write("study.toml", R"([study]
name = "pg"
seed = 2
[space]
x = { range = [0, 6] }
[strategy]
kind = "grid"
[budget]
trials = 7
parallel = 2
[trial]
command = ["sh", "train.sh", "{x}"]
)");
  const std::string url = schema.url();
  const ProcessResult run =
      run_process({qtune_cli(), "run", study.string(), "--storage", url}, dir.path());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("best value: 1 "), std::string::npos) << run.out;
  EXPECT_FALSE(std::filesystem::exists(dir / "pg.db"));  // nothing went to SQLite

  const ProcessResult status =
      run_process({qtune_cli(), "status", "--storage", url, "--study", "pg"}, dir.path());
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("7 trials: 7 complete, 0 failed"), std::string::npos) << status.out;

  const ProcessResult best = run_process(
      {qtune_cli(), "best", study.string(), "--storage", url, "--format", "json"}, dir.path());
  ASSERT_EQ(best.exit_code, 0) << best.err;
  const nlohmann::json parsed = nlohmann::json::parse(best.out);
  EXPECT_EQ(parsed["params"], nlohmann::json({{"x", 3}}));
  EXPECT_EQ(parsed["value"], 1.0);

  // The same command again: the study is complete, nothing more runs.
  const ProcessResult again =
      run_process({qtune_cli(), "run", study.string(), "--storage", url}, dir.path());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const ProcessResult after =
      run_process({qtune_cli(), "status", "--storage", url, "--study", "pg"}, dir.path());
  EXPECT_NE(after.out.find("7 trials: 7 complete"), std::string::npos) << after.out;
}

}  // namespace
}  // namespace qtune::testing
