#include "qtune/metrics/evaluation_pixels.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <vector>

#include "metrics/nn/resize.h"
#include "metrics/stats/gaussian_window.h"

namespace qtune::metrics {
namespace {

struct ResizedPair {
  PlaneSize size;
  std::vector<float> stimulus;  // 3 planes, [0, 1]
  std::vector<float> reconstruction;
};

base::Status check_pair_counts(std::span<const Image> stimuli,
                               std::span<const Image> reconstructions, std::string_view what) {
  if (stimuli.empty()) {
    return base::Status::invalid_argument(
        fmt::format("{}: no images; give at least one stimulus and its reconstruction", what));
  }
  if (stimuli.size() != reconstructions.size()) {
    return base::Status::invalid_argument(fmt::format(
        "{}: {} stimuli and {} reconstructions; the images are paired by sorted file name, so "
        "both folders need the same number",
        what, stimuli.size(), reconstructions.size()));
  }
  return base::Status::ok();
}

base::Result<ResizedPair> resize_pair(const Image& stimulus, const Image& reconstruction,
                                      std::size_t index, std::string_view what) {
  for (const Image* im : {&stimulus, &reconstruction}) {
    if (im->width == 0 || im->height == 0 || im->pixels.size() != im->width * im->height * 3) {
      return base::Status::invalid_argument(
          fmt::format("{}: pair {} holds an empty or malformed image ({}x{}); expected RGB pixels",
                      what, index, im->width, im->height));
    }
  }
  ResizedPair pair;
  pair.size = shorter_side_to(stimulus.height, stimulus.width, kEvaluationPixelSide);
  const PlaneSize other =
      shorter_side_to(reconstruction.height, reconstruction.width, kEvaluationPixelSide);
  if (other != pair.size) {
    return base::Status::invalid_argument(fmt::format(
        "{}: pair {}: the stimulus ({}x{}) resizes to {}x{} but the reconstruction ({}x{}) to "
        "{}x{}; give the pair the same aspect ratio",
        what, index, stimulus.width, stimulus.height, pair.size.width, pair.size.height,
        reconstruction.width, reconstruction.height, other.width, other.height));
  }
  const std::size_t floats = 3 * pair.size.height * pair.size.width;
  pair.stimulus.resize(floats);
  pair.reconstruction.resize(floats);
  resize_to_unit_planes(stimulus, pair.size.height, pair.size.width, pair.stimulus);
  resize_to_unit_planes(reconstruction, pair.size.height, pair.size.width, pair.reconstruction);
  return pair;
}

// skimage.color.rgb2gray of CHW planes.
std::vector<double> grey_of(const std::vector<float>& planes, std::size_t pixels) {
  std::vector<double> grey(pixels);
  for (std::size_t i = 0; i < pixels; ++i) {
    grey[i] = 0.2125 * static_cast<double>(planes[i]) +
              0.7154 * static_cast<double>(planes[pixels + i]) +
              0.0721 * static_cast<double>(planes[2 * pixels + i]);
  }
  return grey;
}

// The mean over columns of the 1-D SSIM of each column (see the header).
double column_ssim(const std::vector<double>& x, const std::vector<double>& y, std::size_t h,
                   std::size_t w) {
  constexpr double kC1 = 0.01 * 0.01;  // data_range 1
  constexpr double kC2 = 0.03 * 0.03;
  constexpr long kR = ssim_window::kRadius;
  const auto& weights = ssim_window::weights();
  const long lh = static_cast<long>(h);
  double total = 0.0;
  for (std::size_t col = 0; col < w; ++col) {
    double column_sum = 0.0;
    for (long row = kR; row < lh - kR; ++row) {
      double ux = 0, uy = 0, uxx = 0, uyy = 0, uxy = 0;
      for (long k = -kR; k <= kR; ++k) {
        const std::size_t i = ssim_window::reflect(row + k, lh) * w + col;
        const double wk = weights[static_cast<std::size_t>(k + kR)];
        ux += wk * x[i];
        uy += wk * y[i];
        uxx += wk * x[i] * x[i];
        uyy += wk * y[i] * y[i];
        uxy += wk * x[i] * y[i];
      }
      const double vx = uxx - ux * ux;
      const double vy = uyy - uy * uy;
      const double vxy = uxy - ux * uy;
      column_sum += ((2.0 * ux * uy + kC1) * (2.0 * vxy + kC2)) /
                    ((ux * ux + uy * uy + kC1) * (vx + vy + kC2));
    }
    total += column_sum / static_cast<double>(h - 2 * static_cast<std::size_t>(kR));
  }
  return total / static_cast<double>(w);
}

}  // namespace

base::Result<double> pixcorr(std::span<const Image> stimuli,
                             std::span<const Image> reconstructions) {
  constexpr std::string_view kWhat = "pixcorr";
  QTUNE_RETURN_IF_ERROR(check_pair_counts(stimuli, reconstructions, kWhat));
  double sum = 0.0;
  for (std::size_t p = 0; p < stimuli.size(); ++p) {
    QTUNE_ASSIGN_OR_RETURN(const ResizedPair pair,
                           resize_pair(stimuli[p], reconstructions[p], p, kWhat));
    // Checked on the pixels: resizing a constant image leaves float round-off that would
    // give a meaningless r instead of numpy's nan.
    for (const Image* im : {&stimuli[p], &reconstructions[p]}) {
      if (std::all_of(im->pixels.begin(), im->pixels.end(),
                      [im](std::uint8_t v) { return v == im->pixels.front(); })) {
        return base::Status::invalid_argument(fmt::format(
            "pixcorr: pair {}: the {} is a constant image, so its correlation is undefined; "
            "leave pixcorr out for blank images or check that the image was written",
            p, im == &stimuli[p] ? "stimulus" : "reconstruction"));
      }
    }
    const std::size_t n = pair.stimulus.size();
    double mean_a = 0, mean_b = 0;
    for (std::size_t i = 0; i < n; ++i) {
      mean_a += static_cast<double>(pair.stimulus[i]);
      mean_b += static_cast<double>(pair.reconstruction[i]);
    }
    mean_a /= static_cast<double>(n);
    mean_b /= static_cast<double>(n);
    double saa = 0, sbb = 0, sab = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double a = static_cast<double>(pair.stimulus[i]) - mean_a;
      const double b = static_cast<double>(pair.reconstruction[i]) - mean_b;
      saa += a * a;
      sbb += b * b;
      sab += a * b;
    }
    if (!(saa > 0.0) || !(sbb > 0.0)) {
      return base::Status::invalid_argument(fmt::format(
          "pixcorr: pair {}: the {} is a constant image, so its correlation is undefined; "
          "leave pixcorr out for blank images or check that the image was written",
          p, saa > 0.0 ? "reconstruction" : "stimulus"));
    }
    sum += sab / std::sqrt(saa * sbb);
  }
  return sum / static_cast<double>(stimuli.size());
}

base::Result<double> ssim_mindeye(std::span<const Image> stimuli,
                                  std::span<const Image> reconstructions) {
  constexpr std::string_view kWhat = "ssim_mindeye";
  QTUNE_RETURN_IF_ERROR(check_pair_counts(stimuli, reconstructions, kWhat));
  double sum = 0.0;
  for (std::size_t p = 0; p < stimuli.size(); ++p) {
    QTUNE_ASSIGN_OR_RETURN(const ResizedPair pair,
                           resize_pair(stimuli[p], reconstructions[p], p, kWhat));
    const std::size_t h = pair.size.height;
    const std::size_t w = pair.size.width;
    sum += column_ssim(grey_of(pair.reconstruction, h * w), grey_of(pair.stimulus, h * w), h, w);
  }
  return sum / static_cast<double>(stimuli.size());
}

}  // namespace qtune::metrics
