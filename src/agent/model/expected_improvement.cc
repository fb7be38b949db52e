#include "agent/model/expected_improvement.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace qtune::agent::model {

double expected_improvement(double mean, double sd, double incumbent) {
  const double gain = incumbent - mean;
  if (!(sd > 0.0)) return std::max(gain, 0.0);
  const double u = gain / sd;
  const double pdf = std::exp(-0.5 * u * u) / std::sqrt(2.0 * std::numbers::pi);
  const double cdf = 0.5 * std::erfc(-u / std::numbers::sqrt2);
  return std::max(sd * pdf + gain * cdf, 0.0);
}

}  // namespace qtune::agent::model
