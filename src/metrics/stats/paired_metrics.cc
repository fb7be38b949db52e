#include <cmath>
#include <limits>
#include <utility>

#include "metrics/stats/pixel_pairs.h"

namespace qtune::metrics {

base::Status check_same_size(const Image& a, const Image& b, std::string_view name) {
  if (a.width == b.width && a.height == b.height) return base::Status::ok();
  return base::Status::invalid_argument(
      fmt::format("{}: the images are {}x{} and {}x{}; paired metrics need a reconstruction of the "
                  "stimulus's size",
                  name, a.width, a.height, b.width, b.height));
}

base::Result<PairScores> score_pair(const Image& a, const Image& b, std::string name,
                                    PairedSsim with_ssim) {
  QTUNE_RETURN_IF_ERROR(check_same_size(a, b, name));
  double ssim = std::numeric_limits<double>::quiet_NaN();
  if (with_ssim == PairedSsim::kCompute) {
    QTUNE_ASSIGN_OR_RETURN(ssim, structural_similarity(a, b, name));
  }
  const std::size_t n = a.pixels.size();
  double mean_a = 0.0;
  double mean_b = 0.0;
  double squared_error = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = a.pixels[i];
    const double y = b.pixels[i];
    mean_a += x;
    mean_b += y;
    squared_error += (x - y) * (x - y);
  }
  mean_a /= static_cast<double>(n);
  mean_b /= static_cast<double>(n);
  double sxy = 0.0;
  double sxx = 0.0;
  double syy = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = a.pixels[i] - mean_a;
    const double y = b.pixels[i] - mean_b;
    sxy += x * y;
    sxx += x * x;
    syy += y * y;
  }
  const double mse = squared_error / static_cast<double>(n);
  const double psnr =
      mse == 0.0 ? std::numeric_limits<double>::infinity() : 10.0 * std::log10(255.0 * 255.0 / mse);
  const double pcc = (sxx == 0.0 || syy == 0.0) ? std::numeric_limits<double>::quiet_NaN()
                                                : sxy / std::sqrt(sxx * syy);
  return PairScores{.name = std::move(name), .mse = mse, .psnr = psnr, .ssim = ssim, .pcc = pcc};
}

}  // namespace qtune::metrics
