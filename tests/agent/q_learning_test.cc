// The seed-preset Q-learning agent: Bellman updates against hand computation, the epsilon
// schedule, the evaluation cache, k trajectories, snapshots, determinism and convergence.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "agent/strategy_fixtures.h"
#include "base/seed.h"
#include "qtune/agent/strategy_config.h"

namespace qtune::agent {
namespace {

using testing::drive;
using testing::int_space;

StrategyConfig seed_config() {
  StrategyConfig config;
  config.preset = Preset::kSeed;
  return config;
}

std::unique_ptr<Strategy> make_q_learning(const space::Space& space, const StrategyConfig& config,
                                          std::uint64_t seed) {
  auto strategy = make_strategy(space, config, seed);
  EXPECT_TRUE(strategy.is_ok()) << strategy.status().to_string();
  return std::move(strategy).value();
}

std::optional<QRow> row_of(const Strategy& s, space::StateId state) {
  for (const QRow& row : s.q_table()) {
    if (row.state == state) return row;
  }
  return std::nullopt;
}

TEST(QLearning, SeedPresetDefaults) {
  const StrategyConfig c = seed_config();
  EXPECT_EQ(c.alpha, 0.1);
  EXPECT_EQ(c.gamma, 0.95);
  EXPECT_EQ(c.epsilon, 0.1);
  EXPECT_EQ(c.epsilon_decay, 0.99);
  EXPECT_EQ(c.epsilon_min, 0.01);
  EXPECT_EQ(c.episodes, 100u);
  EXPECT_EQ(c.steps, 50u);
  EXPECT_EQ(c.actions, space::MoveSet::kJoint);
  EXPECT_EQ(c.reward, RewardKind::kNegative);
  EXPECT_EQ(c.q_init, QInit::kZero);
  EXPECT_EQ(c.start, StartKind::kRandom);
  EXPECT_EQ(c.planning_steps, 0u);
  EXPECT_EQ(c.trajectories, 1u);
}

// One state, so every move lands on it (a free step after its evaluation); reward -L = -2.
// Hand computation, alpha .1, gamma .95, epsilon 0, joint moves in 1-D (3 actions):
//   steps 1-3: greedy breaks the tie among untried actions (Q = 0):
//              Q(a) = 0 + .1 * (-2 + .95 * max Q) with max Q = 0 (an untried action) -> -.2
//   step 4:    all -.2; Q(a) = -.2 + .1 * (-2 + .95 * (-.2) - (-.2)) = -.399
TEST(QLearning, BellmanUpdatesNegativeRewardOneAndTwoStepsDeep) {
  const space::Space space = int_space({1});
  StrategyConfig config = seed_config();
  config.epsilon = 0.0;
  config.epsilon_min = 0.0;
  config.episodes = 1;
  for (std::uint32_t steps : {1u, 3u, 4u}) {
    config.steps = steps;
    auto q = make_q_learning(space, config, 5);
    EXPECT_EQ(drive(*q, [](space::StateId) { return 2.0; }), std::vector<space::StateId>{0});
    auto row = row_of(*q, 0);
    ASSERT_TRUE(row.has_value());
    std::vector<double> values = row->q;
    std::sort(values.begin(), values.end());
    const std::vector<std::vector<double>> expected = {
        {}, {-0.2, 0.0, 0.0}, {}, {-0.2, -0.2, -0.2}, {-0.399, -0.2, -0.2}};
    ASSERT_EQ(values.size(), 3u);
    for (std::size_t a = 0; a < 3; ++a) EXPECT_NEAR(values[a], expected[steps][a], 1e-12) << steps;
  }
}

// Two states {0, 1} with losses 3 and 1, start fixed at 0, joint moves (a=0: -1, 1: stay,
// 2: +1), reward = improvement, epsilon 0, 2 steps. Among the seeds, find the walk
// "+1, then -1": step 1 Q(0,+1) = .1 * ((3 - 1) + .95 * 0) = .2 (a paid step onto state 1);
// step 2 Q(1,-1) = .1 * ((1 - 3) + .95 * max Q(0,.) = .2) = -.181 (a free step back).
TEST(QLearning, BellmanUpdatesImprovementRewardTwoSteps) {
  const space::Space space = int_space({2});
  StrategyConfig config = seed_config();
  config.reward = RewardKind::kImprovement;
  config.epsilon = 0.0;
  config.epsilon_min = 0.0;
  config.episodes = 1;
  config.steps = 2;
  config.start = StartKind::kFixed;
  config.start_state = 0;
  int found = 0;
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    auto q = make_q_learning(space, config, seed);
    const auto proposed = drive(*q, [](space::StateId s) { return s == 0 ? 3.0 : 1.0; });
    auto row0 = row_of(*q, 0);
    auto row1 = row_of(*q, 1);
    if (proposed.size() != 2 || !row0 || !row1 || row1->q[0] == 0.0) continue;
    ++found;
    EXPECT_NEAR(row0->q[0], 0.0, 1e-15);
    EXPECT_NEAR(row0->q[1], 0.0, 1e-15);
    EXPECT_NEAR(row0->q[2], 0.2, 1e-15);
    EXPECT_NEAR(row1->q[0], -0.181, 1e-15);
    EXPECT_NEAR(row1->q[1], 0.0, 1e-15);
    EXPECT_NEAR(row1->q[2], 0.0, 1e-15);
    EXPECT_EQ(q->recommend(), 1u);
  }
  EXPECT_GT(found, 3);  // about 1 seed in 9 walks that way
}

TEST(QLearning, EpsilonDecaysPerEpisodeToItsFloor) {
  const space::Space space = int_space({1});  // every step free: episodes run inside ask()
  StrategyConfig config = seed_config();
  config.steps = 1;
  for (std::uint32_t episodes : {1u, 2u, 100u, 199u, 300u}) {
    config.episodes = episodes;
    auto q = make_q_learning(space, config, 1);
    drive(*q, [](space::StateId) { return 1.0; });
    const double expected = std::max(0.01, 0.1 * std::pow(0.99, episodes - 1));
    EXPECT_NEAR(*q->epsilon(), expected, 1e-15) << episodes;
  }
}

TEST(QLearning, ProposesEachStateOnceAndStopsWhenEpisodesRunOut) {
  const space::Space space = int_space({5, 5});
  auto q = make_q_learning(space, seed_config(), 9);
  const auto proposed = drive(*q, [](space::StateId s) { return static_cast<double>(s); });
  EXPECT_EQ(std::set<space::StateId>(proposed.begin(), proposed.end()).size(), proposed.size());
  EXPECT_EQ(proposed.size(), 25u);  // 100 x 50 steps walk over all 25 states
  EXPECT_EQ(q->ask(), std::nullopt);
  EXPECT_EQ(q->recommend(), 0u);
  EXPECT_EQ(q->moves()->count(), 9u);
  EXPECT_EQ(q->start_state(), 0u);  // random starts: the recommended state
}

TEST(QLearning, KTrajectoriesShareTheTableAndNeverDuplicateAProposal) {
  StrategyConfig config = seed_config();
  config.trajectories = 3;
  {
    const space::Space large = int_space({100, 100, 100});  // random starts do not collide
    auto q = make_q_learning(large, config, 4);
    for (std::uint32_t t = 0; t < 3; ++t) EXPECT_EQ(q->ask()->trajectory, t);
    EXPECT_EQ(q->ask(), std::nullopt);  // all three wait for their evaluations
  }
  // On 36 states trajectories meet: one whose next state another has proposed waits for
  // that evaluation instead of proposing it again.
  const space::Space space = int_space({6, 6});
  auto q = make_q_learning(space, config, 4);
  std::vector<Proposal> pending;
  while (auto p = q->ask()) pending.push_back(*p);
  EXPECT_FALSE(pending.empty());
  std::set<space::StateId> seen;
  for (const Proposal& p : pending) seen.insert(p.state);
  // Tell out of order, keep three in flight, until the episodes run out.
  std::size_t told = 0;
  while (!pending.empty()) {
    const Proposal p = pending.back();
    pending.pop_back();
    q->tell(p, Observation{static_cast<double>(p.state % 5)});
    ++told;
    while (auto next = q->ask()) {
      EXPECT_TRUE(seen.insert(next->state).second) << "proposed twice: " << next->state;
      pending.insert(pending.begin(), *next);
    }
  }
  EXPECT_EQ(told, seen.size());
  EXPECT_EQ(told, 36u);
  EXPECT_EQ(q->ask(), std::nullopt);
}

TEST(QLearning, FixedStartIsTheFirstProposalOfEveryEpisode) {
  const space::Space space = int_space({4, 4});
  StrategyConfig config = seed_config();
  config.start = StartKind::kFixed;
  config.start_state = 6;
  auto q = make_q_learning(space, config, 2);
  EXPECT_EQ(q->ask()->state, 6u);
  EXPECT_EQ(q->start_state(), 6u);
}

TEST(QLearning, FailedTrialsGetThePenaltyAsTheirLoss) {
  // One state that fails: reward is -penalty.
  const space::Space space = int_space({1});
  StrategyConfig config = seed_config();
  config.episodes = 1;
  config.steps = 1;
  config.failure_penalty = 10.0;
  auto q = make_q_learning(space, config, 3);
  drive(*q, [](space::StateId) { return std::nullopt; });
  auto row = row_of(*q, 0);
  ASSERT_TRUE(row.has_value());
  EXPECT_NEAR(*std::min_element(row->q.begin(), row->q.end()), -1.0, 1e-15);  // .1 * -10
  EXPECT_EQ(q->recommend(), std::nullopt);  // a failure is never the best
}

TEST(QLearning, QInitOptimisticAndRandom) {
  const space::Space space = int_space({1});
  StrategyConfig config = seed_config();
  config.episodes = 1;
  config.steps = 1;
  config.epsilon = config.epsilon_min = 0.0;
  config.q_init = QInit::kOptimistic;
  config.q_init_scale = 5.0;
  auto q = make_q_learning(space, config, 3);
  drive(*q, [](space::StateId) { return 1.0; });
  std::vector<double> values = row_of(*q, 0)->q;
  std::sort(values.begin(), values.end());
  // Updated action: 5 + .1 * (-1 + .95 * 5 - 5) = 4.875; the others keep 5.
  EXPECT_NEAR(values[0], 4.875, 1e-12);
  EXPECT_EQ(values[1], 5.0);
  EXPECT_EQ(values[2], 5.0);

  config.q_init = QInit::kRandom;
  config.q_init_scale = 0.01;
  auto r = make_q_learning(space, config, 3);
  drive(*r, [](space::StateId) { return 1.0; });
  const std::vector<double> random = row_of(*r, 0)->q;
  int untouched = 0;
  for (double v : random) {
    if (std::abs(v) <= 0.01) ++untouched;
  }
  EXPECT_EQ(untouched, 2);  // initial values in [-.01, .01]; one action was updated
  EXPECT_NE(random[0], random[1]);
}

TEST(QLearning, DeterministicForASeed) {
  const space::Space space = int_space({9, 3, 3, 3});
  auto loss = [](space::StateId s) {
    return std::optional<double>(std::sin(static_cast<double>(s)));
  };
  auto a = make_q_learning(space, seed_config(), 77);
  auto b = make_q_learning(space, seed_config(), 77);
  auto c = make_q_learning(space, seed_config(), 78);
  const auto pa = drive(*a, loss, 100);
  EXPECT_EQ(drive(*b, loss, 100), pa);
  EXPECT_NE(drive(*c, loss, 100), pa);
  EXPECT_EQ(a->snapshot(), b->snapshot());
}

TEST(QLearning, RestoredSnapshotProposesTheSameNext50) {
  const space::Space space = int_space({10, 10, 10});
  StrategyConfig config = seed_config();
  config.trajectories = 3;
  config.planning_steps = 5;
  config.reward = RewardKind::kImprovement;
  auto loss = [](space::StateId s) -> std::optional<double> {
    if (s % 13 == 0) return std::nullopt;  // some failures
    return std::cos(static_cast<double>(s) * 0.1);
  };
  auto original = make_q_learning(space, config, 123);
  // Keep three proposals in flight, so the snapshot holds pending ones.
  std::vector<Proposal> pending;
  auto run = [&](Strategy& s, std::vector<Proposal>& in_flight, std::size_t evaluations) {
    std::vector<space::StateId> out;
    while (out.size() < evaluations) {
      while (auto p = s.ask()) in_flight.push_back(*p);
      if (in_flight.empty()) break;
      const Proposal p = in_flight.front();
      in_flight.erase(in_flight.begin());
      out.push_back(p.state);
      s.tell(p, Observation{loss(p.state)});
    }
    return out;
  };
  run(*original, pending, 40);
  ASSERT_FALSE(pending.empty());
  auto restored = make_q_learning(space, config, 123);
  ASSERT_TRUE(restored->restore(original->snapshot()).is_ok());
  EXPECT_EQ(restored->snapshot(), original->snapshot());
  std::vector<Proposal> pending_copy = pending;
  const auto next_original = run(*original, pending, 50);
  const auto next_restored = run(*restored, pending_copy, 50);
  EXPECT_EQ(next_original.size(), 50u);
  EXPECT_EQ(next_restored, next_original);
  EXPECT_EQ(restored->snapshot(), original->snapshot());
}

TEST(QLearning, RestoreRejectsASnapshotOfAnotherSpace) {
  const space::Space small = int_space({3});
  const space::Space large = int_space({4});
  auto a = make_q_learning(small, seed_config(), 1);
  auto b = make_q_learning(large, seed_config(), 1);
  const base::Status status = b->restore(a->snapshot());
  EXPECT_EQ(status.code(), base::StatusCode::kCorrupt);
  EXPECT_EQ(status.message(),
            "q-learning snapshot: made by q-learning v1 for 3 states, 3 actions, 1 trajectories; "
            "this is q-learning v1 for 4 states, 3 actions, 1 trajectories");
}

// A noise-free bowl on a 7 x 7 grid, minimum 0 at (4, 2). With enough episodes (and Dyna-Q
// replays), the agent measures the optimum and its greedy policy walks there from every
// visited state and stays.
TEST(QLearning, ConvergesOnASmallNoiseFreeGrid) {
  const space::Space space = int_space({7, 7});
  auto loss = [&](space::StateId s) -> std::optional<double> {
    const auto i = space.decode(s);
    const double di = static_cast<double>(i[0]) - 4.0;
    const double dj = static_cast<double>(i[1]) - 2.0;
    return di * di + dj * dj;
  };
  const space::StateId optimum = 4 * 7 + 2;
  StrategyConfig config = seed_config();
  config.episodes = 400;
  config.steps = 30;
  config.planning_steps = 10;
  const std::uint64_t seed = base::derive_seed(2026, "convergence");
  SCOPED_TRACE("seed " + std::to_string(seed));
  auto q = make_q_learning(space, config, seed);
  drive(*q, loss);
  EXPECT_EQ(q->recommend(), optimum);
  const auto table = q->q_table();
  const space::Moves& moves = *q->moves();
  for (const QRow& row : table) {
    space::StateId s = row.state;
    for (int step = 0; step < 12 && s != optimum; ++step) {
      auto r = row_of(*q, s);
      ASSERT_TRUE(r.has_value()) << "greedy walk left the visited states at " << s;
      const auto best = std::max_element(r->q.begin(), r->q.end()) - r->q.begin();
      s = moves.apply(s, static_cast<space::Action>(best));
    }
    EXPECT_EQ(s, optimum) << "greedy walk from " << space.describe(row.state);
  }
  auto at_optimum = row_of(*q, optimum);
  ASSERT_TRUE(at_optimum.has_value());
  const auto best =
      std::max_element(at_optimum->q.begin(), at_optimum->q.end()) - at_optimum->q.begin();
  EXPECT_EQ(moves.apply(optimum, static_cast<space::Action>(best)), optimum);
}

}  // namespace
}  // namespace qtune::agent
