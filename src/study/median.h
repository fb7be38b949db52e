// The median of a non-empty list of numbers (the mean of the two middle ones for an even
// count), for the pruning rules and the compute budget. Private to study.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace qtune::study::detail {

inline double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace qtune::study::detail
