// ProgressPoint: one intermediate value a running trial reported ([trial] progress): its step
// (an epoch, an iteration) and the value, the metric's raw number. The executor's progress
// reader makes them, the store keeps them, the study's pruning rule reads them.
#pragma once

#include <cstdint>

namespace qtune {

struct ProgressPoint {
  std::int64_t step = 0;
  double value = 0;
  bool operator==(const ProgressPoint&) const = default;
};

}  // namespace qtune
