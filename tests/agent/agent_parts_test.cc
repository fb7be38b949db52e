// The parts the strategies share: RNG, random tie-breaking, Q-table, evaluation cache.
#include <gtest/gtest.h>

#include <map>

#include "agent/evaluation_cache.h"
#include "agent/greedy.h"
#include "agent/q_table.h"
#include "agent/rng.h"

namespace qtune::agent {
namespace {

TEST(Rng, SameSeedSameStreamAndSnapshotResumesIt) {
  Rng a(1);
  Rng b(1);
  Rng c(2);
  EXPECT_EQ(a.next(), b.next());
  EXPECT_NE(a.next(), c.next());
  base::ByteWriter out;
  a.save(out);
  Rng d(99);
  base::ByteReader in(out.bytes(), "rng");
  ASSERT_TRUE(d.load(in).is_ok());
  for (int i = 0; i < 10; ++i) EXPECT_EQ(a.next(), d.next());
}

TEST(Rng, BelowIsUniform) {
  Rng rng(3);
  std::vector<int> counts(5, 0);
  for (int i = 0; i < 50000; ++i) ++counts[rng.below(5)];
  for (int c : counts) EXPECT_NEAR(c, 10000, 400);  // sd ~89
  for (int i = 0; i < 1000; ++i) {
    const double u = rng.uniform();
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
  }
}

TEST(Greedy, BreaksTiesUniformlyAndOnlyAmongTheBest) {
  Rng rng(11);
  const std::vector<double> q{1.0, 3.0, 3.0, 2.0, 3.0};
  std::map<space::Action, int> counts;
  for (int i = 0; i < 30000; ++i) ++counts[greedy_action(q, rng)];
  ASSERT_EQ(counts.size(), 3u);
  for (space::Action a : {1u, 2u, 4u}) EXPECT_NEAR(counts[a], 10000, 400) << a;
  // Seeded: the same RNG seed gives the same choices.
  Rng r1(5);
  Rng r2(5);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(greedy_action(q, r1), greedy_action(q, r2));
  // A unique maximum is chosen without drawing from the RNG.
  Rng r3(5);
  Rng r4(5);
  EXPECT_EQ(greedy_action(std::vector<double>{0.0, -1.0, 2.0}, r3), 2u);
  EXPECT_EQ(r3.next(), r4.next());
}

TEST(Greedy, EpsilonOneIsUniformOverAllActions) {
  Rng rng(12);
  const std::vector<double> q{0.0, 5.0, 0.0, 0.0};
  std::vector<int> counts(4, 0);
  for (int i = 0; i < 40000; ++i) ++counts[epsilon_greedy_action(q, 1.0, rng)];
  for (int c : counts) EXPECT_NEAR(c, 10000, 400);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(epsilon_greedy_action(q, 0.0, rng), 1u);
}

TEST(QTable, UpdateRuleAndSparseRows) {
  QTable q(3, QInit::kZero, 1.0, 0);
  EXPECT_EQ(q.rows(), 0u);
  EXPECT_EQ(q.max(1'000'000'007), 0.0);  // a missing row reads as its initial values
  q.update(42, 1, 0.1, -2.0);            // 0 + .1 * (-2 - 0)
  q.update(42, 1, 0.1, -2.0);            // -.2 + .1 * (-2 + .2)
  EXPECT_EQ(q.rows(), 1u);
  EXPECT_NEAR(q.row(42)[1], -0.38, 1e-15);
  EXPECT_EQ(q.max(42), 0.0);
  const auto rows = q.export_rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].state, 42u);
  base::ByteWriter out;
  q.save(out);
  QTable loaded(3, QInit::kZero, 1.0, 0);
  base::ByteReader in(out.bytes(), "q");
  ASSERT_TRUE(loaded.load(in).is_ok());
  EXPECT_EQ(loaded.row(42)[1], q.row(42)[1]);
}

TEST(QTable, RandomInitialValuesAreStableBeforeAndAfterARowExists) {
  QTable q(4, QInit::kRandom, 0.5, 77);
  const std::vector<double> before(q.row(9).begin(), q.row(9).end());
  for (double v : before) {
    EXPECT_GE(v, -0.5);
    EXPECT_LE(v, 0.5);
  }
  q.update(9, 0, 1.0, 3.0);  // alpha 1: Q(9,0) becomes the target
  EXPECT_EQ(q.row(9)[0], 3.0);
  for (std::size_t a = 1; a < 4; ++a) EXPECT_EQ(q.row(9)[a], before[a]);
  QTable other_seed(4, QInit::kRandom, 0.5, 78);
  EXPECT_NE(other_seed.row(9)[1], before[1]);
}

TEST(EvaluationCache, FailurePenaltyFollowsTheMeasuredRange) {
  EvaluationCache cache;
  cache.record(1, std::nullopt, std::nullopt);
  EXPECT_EQ(cache.loss(1), 1.0);  // before any success
  cache.record(2, 3.0, std::nullopt);
  cache.record(3, std::nullopt, std::nullopt);
  EXPECT_EQ(cache.loss(3), 4.0);  // one success: worst + 1
  cache.record(4, 1.0, std::nullopt);
  cache.record(5, std::nullopt, std::nullopt);
  EXPECT_EQ(cache.loss(5), 5.0);  // worst 3 + range 2
  cache.record(6, std::nullopt, -7.0);
  EXPECT_EQ(cache.loss(6), -7.0);  // configured penalty
  EXPECT_EQ(cache.best(), 4u);
  EXPECT_TRUE(cache.contains(6));
  EXPECT_FALSE(cache.contains(7));
  EXPECT_EQ(cache.size(), 6u);
}

}  // namespace
}  // namespace qtune::agent
