// The bandit over proposal rules of model-based q-learning: its samplers against the
// distributions' moments, that it moves its choices to the rule that pays and away from one
// that stopped paying, determinism for a stream, and its snapshot.
#include "agent/model/proposal_portfolio.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

namespace qtune::agent::model {
namespace {

// Mean and variance of n draws.
template <typename Draw>
std::pair<double, double> moments(Draw draw, int n) {
  double sum = 0.0, sum2 = 0.0;
  for (int i = 0; i < n; ++i) {
    const double x = draw();
    sum += x;
    sum2 += x * x;
  }
  const double mean = sum / n;
  return {mean, sum2 / n - mean * mean};
}

TEST(ProposalPortfolio, SamplersMatchTheirDistributionsMoments) {
  Rng rng(3);
  constexpr int kDraws = 40000;  // standard error of a mean below 0.5% of its sd
  const auto [nm, nv] = moments([&] { return sample_normal(rng); }, kDraws);
  EXPECT_NEAR(nm, 0.0, 0.02);
  EXPECT_NEAR(nv, 1.0, 0.03);
  for (const double shape : {0.4, 1.0, 3.5}) {  // Gamma(k, 1): mean k, variance k
    const auto [m, v] = moments([&] { return sample_gamma(rng, shape); }, kDraws);
    EXPECT_NEAR(m, shape, 0.03 * shape) << shape;
    EXPECT_NEAR(v, shape, 0.08 * shape) << shape;
  }
  // Beta(2, 5): mean 2/7, variance ab / ((a+b)^2 (a+b+1)) = 10/392.
  const auto [bm, bv] = moments([&] { return sample_beta(rng, 2.0, 5.0); }, kDraws);
  EXPECT_NEAR(bm, 2.0 / 7.0, 0.004);
  EXPECT_NEAR(bv, 10.0 / 392.0, 0.001);
}

// Plays `rounds` rounds in which rule r's proposal succeeds with probability pay[r] (its own
// stream); returns how often each rule was chosen in the last half.
std::vector<int> play(ProposalPortfolio& portfolio, Rng& rng, const std::vector<double>& pay,
                      int rounds) {
  Rng world(99);
  std::vector<int> chosen(pay.size(), 0);
  for (int i = 0; i < rounds; ++i) {
    const std::size_t r = portfolio.choose(rng);
    if (i >= rounds / 2) ++chosen[r];
    portfolio.reward(r, world.uniform() < pay[r]);
  }
  return chosen;
}

TEST(ProposalPortfolio, MovesItsChoicesToTheRuleThatPays) {
  // Over 200 plays of 60 rounds, rules paying 10%, 60% and 5%: a uniform choice would give
  // the paying rule a third of the later choices; Thompson sampling gives it most of them,
  // fewer with a discount (it forgets, so it keeps trying the others).
  for (const auto& [discount, least] : {std::pair{1.0, 0.75}, std::pair{0.9, 0.5}}) {
    std::vector<int> total(3, 0);
    for (std::uint64_t seed = 1; seed <= 200; ++seed) {
      ProposalPortfolio portfolio(3, discount);
      Rng rng(seed);
      const std::vector<int> chosen = play(portfolio, rng, {0.1, 0.6, 0.05}, 60);
      for (std::size_t r = 0; r < 3; ++r) total[r] += chosen[r];
    }
    const double share = total[1] / (200.0 * 30.0);
    EXPECT_GT(share, least) << "discount " << discount << ": " << total[0] << " " << total[1] << " "
                            << total[2];
    EXPECT_GT(total[0], total[2]) << "discount " << discount;  // 10% beats 5%, less clearly
  }
}

TEST(ProposalPortfolio, ForgetsARuleThatStoppedPaying) {
  ProposalPortfolio portfolio(2, 0.8);
  Rng rng(5);
  play(portfolio, rng, {0.9, 0.1}, 40);  // rule 0 pays first
  const std::vector<int> later = play(portfolio, rng, {0.0, 0.5}, 60);
  EXPECT_GT(later[1], later[0]);
  // Without a discount the early record of rule 0 weighs as much as the recent one.
  ProposalPortfolio undiscounted(2, 1.0);
  Rng same(5);
  play(undiscounted, same, {0.9, 0.1}, 40);
  play(undiscounted, same, {0.0, 0.5}, 60);
  EXPECT_GT(undiscounted.successes(0), portfolio.successes(0));
}

TEST(ProposalPortfolio, OneRuleNeverDrawsAndIsAlwaysChosen) {
  ProposalPortfolio portfolio(1, 0.9);
  Rng rng(1), untouched(1);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(portfolio.choose(rng), 0u);
  EXPECT_EQ(rng.next(), untouched.next());  // the stream did not move
}

TEST(ProposalPortfolio, IsDeterministicForAStreamAndSurvivesASnapshot) {
  ProposalPortfolio a(3, 0.9), b(3, 0.9);
  Rng ra(11), rb(11);
  EXPECT_EQ(play(a, ra, {0.2, 0.4, 0.3}, 30), play(b, rb, {0.2, 0.4, 0.3}, 30));
  base::ByteWriter out;
  a.save(out);
  const std::string bytes = out.take();
  ProposalPortfolio restored(3, 0.9);
  base::ByteReader in(bytes, "portfolio");
  ASSERT_TRUE(restored.load(in).is_ok());
  for (std::size_t r = 0; r < 3; ++r) {
    EXPECT_EQ(restored.successes(r), a.successes(r));
    EXPECT_EQ(restored.failures(r), a.failures(r));
  }
  ProposalPortfolio other(2, 0.9);
  base::ByteReader again(bytes, "portfolio");
  EXPECT_EQ(other.load(again).code(), base::StatusCode::kCorrupt);
}

}  // namespace
}  // namespace qtune::agent::model
