#include "metrics/io/netpbm_decode.h"

#include <fmt/format.h>

#include <cmath>
#include <string>
#include <vector>

#include "metrics/io/decode_budget.h"
#include "metrics/io/pixel_limit.h"

namespace qtune::metrics {
namespace {

bool is_space(std::uint8_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// PpmImageFile._read_token: skips leading whitespace, drops comments ('#' to CR/LF, which
// do not end the token), stops after the whitespace byte that ends it. At most 10 digits.
base::Result<std::uint64_t> read_token(std::span<const std::uint8_t> bytes, std::size_t& pos,
                                       std::string_view name, std::string_view what) {
  std::string token;
  while (pos < bytes.size() && token.size() <= 10) {
    const std::uint8_t c = bytes[pos++];
    if (is_space(c)) {
      if (token.empty()) continue;
      break;
    }
    if (c == '#') {
      while (pos < bytes.size() && bytes[pos] != '\r' && bytes[pos] != '\n') ++pos;
      if (pos < bytes.size()) ++pos;
      continue;
    }
    token.push_back(static_cast<char>(c));
  }
  if (token.empty() || token.size() > 10 ||
      token.find_first_not_of("0123456789") != std::string::npos) {
    return base::Status::corrupt(fmt::format(
        "{}: netpbm header: the {} is \"{}\"; expected a decimal number of at most 10 digits", name,
        what, token.substr(0, 11)));
  }
  return std::stoull(token);
}

// round(value / maxval * out_max), as Python computes it (double, half to even).
std::uint32_t scale(std::uint64_t value, std::uint64_t maxval, double out_max) {
  return static_cast<std::uint32_t>(
      std::nearbyint(static_cast<double>(value) / static_cast<double>(maxval) * out_max));
}

std::uint8_t clip8(std::uint64_t v) { return static_cast<std::uint8_t>(v > 255 ? 255 : v); }

// The plain raster with its comments cut out ('#' up to and including CR/LF), as
// PpmPlainDecoder._ignore_comments does: the text on both sides joins.
std::string strip_comments(std::span<const std::uint8_t> raster) {
  std::string text;
  text.reserve(raster.size());
  for (std::size_t i = 0; i < raster.size(); ++i) {
    if (raster[i] != '#') {
      text.push_back(static_cast<char>(raster[i]));
      continue;
    }
    while (i < raster.size() && raster[i] != '\r' && raster[i] != '\n') ++i;
  }
  return text;
}

}  // namespace

base::Result<Image> decode_netpbm(std::span<const std::uint8_t> bytes, std::string_view name) {
  // PIL reads the magic up to whitespace: "P1".."P6" followed by whitespace or the end.
  if (bytes.size() < 3 || bytes[0] != 'P' || bytes[1] < '1' || bytes[1] > '6' ||
      !is_space(bytes[2])) {
    return base::Status::invalid_argument(
        fmt::format("{}: not a netpbm image; expected P1-P6 followed by whitespace", name));
  }
  const int kind = bytes[1] - '0';
  const bool plain = kind <= 3;
  const bool bitmap = kind == 1 || kind == 4;
  const std::size_t channels = (kind == 3 || kind == 6) ? 3 : 1;
  std::size_t pos = 3;
  QTUNE_ASSIGN_OR_RETURN(const std::uint64_t width, read_token(bytes, pos, name, "width"));
  QTUNE_ASSIGN_OR_RETURN(const std::uint64_t height, read_token(bytes, pos, name, "height"));
  std::uint64_t maxval = 1;
  if (!bitmap) {
    QTUNE_ASSIGN_OR_RETURN(maxval, read_token(bytes, pos, name, "maxval"));
    if (maxval == 0 || maxval > 65535) {
      return base::Status::invalid_argument(
          fmt::format("{}: netpbm maxval {}; expected 1 to 65535 (PIL's range)", name, maxval));
    }
  }
  if (width == 0 || height == 0 || width * height > kMaxDecodedPixels) {
    return base::Status::invalid_argument(
        fmt::format("{}: netpbm of {}x{}; expected 1 to {} pixels (PIL's limit)", name, width,
                    height, kMaxDecodedPixels));
  }
  const std::uint64_t pixels = width * height;
  const std::uint64_t samples = pixels * channels;
  // Greymaps above 255 are PIL's mode "I": 16-bit values, clipped to 0..255 at the end.
  const double out_max = (!bitmap && channels == 1 && maxval > 255) ? 65535.0 : 255.0;
  const std::span<const std::uint8_t> raster = bytes.subspan(pos);
  const auto truncated = [&](std::uint64_t got) {
    return base::Status::corrupt(
        fmt::format("{}: netpbm of {}x{} is truncated: {} of {} samples present", name, width,
                    height, got, samples));
  };
  // The samples (one per value, before clipping) and the RGB image, reserved before either;
  // the plain text copy is at most the file's size.
  QTUNE_ASSIGN_OR_RETURN(
      const DecodeReservation reserved,
      DecodeReservation::reserve(samples * 4 + pixels * 3 + (plain ? raster.size() : 0),
                                 fmt::format("{}: netpbm of {}x{}", name, width, height)));
  std::vector<std::uint32_t> values;  // 0..255, or 0..65535 for mode "I"
  values.reserve(static_cast<std::size_t>(samples));
  if (kind == 4) {
    const std::uint64_t row_bytes = (width + 7) / 8;
    if (row_bytes * height > raster.size()) return truncated(raster.size() / row_bytes * width);
    for (std::uint64_t y = 0; y < height; ++y) {
      for (std::uint64_t x = 0; x < width; ++x) {
        const std::uint8_t byte = raster[y * row_bytes + x / 8];
        values.push_back(((byte >> (7 - x % 8)) & 1) ? 0 : 255);
      }
    }
  } else if (kind >= 5) {
    const std::uint64_t bytes_per_sample = maxval < 256 ? 1 : 2;
    if (samples * bytes_per_sample > raster.size()) {
      return truncated(raster.size() / bytes_per_sample);
    }
    for (std::uint64_t i = 0; i < samples; ++i) {
      const std::uint64_t v = bytes_per_sample == 1
                                  ? raster[i]
                                  : (std::uint64_t{raster[2 * i]} << 8) | raster[2 * i + 1];
      const bool raw = maxval == 255 || (maxval == 65535 && channels == 1);
      values.push_back(raw ? static_cast<std::uint32_t>(v)
                           : std::min<std::uint32_t>(static_cast<std::uint32_t>(out_max),
                                                     scale(v, maxval, out_max)));
    }
  } else {
    const std::string text = strip_comments(raster);
    std::size_t i = 0;
    if (bitmap) {
      // Every non-whitespace byte is one pixel ('0' or '1'); PIL checks all it reads.
      for (; i < text.size(); ++i) {
        const auto c = static_cast<std::uint8_t>(text[i]);
        if (is_space(c)) continue;
        if (c != '0' && c != '1') {
          return base::Status::corrupt(fmt::format("{}: plain PBM data byte '{}'; expected 0 or 1",
                                                   name, static_cast<char>(c)));
        }
        if (values.size() < samples) values.push_back(c == '1' ? 0 : 255);
      }
    } else {
      while (values.size() < samples) {
        while (i < text.size() && is_space(static_cast<std::uint8_t>(text[i]))) ++i;
        if (i == text.size()) break;
        const std::size_t start = i;
        while (i < text.size() && !is_space(static_cast<std::uint8_t>(text[i]))) ++i;
        const std::string_view token(text.data() + start, i - start);
        if (token.size() > 10 || token.find_first_not_of("0123456789") != std::string::npos) {
          return base::Status::corrupt(fmt::format(
              "{}: plain netpbm sample \"{}\"; expected a decimal number of at most 10 digits",
              name, token.substr(0, 11)));
        }
        const std::uint64_t v = std::stoull(std::string(token));
        if (v > maxval) {
          return base::Status::corrupt(
              fmt::format("{}: plain netpbm sample {} is above maxval {}", name, v, maxval));
        }
        values.push_back(scale(v, maxval, out_max));
      }
    }
    if (values.size() < samples) return truncated(values.size());
  }
  Image image;
  image.width = static_cast<std::size_t>(width);
  image.height = static_cast<std::size_t>(height);
  image.pixels.resize(static_cast<std::size_t>(pixels) * 3);
  for (std::size_t p = 0; p < pixels; ++p) {
    for (std::size_t c = 0; c < 3; ++c)
      image.pixels[3 * p + c] = clip8(values[p * channels + (channels == 3 ? c : 0)]);
  }
  return image;
}

}  // namespace qtune::metrics
