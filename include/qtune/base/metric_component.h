// MetricComponent: one metric of a reward built from several ([trial] metric = { combine =
// [...] }): its name (the built-in metric's, "fid", "alexnet2"), the raw value measured, the
// weight the study file gave it and whether a higher value is better. The executor measures
// them, the study turns them into one loss (study/combined_metric.h), the store keeps them
// with the trial, so that every reader can rank and compare trials from the records alone.
#pragma once

#include <string>

namespace qtune {

struct MetricComponent {
  std::string name;
  double value = 0;
  double weight = 1;      // > 0
  bool maximize = false;  // true: higher is better (alexnet2, ssim, ...)
  bool operator==(const MetricComponent&) const = default;
};

}  // namespace qtune
