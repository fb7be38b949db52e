// Netpbm (P1-P6: plain and binary bitmaps, greymaps and pixmaps, any maxval 1..65535) -> RGB,
// as PIL 9.4's PpmImagePlugin reads it and convert("RGB") converts it:
// - a header token is at most 10 characters; '#' starts a comment up to CR or LF, which
//   does not end the token; one whitespace byte ends the last token before a binary raster;
// - bitmaps: 1 is black, 0 white (P4 rows padded to a byte);
// - maxval 255 (and 65535 for P5) is taken as is; other maxvals are scaled as PIL does,
//   round(v / maxval * out_max) (half to even), out_max 255, or 65535 for greymaps with
//   maxval > 255 (mode "I", then clipped to 0..255 by convert("RGB"): 16-bit grey mostly
//   saturates, as with 16-bit grey PNG); binary samples above maxval are clipped, plain
//   ones refused; plain data may have comments that join the text around them.
// Errors: a short or malformed file is kCorrupt; a header PIL refuses is kInvalidArgument.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "qtune/base/result.h"
#include "qtune/metrics/image.h"

namespace qtune::metrics {

base::Result<Image> decode_netpbm(std::span<const std::uint8_t> bytes, std::string_view name);

}  // namespace qtune::metrics
