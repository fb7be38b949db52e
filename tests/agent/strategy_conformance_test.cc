// One suite for the Strategy contract (strategy.h), run against every strategy and preset:
// proposals inside the space, no repeat unless a declared re-measurement, at most k in
// flight, determinism for a seed, snapshots that resume the same future, recommend() among
// the successful measurements, exhaustion that lasts.
#include <gtest/gtest.h>

#include <cmath>
#include <deque>
#include <map>
#include <set>
#include <string>

#include "agent/strategy_fixtures.h"
#include "qtune/agent/strategy_config.h"

namespace qtune::agent {
namespace {

struct Case {
  std::string name;
  StrategyConfig config;
  bool fidelity = false;  // the last dimension (c) is the fidelity
  bool costs = false;     // tells each evaluation's cost (1 + 2 x its c index)
};

std::vector<Case> cases() {
  std::vector<Case> out;
  StrategyConfig grid;
  grid.kind = StrategyKind::kGrid;
  out.push_back({"grid", grid});
  StrategyConfig random;
  random.kind = StrategyKind::kRandom;
  random.trajectories = 2;
  out.push_back({"random_k2", random});
  StrategyConfig seed;
  seed.preset = Preset::kSeed;
  out.push_back({"seed", seed});
  StrategyConfig seed_k3 = seed;
  seed_k3.trajectories = 3;
  seed_k3.planning_steps = 4;
  seed_k3.reward = RewardKind::kImprovement;
  seed_k3.q_init = QInit::kRandom;
  seed_k3.q_init_scale = 0.1;
  seed_k3.actions = space::MoveSet::kSingle;
  out.push_back({"seed_k3_dyna_single", seed_k3});
  StrategyConfig fixed = seed;
  fixed.start = StartKind::kFixed;
  fixed.start_state = 17;
  fixed.episodes = 20;
  out.push_back({"seed_fixed_start", fixed});
  out.push_back({"model", StrategyConfig{}});
  StrategyConfig hyperband;
  hyperband.kind = StrategyKind::kHyperband;
  hyperband.eta = 2.0;
  hyperband.trajectories = 2;
  out.push_back({"hyperband_k2", hyperband, true, false});
  StrategyConfig costed;
  costed.compute_budget = 60.0;
  out.push_back({"model_cost_fidelity", costed, true, true});
  out.push_back({"model_cost_unbudgeted", StrategyConfig{}, false, true});
  return out;
}

class StrategyConformance : public ::testing::TestWithParam<Case> {
 protected:
  StrategyConformance() : space_(make_space(GetParam().fidelity)) {}

  static space::Space make_space(bool fidelity) {
    space::Space plain = testing::int_space({4, 3, 3});
    if (!fidelity) return plain;
    std::vector<space::Dimension> dims = plain.dimensions();
    dims.back().fidelity = true;
    return space::Space::create(std::move(dims)).value();
  }

  std::unique_ptr<Strategy> make(std::uint64_t seed) {
    auto strategy = make_strategy(space_, GetParam().config, seed);
    if (!strategy.is_ok()) {
      ADD_FAILURE() << strategy.status().to_string();
      return nullptr;
    }
    return std::move(strategy).value();
  }

  // Loss of a state: smooth with a few failures (every 11th state).
  static std::optional<double> loss(space::StateId s) {
    if (s % 11 == 5) return std::nullopt;
    return std::cos(0.7 * static_cast<double>(s)) + 0.05 * static_cast<double>(s);
  }

  // Keeps as many proposals in flight as the strategy hands out, tells the oldest first,
  // until `evaluations` were told or the strategy is exhausted.
  std::vector<Proposal> run(Strategy& s, std::deque<Proposal>& in_flight,
                            std::size_t evaluations) const {
    std::vector<Proposal> told;
    while (told.size() < evaluations) {
      while (auto p = s.ask()) in_flight.push_back(*p);
      if (in_flight.empty()) break;
      const Proposal p = in_flight.front();
      in_flight.pop_front();
      Observation observation{loss(p.state)};
      if (GetParam().costs) observation.cost = 1.0 + 2.0 * space_.index(p.state, 2);
      s.tell(p, observation);
      told.push_back(p);
    }
    return told;
  }

