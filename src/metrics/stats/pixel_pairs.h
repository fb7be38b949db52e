// Shared checks of the paired metrics (private to the metrics module).
#pragma once

#include <fmt/format.h>

#include <string_view>

#include "qtune/base/status.h"
#include "qtune/metrics/image.h"
#include "qtune/metrics/paired_metrics.h"

namespace qtune::metrics {

// kInvalidArgument naming the pair unless a and b have the same width and height.
base::Status check_same_size(const Image& a, const Image& b, std::string_view name);

}  // namespace qtune::metrics
