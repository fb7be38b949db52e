// TIFF -> RGB as PIL 9.4's TiffImagePlugin reads the first image (its OPEN_INFO table) and
// convert("RGB") converts it, decoded by libtiff (any compression libtiff has):
// - bilevel and grey of 1, 2, 4, 8 bits (MinIsWhite inverted; 2 and 4 bits scaled by 85 and
//   17), 16-bit grey (PIL's "I;16", clipped to 0..255; MinIsWhite only little-endian and
//   not inverted, as PIL), grey + alpha;
// - RGB of 8 bits and 16 bits (the high byte), with extra samples (unassociated alpha,
//   unspecified, none: dropped; associated alpha is refused);
// - palettes of 1, 2, 4, 8 bits (the 16-bit colour map's high byte), palette + alpha;
// - CMYK of 8 bits (PIL's cmyk2rgb).
// Contiguous samples in strips or tiles. Refused (kInvalidArgument): YCbCr/JPEG-in-TIFF,
// Lab, floats, signed or 12/32-bit samples, separate planes, tiles of packed bits. A file
// libtiff cannot read is kCorrupt (libtiff's message).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "qtune/base/result.h"
#include "qtune/metrics/image.h"

namespace qtune::metrics {

// "II*\0" or "MM\0*" (classic TIFF) and BigTIFF's "II+\0" / "MM\0+".
bool is_tiff(std::span<const std::uint8_t> bytes);

base::Result<Image> decode_tiff(std::span<const std::uint8_t> bytes, std::string_view name);

}  // namespace qtune::metrics
