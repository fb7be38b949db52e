// Order statistics of a non-empty list of numbers, for the pruning rules and the compute
// budget. Private to study.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace qtune::study::detail {

// The mean of the two middle ones for an even count.
inline double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// The `fraction` quantile (0: the least, 1: the greatest), linear between the order
// statistics at fraction x (n - 1); quantile(v, 0.5) == median(v).
inline double quantile(std::vector<double> values, double fraction) {
  std::sort(values.begin(), values.end());
  const double at = std::clamp(fraction, 0.0, 1.0) * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(at);
  if (below + 1 >= values.size()) return values.back();
  const double above_weight = at - static_cast<double>(below);
  return values[below] + above_weight * (values[below + 1] - values[below]);
}

}  // namespace qtune::study::detail
