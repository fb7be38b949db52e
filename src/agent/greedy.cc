#include "agent/greedy.h"

#include "qtune/base/check.h"

namespace qtune::agent {

space::Action greedy_action(std::span<const double> q, Rng& rng) {
  QTUNE_CHECK(!q.empty());
  std::size_t best = 0;
  std::uint64_t ties = 1;
  for (std::size_t a = 1; a < q.size(); ++a) {
    if (q[a] > q[best]) {
      best = a;
      ties = 1;
    } else if (q[a] == q[best]) {
      ++ties;
      if (rng.below(ties) == 0) best = a;  // keeps each of the tied actions with prob 1/ties
    }
  }
  return static_cast<space::Action>(best);
}

space::Action epsilon_greedy_action(std::span<const double> q, double epsilon, Rng& rng) {
  if (rng.uniform() < epsilon) return static_cast<space::Action>(rng.below(q.size()));
  return greedy_action(q, rng);
}

}  // namespace qtune::agent
