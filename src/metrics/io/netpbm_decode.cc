#include "metrics/io/netpbm_decode.h"

#include <fmt/format.h>

namespace qtune::metrics {
namespace {

bool is_space(std::uint8_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// The next decimal header field, skipping whitespace and '#' comments. False if absent.
bool read_field(std::span<const std::uint8_t> bytes, std::size_t& pos, std::uint64_t& value) {
  while (pos < bytes.size() && (is_space(bytes[pos]) || bytes[pos] == '#')) {
    if (bytes[pos] == '#') {
      while (pos < bytes.size() && bytes[pos] != '\n') ++pos;
    } else {
      ++pos;
    }
  }
  const std::size_t start = pos;
  value = 0;
  while (pos < bytes.size() && bytes[pos] >= '0' && bytes[pos] <= '9' && pos - start < 9) {
    value = value * 10 + (bytes[pos++] - '0');
  }
  return pos > start;
}

}  // namespace

base::Result<Image> decode_netpbm(std::span<const std::uint8_t> bytes, std::string_view name) {
  if (bytes.size() < 2 || bytes[0] != 'P' || (bytes[1] != '5' && bytes[1] != '6')) {
    return base::Status::invalid_argument(fmt::format(
        "{}: only binary PGM (P5) and PPM (P6) are supported; expected one of those", name));
  }
  const std::size_t channels = bytes[1] == '6' ? 3 : 1;
  std::size_t pos = 2;
  std::uint64_t width = 0;
  std::uint64_t height = 0;
  std::uint64_t maxval = 0;
  if (!read_field(bytes, pos, width) || !read_field(bytes, pos, height) ||
      !read_field(bytes, pos, maxval) || pos >= bytes.size() || !is_space(bytes[pos])) {
    return base::Status::corrupt(
        fmt::format("{}: malformed netpbm header; expected 'P5|P6 width height maxval'", name));
  }
  ++pos;  // the single whitespace byte before the raster
  if (maxval != 255) {
    return base::Status::invalid_argument(
        fmt::format("{}: netpbm maxval {} is not supported; expected 255", name, maxval));
  }
  if (width == 0 || height == 0 || width * height > (bytes.size() - pos) / channels) {
    return base::Status::corrupt(
        fmt::format("{}: {}x{} pixels declared, {} bytes present (truncated?)", name, width, height,
                    bytes.size() - pos));
  }
  Image image;
  image.width = static_cast<std::size_t>(width);
  image.height = static_cast<std::size_t>(height);
  const std::size_t pixels = image.width * image.height;
  image.pixels.resize(pixels * 3);
  for (std::size_t i = 0; i < pixels; ++i) {
    for (std::size_t c = 0; c < 3; ++c)
      image.pixels[3 * i + c] = bytes[pos + i * channels + (channels == 3 ? c : 0)];
  }
  return image;
}

}  // namespace qtune::metrics
