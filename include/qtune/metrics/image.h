// Image: an 8-bit RGB picture, row-major, interleaved (HxWx3), as PIL's
// `Image.open(path).convert("RGB")` gives it. Plain value type; copyable and movable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "qtune/base/result.h"

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

// Image decoding: every format pytorch-fid globs (PNG, JPEG, netpbm, BMP, TIFF, WebP),
// converted to RGB exactly as PIL 9.4's `Image.open(path).convert("RGB")` does, so that
// pixel values match pytorch-fid byte for byte:
// - grey is replicated to three channels; alpha is dropped without compositing; palettes are
//   expanded (tRNS ignored, as alpha is dropped anyway);
// - 16-bit samples keep their high byte (PIL's rawmodes "RGB;16B", ...), except 16-bit grey
//   (PNG, PGM, TIFF), which PIL opens as mode "I" and clips to 0..255 when converting;
// - JPEG is decoded with libjpeg's defaults, as PIL uses them (ISLOW DCT, fancy upsampling);
//   CMYK/YCCK JPEGs are inverted (Adobe's polarity, as PIL assumes) and converted with
//   PIL's cmyk2rgb; a JPEG that ends early is kCorrupt (PIL: "image file is truncated"),
//   while the corrupt-data warnings PIL ignores are ignored too;
// - netpbm P1-P6, plain and binary, any maxval (netpbm_decode.h); BMP (bmp_decode.h); TIFF
//   through libtiff (tiff_decode.h); WebP's first frame through libwebp (webp_decode.h);
// - images above PIL's decompression-bomb limit (178956970 pixels) are refused, and every
//   decoder reserves its memory from the decode budget (decode_budget.h) first.
// The format is recognised from the file's first bytes, not its extension (PIL does the same).
// Errors (kCorrupt for a corrupt or truncated file, kInvalidArgument for a variant PIL does
// not read or would misread, kNotFound/kIoError for I/O) name the file. Reentrant.

// Reads and decodes one image file.
base::Result<Image> read_image(const std::filesystem::path& path);

// Decodes an image held in memory; `name` is used in error messages.
base::Result<Image> decode_image(std::span<const std::uint8_t> bytes, std::string_view name);

// The set of images pytorch-fid takes from a folder, and loading them.
// pytorch-fid globs `*.{ext}` for ext in bmp jpg jpeg pgm png ppm tif tiff webp: lower-case
// extensions only (IMG.PNG is skipped), not recursive, then sorts the paths as Python sorts
// str (by code point, i.e. byte order of the UTF-8 names). Images may differ in size.
// Errors name the folder: an empty folder (no matching file) is kInvalidArgument.

// The image files of `folder`, in pytorch-fid's order. Checks only names, not contents.
base::Result<std::vector<std::filesystem::path>> list_image_files(
    const std::filesystem::path& folder);

// list_image_files + read_image for each, in the same order.
base::Result<std::vector<Image>> read_image_folder(const std::filesystem::path& folder);
}  // namespace qtune::metrics
