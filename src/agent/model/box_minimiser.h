// minimise_in_box: a projected quasi-Newton (BFGS) minimiser for small smooth problems
// with bound constraints, as used to fit the reward model's few hyperparameters (d+2 of
// them; dense BFGS is cheaper than L-BFGS bookkeeping at that size).
//
// Variables at a bound whose gradient points outward are held fixed for the step; the
// step is projected back into the box and accepted by an Armijo backtracking search.
// Deterministic; never fails: it returns the best point seen.
#pragma once

#include <Eigen/Dense>
#include <functional>

namespace qtune::agent::model {

// Returns f(x) and, when `gradient` is not null, writes ∇f(x) into it.
using Objective = std::function<double(const Eigen::VectorXd& x, Eigen::VectorXd* gradient)>;

struct BoxMinimum {
  Eigen::VectorXd x;
  double value = 0.0;
  int iterations = 0;
};

BoxMinimum minimise_in_box(const Objective& f, Eigen::VectorXd x0, const Eigen::VectorXd& lower,
                           const Eigen::VectorXd& upper, int max_iterations);

}  // namespace qtune::agent::model
