// JPEG -> RGB with libjpeg-turbo's default decoding settings, as PIL uses them (see
// qtune/metrics/image.h).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "qtune/base/result.h"
#include "qtune/metrics/image.h"

namespace qtune::metrics {

base::Result<Image> decode_jpeg(std::span<const std::uint8_t> bytes, std::string_view name);

}  // namespace qtune::metrics
