// ProposalPortfolio: which proposal rule model-based q-learning uses for its next paid step,
// learned on the study itself. Each rule is an arm of a Bernoulli bandit whose payoff is
// "the state it proposed improved on the best loss measured so far"; the arm is chosen by
// Thompson sampling from Beta(1 + s, 1 + f) posteriors, where s and f are the rule's
// successes and failures, discounted by `discount` per reward told (any rule's), so that a
// rule that paid early and stopped paying loses its lead (discounted Thompson sampling,
// Raj & Kalyani, 2017). One rule: always that rule, and no random draw.
#pragma once

#include <cstddef>
#include <vector>

#include "agent/rng.h"
#include "base/bytes.h"
#include "qtune/base/result.h"

namespace qtune::agent::model {

class ProposalPortfolio {
 public:
  // `rules` >= 1, `discount` in (0, 1].
  ProposalPortfolio(std::size_t rules, double discount);

  std::size_t rules() const { return successes_.size(); }
  // The rule with the largest posterior draw (ties: the lowest index).
  std::size_t choose(Rng& rng) const;
  // Discounts every rule's counts, then counts the outcome of `rule`'s proposal.
  void reward(std::size_t rule, bool success);

  // The discounted counts (for tests).
  double successes(std::size_t rule) const { return successes_[rule]; }
  double failures(std::size_t rule) const { return failures_[rule]; }

  void save(base::ByteWriter& out) const;
  // kCorrupt when the saved portfolio has another number of rules or negative counts.
  base::Status load(base::ByteReader& in);

 private:
  double discount_;
  std::vector<double> successes_, failures_;
};

// Samplers on the strategy's stream: a standard normal (Box-Muller), Gamma(shape, 1)
// (Marsaglia & Tsang, 2000; shape < 1 by boosting) and Beta(a, b) as a ratio of gammas.
double sample_normal(Rng& rng);
double sample_gamma(Rng& rng, double shape);
double sample_beta(Rng& rng, double a, double b);

}  // namespace qtune::agent::model
