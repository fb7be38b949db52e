// Value iteration of the planned Q-table over a box-shaped region of the grid.
//
// With a per-state reward R(s') for landing on s' and a per-state discount G(s'),
//
//   Q(s,a) = W[T(s,a)],   W = R + G ⊙ V,   V(s) = max_a Q(s,a) = max of W over the moves of s,
//
// so the full table never has to be stored. For joint moves (every -1/0/+1 combination) the
// neighbourhood is the clamped 3×…×3 box, a separable max-filter: one Bellman sweep over all
// N·3^d pairs costs O(N·d). For single moves (stay or one dimension ±1) it is the cross.
//
// The region is a box of the grid in row-major order (first dimension most significant).
// Each side of it is either the grid's edge, where moves clamp (the state stays), or an
// inner cut of a larger grid, where moves leave the region into states worth W = 0 (the
// planning horizon of a window). The zero outside is exact for a box: a state outside it
// stays outside along every other axis, so the separable filter loses nothing.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace qtune::agent::model {

struct PlanningBox {
  std::vector<std::size_t> extents;  // states along each dimension, >= 1
  std::vector<bool> clamp_low;       // true: the low side is the grid's edge
  std::vector<bool> clamp_high;
  std::size_t size() const;
};

enum class Neighbourhood { kJoint, kSingle };

// out(s) = max of in(t) over the moves t of s (0 for moves that leave the region).
void neighbourhood_max(const PlanningBox& box, Neighbourhood hood, std::span<const double> in,
                       std::span<double> out);

struct ValueIterationResult {
  int sweeps = 0;
  bool converged = false;
};

// Iterates V ← neighbourhood_max(R + G ⊙ V) from the given V (a warm start) until
// max|ΔV| < tolerance · max|R| or `max_sweeps`; leaves the final V in `v` and R + G ⊙ V in `w`.
ValueIterationResult value_iteration(const PlanningBox& box, Neighbourhood hood,
                                     std::span<const double> r, std::span<const double> g,
                                     std::span<double> v, std::span<double> w,
                                     double tolerance = 1e-5, int max_sweeps = 300);

}  // namespace qtune::agent::model
