// The Gaussian window of scikit-image's structural_similarity(gaussian_weights=True,
// sigma=1.5): scipy.ndimage's 1-D kernel (truncate 3.5 -> radius int(3.5 * 1.5 + 0.5) = 5,
// normalised to sum 1) and its 'reflect' boundary (d c b a | a b c d). Shared by `ssim`
// (ssim.cc) and `ssim_mindeye` (evaluation_pixels.cc). Private to the metrics module.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>

namespace qtune::metrics::ssim_window {

inline constexpr int kRadius = 5;
inline constexpr double kSigma = 1.5;

inline std::array<double, 2 * kRadius + 1> make_weights() {
  std::array<double, 2 * kRadius + 1> w{};
  double sum = 0.0;
  for (int i = -kRadius; i <= kRadius; ++i) {
    w[static_cast<std::size_t>(i + kRadius)] = std::exp(-0.5 / (kSigma * kSigma) * i * i);
    sum += w[static_cast<std::size_t>(i + kRadius)];
  }
  for (double& v : w) v /= sum;
  return w;
}

inline const std::array<double, 2 * kRadius + 1>& weights() {
  static const std::array<double, 2 * kRadius + 1> w = make_weights();
  return w;
}

// scipy 'reflect' for an index at most one length outside [0, n).
inline std::size_t reflect(long i, long n) {
  if (i < 0) i = -i - 1;
  if (i >= n) i = 2 * n - i - 1;
  return static_cast<std::size_t>(i);
}

}  // namespace qtune::metrics::ssim_window
