#include "agent/greedy.h"

#include <algorithm>

#include "qtune/base/result.h"

namespace qtune::agent {

space::Action greedy_action(std::span<const double> q, Rng& rng) {
  QTUNE_CHECK(!q.empty());
  // Two passes and at most one draw: rows start out all tied (3^d equal values), and a
  // draw per tie would dominate the cost of a step.
  const double best = *std::max_element(q.begin(), q.end());
  const auto ties = static_cast<std::uint64_t>(std::count(q.begin(), q.end(), best));
  std::uint64_t pick = ties == 1 ? 0 : rng.below(ties);
  for (std::size_t a = 0;; ++a) {
    if (q[a] == best && pick-- == 0) return static_cast<space::Action>(a);
  }
}

space::Action epsilon_greedy_action(std::span<const double> q, double epsilon, Rng& rng) {
  if (rng.uniform() < epsilon) return static_cast<space::Action>(rng.below(q.size()));
  return greedy_action(q, rng);
}

}  // namespace qtune::agent
