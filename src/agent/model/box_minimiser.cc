#include "agent/model/box_minimiser.h"

#include <algorithm>
#include <cmath>

namespace qtune::agent::model {
namespace {

constexpr double kArmijo = 1e-4;
constexpr double kProjectedGradientTolerance = 1e-5;
constexpr double kRelativeDecreaseTolerance = 1e-9;
constexpr int kMaxBacktracks = 30;

// The gradient with the components of variables held at a bound (gradient pointing out of
// the box) set to zero: its norm is the first-order optimality measure.
Eigen::VectorXd free_gradient(const Eigen::VectorXd& x, const Eigen::VectorXd& g,
                              const Eigen::VectorXd& lower, const Eigen::VectorXd& upper) {
  Eigen::VectorXd out = g;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    if ((x[i] <= lower[i] && g[i] > 0.0) || (x[i] >= upper[i] && g[i] < 0.0)) out[i] = 0.0;
  }
  return out;
}

}  // namespace

BoxMinimum minimise_in_box(const Objective& f, Eigen::VectorXd x0, const Eigen::VectorXd& lower,
                           const Eigen::VectorXd& upper, int max_iterations) {
  const Eigen::Index n = x0.size();
  BoxMinimum best;
  best.x = x0.cwiseMax(lower).cwiseMin(upper);
  Eigen::VectorXd g(n);
  best.value = f(best.x, &g);
  if (!std::isfinite(best.value)) return best;
  Eigen::MatrixXd h = Eigen::MatrixXd::Identity(n, n);  // inverse Hessian estimate
  for (int it = 0; it < max_iterations; ++it) {
    best.iterations = it + 1;
    const Eigen::VectorXd gf = free_gradient(best.x, g, lower, upper);
    if (gf.lpNorm<Eigen::Infinity>() < kProjectedGradientTolerance) break;
    Eigen::VectorXd direction = -(h * gf);
    for (Eigen::Index i = 0; i < n; ++i) {
      if (gf[i] == 0.0) direction[i] = 0.0;
    }
    if (direction.dot(gf) >= 0.0) {  // not a descent direction: restart from steepest descent
      h.setIdentity();
      direction = -gf;
    }
    // The first step has no curvature yet: cap its largest component at 1.
    double step = it == 0 ? std::min(1.0, 1.0 / direction.lpNorm<Eigen::Infinity>()) : 1.0;
    Eigen::VectorXd x_new;
    Eigen::VectorXd g_new(n);
    double f_new = 0.0;
    bool accepted = false;
    for (int b = 0; b < kMaxBacktracks; ++b, step *= 0.5) {
      x_new = (best.x + step * direction).cwiseMax(lower).cwiseMin(upper);
      f_new = f(x_new, &g_new);
      if (std::isfinite(f_new) && f_new <= best.value + kArmijo * g.dot(x_new - best.x)) {
        accepted = true;
        break;
      }
    }
    if (!accepted) break;
    const Eigen::VectorXd s = x_new - best.x;
    const Eigen::VectorXd y = g_new - g;
    const double decrease = best.value - f_new;
    best.x = x_new;
    best.value = f_new;
    g = g_new;
    const double sy = s.dot(y);
    if (sy > 1e-12) {  // BFGS update of the inverse Hessian keeps it positive definite
      const double rho = 1.0 / sy;
      const Eigen::MatrixXd v = Eigen::MatrixXd::Identity(n, n) - rho * y * s.transpose();
      h = v.transpose() * h * v + rho * s * s.transpose();
    }
    if (decrease <= kRelativeDecreaseTolerance * (1.0 + std::abs(best.value))) break;
  }
  return best;
}

}  // namespace qtune::agent::model
