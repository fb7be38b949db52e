// Image decoding: PNG (libpng) and JPEG (libjpeg-turbo), plus binary PPM/PGM, converted to
// RGB exactly as PIL's `Image.open(path).convert("RGB")` does, so that pixel values match
// pytorch-fid byte for byte:
// - grey is replicated to three channels; alpha is dropped without compositing; palettes are
//   expanded (tRNS ignored, as alpha is dropped anyway);
// - 16-bit PNG samples keep their high byte (PIL's rawmode "RGB;16B"), except 16-bit grey,
//   which PIL opens as mode "I" and clips to 0..255 when converting to RGB;
// - JPEG is decoded with libjpeg's defaults, as PIL uses them (ISLOW DCT, fancy upsampling);
//   grey JPEGs are replicated like grey PNGs; CMYK/YCCK JPEGs are refused (kInvalidArgument);
//   a JPEG that ends early is kCorrupt (PIL: "image file is truncated"), while the
//   corrupt-data warnings PIL ignores (extraneous bytes before a marker) are ignored too;
// - binary PPM/PGM (P6/P5) with maxval 255 are read directly; other netpbm variants are refused;
// - images above PIL's decompression-bomb limit (178956970 pixels) are refused.
// The format is recognised from the file's first bytes, not its extension (PIL does the same).
// Errors (kCorrupt for a corrupt or truncated file, kInvalidArgument for an unsupported
// format, kNotFound/kIoError for I/O) name the file. Reentrant: no global state.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>

#include "qtune/base/result.h"
#include "qtune/metrics/image.h"

namespace qtune::metrics {

// Reads and decodes one image file.
base::Result<Image> read_image(const std::filesystem::path& path);

// Decodes an image held in memory; `name` is used in error messages.
base::Result<Image> decode_image(std::span<const std::uint8_t> bytes, std::string_view name);

}  // namespace qtune::metrics
