// Parsing whole study files: defaults, storage resolution, [budget], and every error naming
// file:line and the key (table-driven).
#include "qtune/study/study_config.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "qtune/metrics/evaluation_table.h"
#include "qtune/study/results.h"
#include "support/temp_dir.h"

namespace qtune::study {
namespace {

const std::string kSpace =
    "[space]\nK = { range = [2, 4] }\nact = { values = [\"relu\", \"elu\"] }\n";

TEST(StudyConfig, Defaults) {
  auto config = parse_study_config(kSpace, "/studies/dgmm.toml");
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  EXPECT_EQ(config->name, "dgmm");
  EXPECT_EQ(config->storage.url(), "sqlite:///studies/dgmm.db");
  EXPECT_EQ(config->direction, store::Direction::kMinimize);
  EXPECT_EQ(config->seed, 0u);
  EXPECT_EQ(config->space.size(), 6u);
  EXPECT_EQ(config->strategy.kind, agent::StrategyKind::kQLearning);
  EXPECT_FALSE(config->budget.trials.has_value());
  EXPECT_EQ(config->budget.parallel, 1u);
  EXPECT_TRUE(config->budget.gpus.empty());
  EXPECT_FALSE(config->budget.max_time.has_value());
  EXPECT_FALSE(config->trial.has_value());
}

TEST(StudyConfig, EveryKey) {
  const std::string text =
      "[study]\nname = \"fmri\"\nstorage = \"sqlite://runs/fmri.db\"\ndirection = \"maximize\"\n"
      "seed = 1234\n" +
      kSpace +
      "[strategy]\nkind = \"random\"\n"
      "[budget]\ntrials = 40\nparallel = 2\ngpus = [1, 3]\nmax_time = \"1h30m\"\n"
      "[trial]\ncommand = [\"python3\", \"train.py\", \"{K}\", \"{act}\"]\n";
  auto config = parse_study_config(text, "/studies/s.toml");
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  EXPECT_EQ(config->name, "fmri");
  EXPECT_EQ(config->storage.url(), "sqlite:///studies/runs/fmri.db");  // relative to the study file
  EXPECT_EQ(config->direction, store::Direction::kMaximize);
  EXPECT_EQ(config->seed, 1234u);
  EXPECT_EQ(config->strategy.kind, agent::StrategyKind::kRandom);
  EXPECT_EQ(config->budget.trials, 40u);
  EXPECT_EQ(config->budget.parallel, 2u);
  EXPECT_EQ(config->budget.gpus, (std::vector<int>{1, 3}));
  EXPECT_EQ(config->budget.max_time, std::chrono::minutes(90));
  ASSERT_TRUE(config->trial.has_value());
  EXPECT_EQ(config->trial->command.size(), 4u);
}

TEST(StudyConfig, StorageForms) {
  struct Case {
    std::string storage;
    std::string expected;
  };
  const Case cases[] = {
      {"sqlite:///abs/x.db", "sqlite:///abs/x.db"},     {"sqlite://x.db", "sqlite:///s/x.db"},
      {"sqlite://../y/x.db", "sqlite:///y/x.db"},       {"sqlite://:memory:", "sqlite://:memory:"},
      {"postgresql://host/db", "postgresql://host/db"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.storage);
    auto config =
        parse_study_config("[study]\nstorage = \"" + c.storage + "\"\n" + kSpace, "/s/study.toml");
    ASSERT_TRUE(config.is_ok()) << config.status().to_string();
    EXPECT_EQ(config->storage.url(), c.expected);
  }
}

TEST(StudyConfig, GpusAsACount) {
  auto config = parse_study_config(kSpace + "[budget]\ngpus = 3\n", "/s/study.toml");
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  EXPECT_EQ(config->budget.gpus, (std::vector<int>{0, 1, 2}));
}

TEST(StudyConfig, StrategyTextIsCanonical) {
  auto a =
      parse_study_config(kSpace + "[strategy]\nkind = \"q-learning\"\nalpha = 0.5\n", "/s/a.toml");
  auto b = parse_study_config(
      kSpace + "[strategy]\n# same options\nalpha = 0.5\nkind = 'q-learning'\n", "/s/a.toml");
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_EQ(a->strategy_text, b->strategy_text);
  auto c =
      parse_study_config(kSpace + "[strategy]\nkind = \"q-learning\"\nalpha = 0.25\n", "/s/a.toml");
  ASSERT_TRUE(c.is_ok());
  EXPECT_NE(a->strategy_text, c->strategy_text);
}

// A built-in metric's direction is the study's default: every evaluation-table metric is
// accepted by its name in metrics/evaluation_table.h, with the table's direction (a distance
// is minimised, a 2-way score or a correlation maximised) and weights_for naming any network
// the table reads; a contrary [study] direction is refused, naming the line.
TEST(StudyConfig, BuiltinMetricsSetTheirOwnDirection) {
  std::string networks;
  for (const std::string_view n : metrics::table_weight_names()) {
    networks += fmt::format("{}{} = \"{}.pth\"", networks.empty() ? "" : ", ", n, n);
  }
  const auto study = [&](std::string_view metric, std::string_view direction) {
    return fmt::format(
        "[study]\n{}\n{}[trial]\ncommand = [\"x\"]\nmetric = {{ builtin = \"{}\", reference = "
        "\"r\", generated = \"g\"{} }}\n",
        direction, kSpace, metric,
        metrics::table_metric_named(metric) ? ", weights_for = { " + networks + " }" : "");
  };
  for (const metrics::TableMetricInfo& info : metrics::table_metrics()) {
    auto config = parse_study_config(study(info.name, ""), "s.toml");
    ASSERT_TRUE(config.is_ok()) << info.name << ": " << config.status().to_string();
    EXPECT_EQ(config->direction,
              info.lower_is_better ? store::Direction::kMinimize : store::Direction::kMaximize)
        << info.name;
  }
  for (const auto& [metric, direction] : {std::pair{"fid", store::Direction::kMinimize},
                                          {"kid", store::Direction::kMinimize},
                                          {"mse", store::Direction::kMinimize},
                                          {"psnr", store::Direction::kMaximize},
                                          {"ssim", store::Direction::kMaximize},
                                          {"correlation", store::Direction::kMaximize}}) {
    auto config = parse_study_config(study(metric, ""), "s.toml");
    ASSERT_TRUE(config.is_ok()) << metric << ": " << config.status().to_string();
    EXPECT_EQ(config->direction, direction) << metric;
  }
  EXPECT_TRUE(parse_study_config(study("alexnet2", "direction = \"maximize\""), "s.toml").is_ok());
  const auto contrary = parse_study_config(study("alexnet2", "direction = \"minimize\""), "s.toml");
  ASSERT_FALSE(contrary.is_ok());
  EXPECT_EQ(contrary.status().message(),
            "s.toml:2: [study] direction: \"minimize\" with [trial] metric = { builtin = "
            "\"alexnet2\" }, which is higher-better; leave direction out (qtune knows each "
            "built-in metric's direction) or set \"maximize\"");
  // A metric qtune does not compute keeps the default.
  auto regex = parse_study_config(kSpace + "[trial]\ncommand = [\"x\"]\n", "s.toml");
  ASSERT_TRUE(regex.is_ok()) << regex.status().to_string();
  EXPECT_EQ(regex->direction, store::Direction::kMinimize);
}

TEST(StudyConfig, ErrorsNameFileLineAndKey) {
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {"[study]\nnaem = \"x\"\n" + kSpace,
       "s.toml:2: [study] naem: unknown key; use name, storage, direction or seed"},
      {"[study]\nname = 3\n" + kSpace, "s.toml:2: [study] name: expected a string"},
      {"[study]\nname = \"\"\n" + kSpace, "s.toml:2: [study] name: is empty"},
      {"[study]\ndirection = \"down\"\n" + kSpace,
       "s.toml:2: [study] direction: direction \"down\" is unknown"},
      {"[study]\nseed = -1\n" + kSpace, "s.toml:2: [study] seed: expected an integer >= 0"},
      {"[study]\nseed = 1.5\n" + kSpace, "s.toml:2: [study] seed: expected an integer >= 0"},
      {kSpace + "[budget]\ntrials = 0\n", "s.toml:5: [budget] trials: expected an integer >= 1"},
      {kSpace + "[budget]\ntrials = \"40\"\n",
       "s.toml:5: [budget] trials: expected an integer >= 1"},
      {kSpace + "[budget]\nparallel = 0\n",
       "s.toml:5: [budget] parallel: expected an integer >= 1"},
      {kSpace + "[budget]\ngpus = [0, -1]\n",
       "s.toml:5: [budget] gpus: expected GPU ids as integers >= 0"},
      {kSpace + "[budget]\ngpus = \"0,1\"\n",
       "s.toml:5: [budget] gpus: expected a list of GPU ids"},
      {kSpace + "[budget]\nmax_time = \"2x\"\n", "s.toml:5: [budget] max_time: duration \"2x\""},
      {kSpace + "[budget]\nmax_time = 60\n", "s.toml:5: [budget] max_time: expected a string"},
      {kSpace + "[budget]\nepochs = 3\n",
       "s.toml:5: [budget] epochs: unknown key; use trials, parallel, gpus, max_time or compute"},
      {kSpace + "[optimizer]\nlr = 1\n",
       "s.toml:4: [optimizer]: unknown table; use [study], [space], [strategy], [budget], "
       "[trial], [pruning] or [report]"},
      {kSpace + "[report]\nplots = 1\n", "s.toml:5: [report] plots: unknown key; use images"},
      {kSpace + "[report]\nimages = \"a\"\n", "s.toml:5: [report] images: expected a table"},
      {kSpace + "[report]\nimages = { stim = \"{nope}/s\" }\n", "s.toml:5: [report] images.stim: "},
      {kSpace + "[report]\nimages = { gen = \"g\" }\n",
       "s.toml:5: [report] images.gen: unknown key; use stim or rec"},
      {"study = 3\n" + kSpace, "s.toml:1: [study] is an integer; use a table"},
      {"[study]\nname = \"x\"\n", "s.toml: no [space] table"},
      {"[study\n", "s.toml:1:"},
      {kSpace + "[strategy]\nkind = \"annealing\"\n", "s.toml:5"},
      {kSpace + "[trial]\nfoo = 1\n", "s.toml:5: [trial] foo"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    auto config = parse_study_config(c.text, "s.toml");
    EXPECT_EQ(config.status().code(), base::StatusCode::kInvalidArgument)
        << config.status().to_string();
    EXPECT_NE(config.status().message().find(c.message), std::string::npos)
        << config.status().message();
  }
}

// `qtune export` writes number,state,<dimensions>,value,...: a dimension named like one of
// those columns (or import's "status") would not read back.
TEST(StudyConfig, DimensionsNamedLikeExportColumnsAreRefused) {
  for (const std::string name : {"number", "state", "status", "value", "failure_reason",
                                 "started_at", "finished_at", "worker", "attempt", "source"}) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(is_reserved_column(name));
    auto config = parse_study_config(
        "[space]\nK = { range = [2, 4] }\n" + name + " = { values = [1, 2] }\n", "s.toml");
    EXPECT_EQ(config.status().code(), base::StatusCode::kInvalidArgument);
    EXPECT_NE(config.status().message().find("s.toml:3: [space] " + name +
                                             ": the name is a column of `qtune export`"),
              std::string::npos)
        << config.status().message();
    EXPECT_NE(config.status().message().find("\"" + name + "_\""), std::string::npos);
  }
  EXPECT_FALSE(is_reserved_column("value_"));
  EXPECT_TRUE(parse_study_config("[space]\nvalue_ = { values = [1, 2] }\n", "s.toml").is_ok());
}

TEST(StudyConfig, ReportImagesAreTemplatesOverTheDimensions) {
  auto config = parse_study_config(
      kSpace + "[report]\nimages = { stim = \"{K}/stim\", rec = \"{trial_dir}/rec\" }\n", "s.toml");
  ASSERT_TRUE(config.is_ok()) << config.status().message();
  ASSERT_TRUE(config->report.images_stim && config->report.images_rec);
  EXPECT_EQ(config->report.images_stim->text(), "{K}/stim");
  EXPECT_EQ(config->report.images_rec->expand({{"trial_dir", "/t/3"}}), "/t/3/rec");
  auto plain = parse_study_config(kSpace, "s.toml");
  ASSERT_TRUE(plain.is_ok());
  EXPECT_FALSE(plain->report.images_stim || plain->report.images_rec);
}

TEST(StudyConfig, LoadReadsTheFile) {
  ::qtune::testing::TempDir dir;
  const auto file = dir.write("exp.toml", kSpace);
  auto config = load_study_config(file);
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  EXPECT_EQ(config->storage.url(), "sqlite://" + (dir / "exp.db").string());
  EXPECT_EQ(load_study_config(dir / "missing.toml").status().code(), base::StatusCode::kNotFound);
}

}  // namespace
}  // namespace qtune::study
