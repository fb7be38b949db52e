// PNG -> RGB, as PIL's Image.open().convert("RGB") (see qtune/metrics/image.h).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "qtune/base/result.h"
#include "qtune/metrics/image.h"

namespace qtune::metrics {

inline constexpr std::uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

base::Result<Image> decode_png(std::span<const std::uint8_t> bytes, std::string_view name);

}  // namespace qtune::metrics
