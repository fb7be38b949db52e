// PlanningWindow: the part of the grid that one decision plans over, a box of states.
//
// On grids of at most `max_states` states the window is the whole grid. On larger grids
// it is the box of Chebyshev radius r around a centre state, clipped at the grid's edges,
// with the largest r that keeps it within `max_states` (at least r = 1): the reward model
// is evaluated and value iteration runs only there, so a decision costs O(window), and
// states outside it are worth nothing to the plan (see value_iteration.h).
//
// Features of a state: an ordered dimension is one column x_k = i_k / (n_k − 1) (0 for a
// dimension of one value); a categorical dimension of m > 2 levels is m one-hot columns of
// value √½, so that any two different levels are at distance 1, whatever the order they
// were written in (two levels: one column, which is the same thing).
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "agent/model/value_iteration.h"
#include "qtune/space/space.h"

namespace qtune::agent::model {

// The dimension each feature column belongs to (the kernel's lengthscale of that column):
// 0, 1, ..., d - 1 when no dimension is one-hot.
std::vector<Eigen::Index> feature_dimensions(const space::Space& space);
// The feature row of `state`.
Eigen::RowVectorXd state_features(const space::Space& space, space::StateId state);
// The feature rows of `states`, in order.
Eigen::MatrixXd state_features(const space::Space& space, std::span<const space::StateId> states);

class PlanningWindow {
 public:
  PlanningWindow(const space::Space& space, space::StateId centre, std::uint64_t max_states);

  bool whole_grid() const { return whole_grid_; }
  const PlanningBox& box() const { return box_; }
  std::size_t size() const { return box_.size(); }
  const std::vector<space::Index>& origin() const { return origin_; }
  // Position of `state` in the window (row-major), or nullopt outside it.
  std::optional<std::size_t> local(space::StateId state) const;
  space::StateId state(std::size_t local) const;
  // Feature rows of every window state, in window order.
  Eigen::MatrixXd features() const;

 private:
  const space::Space* space_;  // not owned
  bool whole_grid_ = true;
  std::vector<space::Index> origin_;
  PlanningBox box_;
};

}  // namespace qtune::agent::model
