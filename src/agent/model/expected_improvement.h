// Expected improvement of a loss to minimise: the reward model's value of measuring a
// state whose loss is predicted as N(μ, σ²), against the incumbent z*:
//
//   EI = σ φ(u) + (z* − μ) Φ(u),   u = (z* − μ) / σ;   EI = max(z* − μ, 0) when σ = 0.
//
// Always >= 0.
#pragma once

namespace qtune::agent::model {

double expected_improvement(double mean, double sd, double incumbent);

}  // namespace qtune::agent::model
