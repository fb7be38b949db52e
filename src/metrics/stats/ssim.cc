// SSIM exactly as scikit-image 0.19 structural_similarity(gaussian_weights=True, ...)
// computes it: scipy.ndimage.gaussian_filter (sigma 1.5, truncate 3.5 -> radius 5, mode
// 'reflect' = edge sample repeated: d c b a | a b c d) applied separably per channel in
// float64, population covariances, K1 = 0.01, K2 = 0.03, the 5-pixel border cropped.
#include <array>
#include <cmath>
#include <cstddef>
#include <vector>

#include "metrics/stats/gaussian_window.h"
#include "metrics/stats/pixel_pairs.h"

namespace qtune::metrics {
namespace {

using ssim_window::kRadius;
using ssim_window::reflect;
constexpr double kRange = 255.0;
constexpr double kC1 = (0.01 * kRange) * (0.01 * kRange);
constexpr double kC2 = (0.03 * kRange) * (0.03 * kRange);

// Separable Gaussian filter of an h x w plane: along rows (axis 0) first, as scipy does.
std::vector<double> gaussian_filter(const std::vector<double>& in, std::size_t h, std::size_t w) {
  const std::array<double, 2 * kRadius + 1>& weights = ssim_window::weights();
  const long lh = static_cast<long>(h);
  const long lw = static_cast<long>(w);
  std::vector<double> tmp(h * w);
  for (long y = 0; y < lh; ++y) {
    for (long x = 0; x < lw; ++x) {
      double sum = 0.0;
      for (long k = -kRadius; k <= kRadius; ++k) {
        sum += weights[static_cast<std::size_t>(k + kRadius)] *
               in[reflect(y + k, lh) * w + static_cast<std::size_t>(x)];
      }
      tmp[static_cast<std::size_t>(y) * w + static_cast<std::size_t>(x)] = sum;
    }
  }
  std::vector<double> out(h * w);
  for (long y = 0; y < lh; ++y) {
    const double* row = tmp.data() + static_cast<std::size_t>(y) * w;
    for (long x = 0; x < lw; ++x) {
      double sum = 0.0;
      for (long k = -kRadius; k <= kRadius; ++k) {
        sum += weights[static_cast<std::size_t>(k + kRadius)] * row[reflect(x + k, lw)];
      }
      out[static_cast<std::size_t>(y) * w + static_cast<std::size_t>(x)] = sum;
    }
  }
  return out;
}

double channel_ssim(const Image& a, const Image& b, std::size_t c) {
  const std::size_t h = a.height;
  const std::size_t w = a.width;
  std::vector<double> x(h * w), y(h * w), xx(h * w), yy(h * w), xy(h * w);
  for (std::size_t i = 0; i < h * w; ++i) {
    x[i] = a.pixels[i * 3 + c];
    y[i] = b.pixels[i * 3 + c];
    xx[i] = x[i] * x[i];
    yy[i] = y[i] * y[i];
    xy[i] = x[i] * y[i];
  }
  const std::vector<double> ux = gaussian_filter(x, h, w);
  const std::vector<double> uy = gaussian_filter(y, h, w);
  const std::vector<double> uxx = gaussian_filter(xx, h, w);
  const std::vector<double> uyy = gaussian_filter(yy, h, w);
  const std::vector<double> uxy = gaussian_filter(xy, h, w);
  const std::size_t pad = kRadius;
  double sum = 0.0;
  for (std::size_t r = pad; r < h - pad; ++r) {
    for (std::size_t col = pad; col < w - pad; ++col) {
      const std::size_t i = r * w + col;
      const double vx = uxx[i] - ux[i] * ux[i];
      const double vy = uyy[i] - uy[i] * uy[i];
      const double vxy = uxy[i] - ux[i] * uy[i];
      const double num = (2.0 * ux[i] * uy[i] + kC1) * (2.0 * vxy + kC2);
      const double den = (ux[i] * ux[i] + uy[i] * uy[i] + kC1) * (vx + vy + kC2);
      sum += num / den;
    }
  }
  return sum / static_cast<double>((h - 2 * pad) * (w - 2 * pad));
}

}  // namespace

base::Result<double> structural_similarity(const Image& a, const Image& b, std::string_view name) {
  QTUNE_RETURN_IF_ERROR(check_same_size(a, b, name));
  const std::size_t window = 2 * kRadius + 1;
  if (a.width < window || a.height < window) {
    return base::Status::invalid_argument(fmt::format(
        "{}: {}x{} images are smaller than the {}x{} SSIM window; use images of at least "
        "{} pixels a side or leave ssim out of --metrics",
        name, a.width, a.height, window, window, window));
  }
  double sum = 0.0;
  for (std::size_t c = 0; c < 3; ++c) sum += channel_ssim(a, b, c);
  return sum / 3.0;
}

}  // namespace qtune::metrics
