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

}  // namespace qtune::metrics
