#include "metrics/nn/resize.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "qtune/base/result.h"

namespace qtune::metrics {
namespace {

// One output coordinate's two source neighbours and their weights (PyTorch's
// compute_indices_weights_linear with align_corners=False).
struct Tap {
  std::size_t index0 = 0;
  std::size_t index1 = 0;
  float weight0 = 0;
  float weight1 = 0;
};

// The precisions are PyTorch's (measured to the bit against torch 1.13): the scale is
// in / out in float, the source index and lambda are computed in double (the CPU
// accumulate type) and lambda is rounded to float once.
std::vector<Tap> taps(std::size_t in, std::size_t out) {
  const auto scale = static_cast<double>(static_cast<float>(in) / static_cast<float>(out));
  std::vector<Tap> result(out);
  for (std::size_t dst = 0; dst < out; ++dst) {
    const double src = std::max(scale * (static_cast<double>(dst) + 0.5) - 0.5, 0.0);
    const auto index0 = static_cast<std::size_t>(src);  // src >= 0: truncation is floor
    const auto lambda =
        static_cast<float>(std::min(std::max(src - static_cast<double>(index0), 0.0), 1.0));
    const std::size_t index1 = index0 < in - 1 ? index0 + 1 : index0;
    result[dst] = Tap{index0, index1, 1.0f - lambda, lambda};
  }
  return result;
}

}  // namespace

void resize_to_unit_planes(const Image& image, std::size_t height, std::size_t width,
                           std::span<float> planes) {
  QTUNE_CHECK(image.width > 0 && image.height > 0 &&
              image.pixels.size() == image.width * image.height * 3);
  QTUNE_CHECK(height > 0 && width > 0 && planes.size() == 3 * height * width);
  const std::vector<Tap> rows = taps(image.height, height);
  const std::vector<Tap> cols = taps(image.width, width);

  std::vector<float> unit(image.width * image.height);  // one channel, ToTensor's u8 / 255
  for (std::size_t c = 0; c < 3; ++c) {
    for (std::size_t i = 0; i < unit.size(); ++i)
      unit[i] = static_cast<float>(image.pixels[i * 3 + c]) / 255.0f;
    float* plane = planes.data() + c * height * width;
    for (std::size_t y = 0; y < height; ++y) {
      const Tap& r = rows[y];
      const float* top = unit.data() + r.index0 * image.width;
      const float* bottom = unit.data() + r.index1 * image.width;
      for (std::size_t x = 0; x < width; ++x) {
        const Tap& t = cols[x];
        // PyTorch's vectorised kernel contracts h0 * (w0*a + w1*b) + h1 * (w0*c + w1*d) into
        // these fused multiply-adds; the same contraction gives the same bits.
        const float upper = std::fma(t.weight0, top[t.index0], t.weight1 * top[t.index1]);
        const float lower = std::fma(t.weight0, bottom[t.index0], t.weight1 * bottom[t.index1]);
        plane[y * width + x] = std::fma(r.weight0, upper, r.weight1 * lower);
      }
    }
  }
}

void to_inception_input(const Image& image, std::size_t size, std::span<float> planes) {
  resize_to_unit_planes(image, size, size, planes);
  for (float& v : planes) v = 2.0f * v - 1.0f;
}

PlaneSize shorter_side_to(std::size_t height, std::size_t width, std::size_t size) {
  const std::size_t shorter = std::min(height, width);
  const std::size_t longer = std::max(height, width);
  QTUNE_CHECK(shorter > 0);
  const auto resized_longer =
      static_cast<std::size_t>(static_cast<double>(size * longer) / static_cast<double>(shorter));
  return width <= height ? PlaneSize{resized_longer, size} : PlaneSize{size, resized_longer};
}

}  // namespace qtune::metrics
