// read_image / decode_image: recognise the format from its magic bytes (as PIL does) and
// hand over to the decoder.
#include <fmt/format.h>

#include <algorithm>

#include "metrics/io/bmp_decode.h"
#include "metrics/io/file_bytes.h"
#include "metrics/io/jpeg_decode.h"
#include "metrics/io/netpbm_decode.h"
#include "metrics/io/png_decode.h"
#include "metrics/io/tiff_decode.h"
#include "metrics/io/webp_decode.h"
#include "qtune/metrics/image.h"

namespace qtune::metrics {

base::Result<Image> decode_image(std::span<const std::uint8_t> bytes, std::string_view name) {
  auto starts_with = [&](std::span<const std::uint8_t> magic) {
    return bytes.size() >= magic.size() && std::equal(magic.begin(), magic.end(), bytes.begin());
  };
  static constexpr std::uint8_t kJpegMagic[] = {0xff, 0xd8, 0xff};
  if (starts_with(kPngSignature)) return decode_png(bytes, name);
  if (starts_with(kJpegMagic)) return decode_jpeg(bytes, name);
  if (bytes.size() >= 2 && bytes[0] == 'P' && bytes[1] >= '1' && bytes[1] <= '6')
    return decode_netpbm(bytes, name);
  if (bytes.size() >= 2 && bytes[0] == 'B' && bytes[1] == 'M') return decode_bmp(bytes, name);
  if (is_tiff(bytes)) return decode_tiff(bytes, name);
  if (is_webp(bytes)) return decode_webp(bytes, name);
  return base::Status::invalid_argument(
      fmt::format("{}: not a PNG, JPEG, netpbm, BMP, TIFF or WebP image (unrecognised first "
                  "bytes); supported: png, jpg, jpeg, ppm, pgm, bmp, tif, tiff, webp",
                  name));
}

base::Result<Image> read_image(const std::filesystem::path& path) {
  QTUNE_ASSIGN_OR_RETURN(const std::string bytes, read_file_bytes(path));
  return decode_image(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()),
                      path.string());
}

}  // namespace qtune::metrics
