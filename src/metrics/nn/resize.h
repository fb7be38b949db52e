// The input transform of pytorch-fid's InceptionV3, reproduced to the bit:
//   ToTensor (u8 / 255.0f, float division) -> F.interpolate(size=(S, S), mode="bilinear",
//   align_corners=False, no antialias; applied even when the image is already S x S) ->
//   2x - 1.
// Bilinear follows PyTorch's CPU kernel (AVX2/AVX-512 build): scale in/out in float, source
// index max((dst + 0.5) * scale - 0.5, 0) and lambda l in double, l rounded to float, the
// neighbour clamped at the last pixel, weights 1 - l and l, and
// out = fma(h0, fma(w0, a, w1*b), h1 * fma(w0, c, w1*d)). 2x is exact, so `2x - 1` has one
// rounding with or without FMA contraction. Pure function: thread-safe, no allocation
// besides its own scratch.
#pragma once

#include <compare>
#include <cstddef>
#include <span>

#include "qtune/metrics/image.h"

namespace qtune::metrics {

// pytorch-fid resizes every image to 299 x 299.
inline constexpr std::size_t kInceptionInputSize = 299;

// Writes `image` resized to size x size into `planes` as 3 channel planes (R, G, B; CHW,
// row-major), values in [-1, 1]. Requires a non-empty image and planes.size() == 3*size*size
// (checked: a broken precondition aborts).
void to_inception_input(const Image& image, std::size_t size, std::span<float> planes);

// The same ToTensor + bilinear resize to height x width, without the 2x - 1: values in
// [0, 1], 3 planes (CHW). This is torchvision 0.14's tensor Resize (bilinear, antialias off),
// which the fMRI evaluation table (evaluation_table.h) uses. planes.size() == 3*height*width.
void resize_to_unit_planes(const Image& image, std::size_t height, std::size_t width,
                           std::span<float> planes);

struct PlaneSize {
  std::size_t height = 0;
  std::size_t width = 0;
  friend bool operator==(const PlaneSize&, const PlaneSize&) = default;
  friend auto operator<=>(const PlaneSize&, const PlaneSize&) = default;
};

// torchvision's Resize(size) with an int size: the shorter side becomes `size`, the longer
// int(size * long / short) (Python's true division, truncated).
PlaneSize shorter_side_to(std::size_t height, std::size_t width, std::size_t size);

}  // namespace qtune::metrics
