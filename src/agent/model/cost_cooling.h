// Cost-cooled expected improvement (Lee et al., "Cost-aware Bayesian optimization", 2020:
// EI-cool): the value of measuring a state whose cost is predicted as c is
//
//   EI / (c / c_ref)^a,   a = (B − spent) / B  (clamped to [0, 1]),
//
// with c_ref the median measured cost (so a state of typical cost keeps its EI). At the start
// of a compute budget B the value is EI per cost, cheap states first; as the budget is spent
// a falls to 0 and the value becomes plain EI. This guards against plain EI-per-cost's known
// failure when costs vary widely: it keeps buying cheap, uninformative states and never pays
// for the expensive region where the optimum often lies (high maxiter, large widths).
// Without a budget a stays at kUnbudgetedExponent.
#pragma once

#include <optional>

namespace qtune::agent::model {

inline constexpr double kUnbudgetedExponent = 0.5;

// a above; `budget` nullopt: kUnbudgetedExponent.
double cost_exponent(std::optional<double> budget, double spent);

// The factor that divides EI: (cost / reference)^exponent; 1 for a non-positive reference.
double cost_penalty(double cost, double reference, double exponent);

}  // namespace qtune::agent::model
