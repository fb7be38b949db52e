// Order statistics of a non-empty list of numbers, for the pruning rules and the compute
// budget. Private to study.
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace qtune::study::detail {

// The `fraction` quantile (0: the least, 1: the greatest), linear between the order
// statistics at fraction x (n - 1). Written (1 - w) a + w b, so that the midpoint of an even
// count is (a + b) / 2 exactly and an order statistic itself is returned unchanged.
inline double quantile(std::vector<double> values, double fraction) {
  std::sort(values.begin(), values.end());
  const double at = std::clamp(fraction, 0.0, 1.0) * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(at);
  if (below + 1 >= values.size()) return values.back();
  const double w = at - static_cast<double>(below);
  return w == 0.0 ? values[below] : (1.0 - w) * values[below] + w * values[below + 1];
}

// The mean of the two middle ones for an even count.
inline double median(std::vector<double> values) { return quantile(std::move(values), 0.5); }

}  // namespace qtune::study::detail
