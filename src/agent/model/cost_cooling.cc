#include "agent/model/cost_cooling.h"

#include <algorithm>
#include <cmath>

namespace qtune::agent::model {

double cost_exponent(std::optional<double> budget, double spent) {
  if (!budget || !(*budget > 0.0)) return kUnbudgetedExponent;
  return std::clamp((*budget - spent) / *budget, 0.0, 1.0);
}

double cost_penalty(double cost, double reference, double exponent) {
  if (!(reference > 0.0) || !(cost > 0.0)) return 1.0;
  return std::pow(cost / reference, exponent);
}

}  // namespace qtune::agent::model
