// Value iteration against brute force: every (s, a) pair of a small grid enumerated with
// explicitly clamped moves, the Bellman operator V(s) = max_a R(T) + G(T)·V(T) iterated to
// its fixed point.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "agent/model/value_iteration.h"

namespace qtune::agent::model {
namespace {

using Grid = std::vector<int>;

std::vector<std::vector<int>> all_moves(std::size_t d, Neighbourhood hood) {
  std::vector<std::vector<int>> moves;
  if (hood == Neighbourhood::kSingle) {
    moves.emplace_back(d, 0);
    for (std::size_t k = 0; k < d; ++k) {
      for (int step : {-1, 1}) {
        std::vector<int> m(d, 0);
        m[k] = step;
        moves.push_back(m);
      }
    }
    return moves;
  }
  std::size_t count = 1;
  for (std::size_t k = 0; k < d; ++k) count *= 3;
  for (std::size_t a = 0; a < count; ++a) {
    std::vector<int> m(d);
    std::size_t rest = a;
    for (std::size_t k = d; k-- > 0; rest /= 3) m[k] = static_cast<int>(rest % 3) - 1;
    moves.push_back(m);
  }
  return moves;
}

// Brute-force fixed point on a whole grid; outside[s] marks states worth W = 0.
std::vector<double> brute_force(const Grid& n, Neighbourhood hood, const std::vector<double>& r,
                                const std::vector<double>& g) {
  const std::size_t d = n.size();
  std::size_t size = 1;
  for (int e : n) size *= static_cast<std::size_t>(e);
  const auto moves = all_moves(d, hood);
  std::vector<double> v(size, 0.0), next(size);
  for (int sweep = 0; sweep < 2000; ++sweep) {
    for (std::size_t s = 0; s < size; ++s) {
      std::vector<int> idx(d);
      std::size_t rest = s;
      for (std::size_t k = d; k-- > 0; rest /= static_cast<std::size_t>(n[k])) {
        idx[k] = static_cast<int>(rest % static_cast<std::size_t>(n[k]));
      }
      double best = -1e300;
      for (const auto& m : moves) {
        std::size_t t = 0;
        for (std::size_t k = 0; k < d; ++k) {
          const int i = std::clamp(idx[k] + m[k], 0, n[k] - 1);
          t = t * static_cast<std::size_t>(n[k]) + static_cast<std::size_t>(i);
        }
        best = std::max(best, r[t] + g[t] * v[t]);
      }
      next[s] = best;
    }
    v = next;
  }
  return v;
}

PlanningBox whole(const Grid& n) {
  PlanningBox box;
  for (int e : n) box.extents.push_back(static_cast<std::size_t>(e));
  box.clamp_low.assign(n.size(), true);
  box.clamp_high.assign(n.size(), true);
  return box;
}

void random_rewards(std::size_t size, std::uint64_t seed, std::vector<double>& r,
                    std::vector<double>& g) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  r.resize(size);
  g.resize(size);
  for (std::size_t s = 0; s < size; ++s) {
    const bool paid = unit(rng) < 0.7;
    r[s] = paid ? unit(rng) : 0.0;  // measured states pay nothing, as in planning
    g[s] = paid ? 0.5 : 0.98;
  }
}

class ValueIterationVsBruteForce : public ::testing::TestWithParam<Neighbourhood> {};

TEST_P(ValueIterationVsBruteForce, WholeGrid) {
  const Grid n = {3, 4, 2};
  const PlanningBox box = whole(n);
  std::vector<double> r, g;
  random_rewards(box.size(), 7, r, g);
  std::vector<double> v(box.size(), 0.0), w(box.size());
  const ValueIterationResult result = value_iteration(box, GetParam(), r, g, v, w, 1e-13, 5000);
  EXPECT_TRUE(result.converged);
  const std::vector<double> expected = brute_force(n, GetParam(), r, g);
  for (std::size_t s = 0; s < box.size(); ++s) {
    EXPECT_NEAR(v[s], expected[s], 1e-9) << "state " << s;
    EXPECT_NEAR(w[s], r[s] + g[s] * expected[s], 1e-9) << "state " << s;
  }
}

TEST_P(ValueIterationVsBruteForce, WindowInsideALargerGrid) {
  // The region rows 1..3, columns 2..5 of a 5×6 grid (bottom-right sides are grid edges);
  // states outside it are worth W = 0 (R = 0, G = 0 in the brute force).
  const Grid n = {5, 6};
  std::vector<double> r_full, g_full;
  random_rewards(30, 11, r_full, g_full);
  PlanningBox box;
  box.extents = {3, 4};
  box.clamp_low = {false, false};
  box.clamp_high = {false, true};
  std::vector<double> r, g;
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 6; ++j) {
      const std::size_t s = static_cast<std::size_t>(i * 6 + j);
      const bool inside = i >= 1 && i <= 3 && j >= 2;
      if (inside) {
        r.push_back(r_full[s]);
        g.push_back(g_full[s]);
      } else {
        r_full[s] = 0.0;
        g_full[s] = 0.0;
      }
    }
  }
  std::vector<double> v(box.size(), 0.0), w(box.size());
  value_iteration(box, GetParam(), r, g, v, w, 1e-13, 5000);
  const std::vector<double> expected = brute_force(n, GetParam(), r_full, g_full);
  for (std::size_t i = 0; i < 3; ++i) {
    for (std::size_t j = 0; j < 4; ++j) {
      EXPECT_NEAR(v[i * 4 + j], expected[(i + 1) * 6 + j + 2], 1e-9) << i << "," << j;
    }
  }
}

TEST_P(ValueIterationVsBruteForce, WarmStartReachesTheSameFixedPoint) {
  const PlanningBox box = whole({4, 3, 3});
  std::vector<double> r, g;
  random_rewards(box.size(), 3, r, g);
  std::vector<double> cold(box.size(), 0.0), warm(box.size(), 5.0), w(box.size());
  value_iteration(box, GetParam(), r, g, cold, w, 1e-13, 5000);
  value_iteration(box, GetParam(), r, g, warm, w, 1e-13, 5000);
  for (std::size_t s = 0; s < box.size(); ++s) EXPECT_NEAR(cold[s], warm[s], 1e-9);
}

INSTANTIATE_TEST_SUITE_P(Moves, ValueIterationVsBruteForce,
                         ::testing::Values(Neighbourhood::kJoint, Neighbourhood::kSingle));

}  // namespace
}  // namespace qtune::agent::model
