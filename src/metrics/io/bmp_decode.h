// BMP -> RGB as PIL 9.4's BmpImagePlugin reads it and convert("RGB") converts it: headers
// of 12 (OS/2), 40, 64, 108 and 124 bytes; 1, 4 and 8-bit palettes (a grey ramp palette
// read as grey), 16-bit 5-5-5 and 5-6-5, 24-bit and 32-bit, BI_RGB, BI_BITFIELDS with the
// masks PIL knows, RLE8 and RLE4; bottom-up or top-down rows; alpha dropped.
// Refused (kInvalidArgument) where PIL refuses, and where PIL would misread the file (a
// grey-ramp palette on a bit depth it reads as 8 bits, a pixel beyond the palette, more than
// 256 colours). A short or malformed file is kCorrupt.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "qtune/base/result.h"
#include "qtune/metrics/image.h"

namespace qtune::metrics {

base::Result<Image> decode_bmp(std::span<const std::uint8_t> bytes, std::string_view name);

}  // namespace qtune::metrics