  void SetUp() override {
    if (GetParam().config.kind == StrategyKind::kQLearning &&
        GetParam().config.preset == Preset::kModel) {
      auto probe = make_strategy(space_, GetParam().config, 1);
      if (!probe.is_ok() && probe.status().message().find("not built yet") != std::string::npos) {
        GTEST_SKIP() << probe.status().message();
      }
    }
  }

  space::Space space_;
};

TEST_P(StrategyConformance, ProposalsAreInsideTheSpaceAndNewUnlessARemeasurement) {
  auto s = make(1);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->recommend(), std::nullopt);
  std::deque<Proposal> in_flight;
  std::set<space::StateId> seen;
  std::set<space::StateId> measured_ok;
  for (const Proposal& p : run(*s, in_flight, 60)) {
    EXPECT_LT(p.state, space_.size());
    EXPECT_LT(p.trajectory, GetParam().config.trajectories);
    if (p.remeasure) {
      EXPECT_TRUE(seen.contains(p.state)) << "re-measurement of an unmeasured state " << p.state;
    } else {
      EXPECT_TRUE(seen.insert(p.state).second) << "proposed twice: " << p.state;
    }
    if (loss(p.state)) measured_ok.insert(p.state);
  }
  ASSERT_FALSE(measured_ok.empty());
  ASSERT_TRUE(s->recommend().has_value());
  EXPECT_TRUE(measured_ok.contains(*s->recommend()));
}

TEST_P(StrategyConformance, AtMostKProposalsInFlight) {
  auto s = make(2);
  ASSERT_NE(s, nullptr);
  std::set<std::uint32_t> trajectories;
  while (auto p = s->ask()) {
    EXPECT_TRUE(trajectories.insert(p->trajectory).second);
    ASSERT_LE(trajectories.size(), GetParam().config.trajectories);
  }
  EXPECT_GE(trajectories.size(), 1u);
}

TEST_P(StrategyConformance, DeterministicForASeed) {
  auto a = make(7);
  auto b = make(7);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  std::deque<Proposal> fa;
  std::deque<Proposal> fb;
  const auto pa = run(*a, fa, 30);
  const auto pb = run(*b, fb, 30);
  ASSERT_EQ(pa.size(), pb.size());
  for (std::size_t i = 0; i < pa.size(); ++i) {
    EXPECT_EQ(pa[i].state, pb[i].state) << i;
    EXPECT_EQ(pa[i].trajectory, pb[i].trajectory) << i;
  }
}

TEST_P(StrategyConformance, RestoredSnapshotProposesTheSameFuture) {
  auto original = make(3);
  ASSERT_NE(original, nullptr);
  std::deque<Proposal> in_flight;
  run(*original, in_flight, 12);
  auto restored = make(3);
  ASSERT_NE(restored, nullptr);
  const base::Status status = restored->restore(original->snapshot());
  ASSERT_TRUE(status.is_ok()) << status.to_string();
  EXPECT_EQ(restored->recommend(), original->recommend());
  std::deque<Proposal> in_flight_copy = in_flight;  // pending proposals survive the snapshot
  const auto next_original = run(*original, in_flight, 20);
  const auto next_restored = run(*restored, in_flight_copy, 20);
  ASSERT_EQ(next_restored.size(), next_original.size());
  for (std::size_t i = 0; i < next_original.size(); ++i) {
    EXPECT_EQ(next_restored[i].state, next_original[i].state) << i;
    EXPECT_EQ(next_restored[i].remeasure, next_original[i].remeasure) << i;
  }
}

TEST_P(StrategyConformance, RestoreRejectsGarbage) {
  auto s = make(4);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->restore("not a snapshot").code(), base::StatusCode::kCorrupt);
  EXPECT_EQ(s->restore("").code(), base::StatusCode::kCorrupt);
}

TEST_P(StrategyConformance, ExhaustionLasts) {
  auto s = make(5);
  ASSERT_NE(s, nullptr);
  std::deque<Proposal> in_flight;
  if (run(*s, in_flight, 400).size() == 400) GTEST_SKIP() << "not exhausted within 400 evaluations";
  ASSERT_TRUE(in_flight.empty());
  EXPECT_EQ(s->ask(), std::nullopt);
  EXPECT_EQ(s->ask(), std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(AllStrategies, StrategyConformance, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& param) {
                           return param.param.name;
                         });

}  // namespace
}  // namespace qtune::agent
