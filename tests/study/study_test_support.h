// Helpers shared by the study tests: a study file on a 4x4x4 grid and a deterministic
// objective, so that two runs with the same seed must make the same proposals.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "qtune/store/open_store.h"
#include "qtune/study/study.h"
#include "qtune/study/study_config.h"
#include "support/temp_dir.h"

namespace qtune::testing {

// [study] + [space] (64 states) + [strategy] kind + extra strategy keys + [budget].
inline std::string study_toml(const std::string& kind, int trials,
                              const std::string& strategy_extra = "",
                              const std::string& space =
                                  "K = { range = [2, 5] }\n"
                                  "dim = { values = [64, 128, 256, 512] }\n"
                                  "act = { values = [\"relu\", \"elu\", \"tanh\", \"gelu\"] }\n") {
  return "[study]\nname = \"toy\"\nseed = 42\n\n[space]\n" + space + "\n[strategy]\nkind = \"" +
         kind + "\"\n" + strategy_extra + "\n[budget]\ntrials = " + std::to_string(trials) + "\n";
}

// A smooth bowl over the state's parameters, minimum at K=4 dim=256 act=elu.
inline double objective(const std::vector<store::Param>& params) {
  const double k = std::stod(params.at(0).value);
  const double dim = std::stod(params.at(1).value);
  const double act = params.at(2).value == "elu" ? 0.0 : 1.0;
  return (k - 4) * (k - 4) + (dim / 256 - 1) * (dim / 256 - 1) + act;
}

// Asks and tells (objective) until the study says it is finished; returns the states in
// the order they were proposed.
inline std::vector<space::StateId> run_to_end(study::Study& study) {
  std::vector<space::StateId> states;
  while (true) {
    auto next = study.ask();
    EXPECT_TRUE(next.is_ok()) << next.status().to_string();
    if (!next.is_ok() || next->finished) break;
    EXPECT_TRUE(next->trial.has_value()) << "a sequential run never waits";
    if (!next->trial) break;
    states.push_back(next->trial->state);
    const base::Status told =
        study.tell(next->trial->id, study::Outcome::success(objective(next->trial->params)));
    EXPECT_TRUE(told.is_ok()) << told.to_string();
  }
  return states;
}

// A study on a fresh SQLite file in a temporary folder: the fixture of the study tests.
class ToyStudyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::open_store("sqlite://" + (dir_ / "toy.db").string());
    ASSERT_TRUE(store.is_ok()) << store.status().to_string();
    store_ = std::move(store).value();
  }

  // The study of `toml` opened on the store; nullptr (and a test failure) if it does not open.
  std::unique_ptr<study::Study> open(const std::string& toml) {
    auto config = study::parse_study_config(toml, dir_ / "toy.toml");
    EXPECT_TRUE(config.is_ok()) << config.status().to_string();
    if (!config.is_ok()) return nullptr;
    auto study = study::Study::open(std::move(config).value(), *store_);
    EXPECT_TRUE(study.is_ok()) << study.status().to_string();
    return study.is_ok() ? std::move(study).value() : nullptr;
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace qtune::testing
