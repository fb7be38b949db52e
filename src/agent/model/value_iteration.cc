#include "agent/model/value_iteration.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "qtune/base/result.h"

namespace qtune::agent::model {
namespace {

std::vector<std::size_t> strides_of(const PlanningBox& box) {
  std::vector<std::size_t> strides(box.extents.size(), 1);
  for (std::size_t k = box.extents.size(); k-- > 1;) strides[k - 1] = strides[k] * box.extents[k];
  return strides;
}

// In place along axis k: a[i] = max(a[i-1], a[i], a[i+1]) on every line, with clamped sides
// contributing nothing new and cut sides contributing 0.
void axis_max(const PlanningBox& box, std::size_t k, std::size_t stride, std::span<double> a) {
  const std::size_t n = box.extents[k];
  const std::size_t block = stride * n;
  const double low_pad = box.clamp_low[k] ? -std::numeric_limits<double>::infinity() : 0.0;
  const double high_pad = box.clamp_high[k] ? -std::numeric_limits<double>::infinity() : 0.0;
  for (std::size_t base = 0; base < a.size(); base += block) {
    for (std::size_t offset = 0; offset < stride; ++offset) {
      double* line = a.data() + base + offset;
      double previous = low_pad;
      for (std::size_t i = 0; i < n; ++i) {
        const double here = line[i * stride];
        const double next = i + 1 < n ? line[(i + 1) * stride] : high_pad;
        line[i * stride] = std::max({previous, here, next});
        previous = here;
      }
    }
  }
}

void cross_max(const PlanningBox& box, std::span<const double> in, std::span<double> out) {
  const std::vector<std::size_t> strides = strides_of(box);
  const std::size_t d = box.extents.size();
  for (std::size_t s = 0; s < in.size(); ++s) {
    double best = in[s];
    for (std::size_t k = 0; k < d; ++k) {
      const std::size_t i = (s / strides[k]) % box.extents[k];
      if (i > 0)
        best = std::max(best, in[s - strides[k]]);
      else if (!box.clamp_low[k])
        best = std::max(best, 0.0);
      if (i + 1 < box.extents[k])
        best = std::max(best, in[s + strides[k]]);
      else if (!box.clamp_high[k])
        best = std::max(best, 0.0);
    }
    out[s] = best;
  }
}

}  // namespace

std::size_t PlanningBox::size() const {
  std::size_t n = 1;
  for (std::size_t e : extents) n *= e;
  return n;
}

void neighbourhood_max(const PlanningBox& box, Neighbourhood hood, std::span<const double> in,
                       std::span<double> out) {
  QTUNE_CHECK(in.size() == box.size() && out.size() == box.size());
  if (hood == Neighbourhood::kSingle) {
    cross_max(box, in, out);
    return;
  }
  std::copy(in.begin(), in.end(), out.begin());
  const std::vector<std::size_t> strides = strides_of(box);
  for (std::size_t k = 0; k < box.extents.size(); ++k) axis_max(box, k, strides[k], out);
}

ValueIterationResult value_iteration(const PlanningBox& box, Neighbourhood hood,
                                     std::span<const double> r, std::span<const double> g,
                                     std::span<double> v, std::span<double> w, double tolerance,
                                     int max_sweeps) {
  const std::size_t n = box.size();
  QTUNE_CHECK(r.size() == n && g.size() == n && v.size() == n && w.size() == n);
  double r_max = 0.0;
  for (double x : r) r_max = std::max(r_max, std::abs(x));
  const double threshold = tolerance * r_max;
  std::vector<double> next(n);
  ValueIterationResult result;
  for (std::size_t s = 0; s < n; ++s) w[s] = r[s] + g[s] * v[s];
  while (result.sweeps < max_sweeps) {
    neighbourhood_max(box, hood, w, next);
    ++result.sweeps;
    double change = 0.0;
    for (std::size_t s = 0; s < n; ++s) {
      change = std::max(change, std::abs(next[s] - v[s]));
      v[s] = next[s];
      w[s] = r[s] + g[s] * v[s];
    }
    if (change <= threshold) {
      result.converged = true;
      break;
    }
  }
  return result;
}

}  // namespace qtune::agent::model
