// Small PNG thumbnails inlined in the page as data: URIs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/metrics/image.h"

namespace qtune::report {

// The image scaled down (box filter) so that its longer side is at most `max_side` pixels;
// smaller images are kept as they are.
metrics::Image downscale(const metrics::Image& image, std::size_t max_side);

// The image as PNG bytes (8-bit RGB, libpng).
std::vector<std::uint8_t> encode_png(const metrics::Image& image);

// "data:image/png;base64,...".
std::string png_data_uri(const std::vector<std::uint8_t>& png);

}  // namespace qtune::report
