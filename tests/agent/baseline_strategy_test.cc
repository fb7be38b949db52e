#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "agent/strategy_fixtures.h"
#include "qtune/agent/strategy_config.h"

namespace qtune::agent {
namespace {

using testing::drive;
using testing::int_space;

std::unique_ptr<Strategy> make_baseline(const space::Space& space, StrategyKind kind,
                                        std::uint64_t seed, std::uint32_t trajectories = 1) {
  StrategyConfig config;
  config.kind = kind;
  config.trajectories = trajectories;
  auto strategy = make_strategy(space, config, seed);
  EXPECT_TRUE(strategy.is_ok()) << strategy.status().to_string();
  return std::move(strategy).value();
}

std::optional<double> id_loss(space::StateId s) { return static_cast<double>(s % 7); }

TEST(GridSearch, VisitsEveryStateInRowMajorOrderThenStops) {
  const space::Space space = int_space({3, 4});
  auto grid = make_baseline(space, StrategyKind::kGrid, 1);
  EXPECT_EQ(grid->name(), "grid");
  const auto proposed = drive(*grid, id_loss);
  ASSERT_EQ(proposed.size(), 12u);
  for (space::StateId s = 0; s < 12; ++s) EXPECT_EQ(proposed[s], s);
  EXPECT_EQ(grid->ask(), std::nullopt);
  EXPECT_EQ(grid->recommend(), 0u);  // loss 0 at ids 0 and 7: the first measured wins
}

TEST(RandomSearch, IsAPermutationWithoutRepeatsAndDeterministicPerSeed) {
  const space::Space space = int_space({5, 6, 7});
  auto a = make_baseline(space, StrategyKind::kRandom, 42);
  auto b = make_baseline(space, StrategyKind::kRandom, 42);
  auto c = make_baseline(space, StrategyKind::kRandom, 43);
  const auto pa = drive(*a, id_loss);
  ASSERT_EQ(pa.size(), space.size());
  EXPECT_EQ(std::set<space::StateId>(pa.begin(), pa.end()).size(), space.size());
  EXPECT_EQ(drive(*b, id_loss), pa);
  EXPECT_NE(drive(*c, id_loss), pa);
  EXPECT_EQ(a->ask(), std::nullopt);
  // Not the grid order, and spread out: the first 20 draws come from all over the space.
  EXPECT_FALSE(std::is_sorted(pa.begin(), pa.end()));
}

TEST(RandomSearch, EachStateIsEquallyLikelyFirst) {
  // 6 states, 6000 seeds: each state first about 1000 times (binomial sd ~29).
  const space::Space space = int_space({2, 3});
  std::vector<int> first(6, 0);
  for (std::uint64_t seed = 0; seed < 6000; ++seed) {
    auto r = make_baseline(space, StrategyKind::kRandom, seed);
    ++first[r->ask()->state];
  }
  for (int count : first) EXPECT_NEAR(count, 1000, 150);
}

TEST(RandomSearch, DrawsFromATrillionStates) {
  const space::Space space = int_space({1000, 1000, 1000, 1000});
  ASSERT_EQ(space.size(), 1'000'000'000'000u);
  auto r = make_baseline(space, StrategyKind::kRandom, 7);
  const auto proposed = drive(*r, id_loss, 2000);
  ASSERT_EQ(proposed.size(), 2000u);
  EXPECT_EQ(std::set<space::StateId>(proposed.begin(), proposed.end()).size(), 2000u);
  for (space::StateId s : proposed) EXPECT_LT(s, space.size());
  // Spread over the id range, not clustered: some draw in every tenth of it.
  std::set<std::uint64_t> tenths;
  for (space::StateId s : proposed) tenths.insert(s / (space.size() / 10));
  EXPECT_EQ(tenths.size(), 10u);
}

TEST(Baselines, HandOutKProposalsBeforeTheFirstTell) {
  const space::Space space = int_space({4, 4});
  for (StrategyKind kind : {StrategyKind::kGrid, StrategyKind::kRandom}) {
    auto s = make_baseline(space, kind, 3, 3);
    std::vector<Proposal> out;
    for (int i = 0; i < 3; ++i) {
      auto p = s->ask();
      ASSERT_TRUE(p.has_value());
      EXPECT_EQ(p->trajectory, static_cast<std::uint32_t>(i));
      out.push_back(*p);
    }
    EXPECT_EQ(s->ask(), std::nullopt);           // all three trajectories wait
    s->tell(out[1], Observation{std::nullopt});  // a failure frees its trajectory
    auto p = s->ask();
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->trajectory, 1u);
    EXPECT_EQ(s->recommend(), std::nullopt);  // nothing succeeded yet
    s->tell(out[0], Observation{5.0});
    s->tell(*p, Observation{2.0});
    EXPECT_EQ(s->recommend(), p->state);
  }
}

TEST(Baselines, RestoredSnapshotProposesTheSameFuture) {
  const space::Space space = int_space({6, 7, 8});
  for (StrategyKind kind : {StrategyKind::kGrid, StrategyKind::kRandom}) {
    auto original = make_baseline(space, kind, 11, 2);
    drive(*original, id_loss, 30);
    auto pending = original->ask();  // one proposal left pending across the snapshot
    ASSERT_TRUE(pending.has_value());
    auto restored = make_baseline(space, kind, 11, 2);
    ASSERT_TRUE(restored->restore(original->snapshot()).is_ok());
    EXPECT_EQ(restored->snapshot(), original->snapshot());
    EXPECT_EQ(restored->recommend(), original->recommend());
    original->tell(*pending, Observation{1.0});
    restored->tell(*pending, Observation{1.0});
    EXPECT_EQ(drive(*restored, id_loss, 50), drive(*original, id_loss, 50));
  }
}

TEST(Baselines, RestoreRejectsForeignOrDamagedSnapshots) {
  const space::Space space = int_space({3, 3});
  auto grid = make_baseline(space, StrategyKind::kGrid, 1);
  auto random = make_baseline(space, StrategyKind::kRandom, 1);
  drive(*random, id_loss, 3);
  const base::Status foreign = grid->restore(random->snapshot());
  EXPECT_EQ(foreign.code(), base::StatusCode::kCorrupt);
  EXPECT_EQ(foreign.message(),
            "grid snapshot: made by random v1 for 9 states and 1 trajectories; this is grid v1 for "
            "9 states and 1 trajectories");
  std::string cut = random->snapshot();
  cut.pop_back();
  auto other = make_baseline(space, StrategyKind::kRandom, 1);
  EXPECT_EQ(other->restore(cut).code(), base::StatusCode::kCorrupt);
  EXPECT_EQ(other->restore(random->snapshot() + "x").code(), base::StatusCode::kCorrupt);
}

}  // namespace
}  // namespace qtune::agent
