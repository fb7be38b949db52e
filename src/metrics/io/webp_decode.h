// WebP -> RGB as PIL 9.4 reads it (WebPImagePlugin with libwebpdemux): the first frame of
// the canvas from libwebp's animation decoder in RGBA, alpha dropped by convert("RGB").
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "qtune/base/result.h"
#include "qtune/metrics/image.h"

namespace qtune::metrics {

// "RIFF" ... "WEBP" at byte 8.
bool is_webp(std::span<const std::uint8_t> bytes);

base::Result<Image> decode_webp(std::span<const std::uint8_t> bytes, std::string_view name);

}  // namespace qtune::metrics
