// Binary PPM (P6) and PGM (P5) with maxval 255 -> RGB, as PIL reads them. Other netpbm
// variants (plain text P1-P3, bitmaps P4, maxval != 255) are refused as unsupported.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "qtune/base/result.h"
#include "qtune/metrics/image.h"

namespace qtune::metrics {

base::Result<Image> decode_netpbm(std::span<const std::uint8_t> bytes, std::string_view name);

}  // namespace qtune::metrics
