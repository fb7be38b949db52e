// Image: an 8-bit RGB picture, row-major, interleaved (HxWx3), as PIL's
// `Image.open(path).convert("RGB")` gives it. Plain value type; copyable and movable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace qtune::metrics {

struct Image {
  std::size_t width = 0;
  std::size_t height = 0;
  // pixels[(y * width + x) * 3 + c] for channel c in {0: R, 1: G, 2: B}; size() == height*width*3.
  std::vector<std::uint8_t> pixels;

  std::uint8_t at(std::size_t y, std::size_t x, std::size_t c) const {
    return pixels[(y * width + x) * 3 + c];
  }
};

}  // namespace qtune::metrics
