#include "metrics/io/bmp_decode.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "metrics/io/decode_budget.h"
#include "metrics/io/pixel_limit.h"

namespace qtune::metrics {
namespace {

constexpr std::uint32_t kRaw = 0;
constexpr std::uint32_t kRle8 = 1;
constexpr std::uint32_t kRle4 = 2;
constexpr std::uint32_t kBitfields = 3;

std::uint32_t u16(std::span<const std::uint8_t> b, std::size_t at) {
  return std::uint32_t{b[at]} | (std::uint32_t{b[at + 1]} << 8);
}
std::uint32_t u32(std::span<const std::uint8_t> b, std::size_t at) {
  return u16(b, at) | (u16(b, at + 2) << 16);
}

// How a 16/24/32-bit pixel is laid out (PIL's rawmodes BGR;15, BGR;16, BGR, BGRX, ...).
struct Layout {
  int r = 2, g = 1, b = 0;  // byte offsets for 24/32 bits
  int green_bits = 5;       // 16 bits: 5 (BGR;15) or 6 (BGR;16)
};

// PIL's BITFIELDS table: the masks it knows, as (r, g, b, a) -> byte offsets.
std::optional<Layout> bitfield_layout(std::uint32_t bits, std::array<std::uint32_t, 4> m) {
  using M = std::array<std::uint32_t, 4>;
  if (bits == 32) {
    if (m == M{0xFF0000, 0xFF00, 0xFF, 0} || m == M{0xFF0000, 0xFF00, 0xFF, 0xFF000000} ||
        m == M{0, 0, 0, 0})
      return Layout{2, 1, 0};  // BGRX, BGRA
    if (m == M{0xFF000000, 0xFF0000, 0xFF00, 0} || m == M{0xFF000000, 0xFF0000, 0xFF00, 0xFF})
      return Layout{3, 2, 1};                                                // XBGR, ABGR
    if (m == M{0xFF, 0xFF00, 0xFF0000, 0xFF000000}) return Layout{0, 1, 2};  // RGBA
  } else if (bits == 24 && m[0] == 0xFF0000 && m[1] == 0xFF00 && m[2] == 0xFF) {
    return Layout{2, 1, 0};
  } else if (bits == 16 && m[0] == 0xF800 && m[1] == 0x7E0 && m[2] == 0x1F) {
    return Layout{.green_bits = 6};
  } else if (bits == 16 && m[0] == 0x7C00 && m[1] == 0x3E0 && m[2] == 0x1F) {
    return Layout{.green_bits = 5};
  }
  return std::nullopt;
}

// BmpRleDecoder.decode: the palette indices, one byte each, in file row order. `pos` is the
// absolute file offset (absolute-mode runs are padded to an even file offset).
base::Result<std::vector<std::uint8_t>> expand_rle(std::span<const std::uint8_t> bytes,
                                                   std::size_t pos, bool rle4, std::size_t width,
                                                   std::size_t total, std::string_view name) {
  std::vector<std::uint8_t> data;
  std::size_t x = 0;
  const auto read = [&](std::size_t n) {
    const std::size_t got = std::min(n, bytes.size() - std::min(pos, bytes.size()));
    const std::span<const std::uint8_t> out = bytes.subspan(std::min(pos, bytes.size()), got);
    pos += got;
    return out;
  };
  while (data.size() < total) {
    const auto pair = read(2);
    if (pair.size() < 2) break;
    std::size_t count = pair[0];
    const std::uint8_t byte = pair[1];
    if (count != 0) {
      if (x + count > width) count = x > width ? 0 : width - x;
      for (std::size_t i = 0; i < count; ++i) {
        data.push_back(rle4 ? static_cast<std::uint8_t>(i % 2 == 0 ? byte >> 4 : byte & 0x0F)
                            : byte);
      }
      x += count;
    } else if (byte == 0) {
      while (data.size() % width != 0) data.push_back(0);
      x = 0;
    } else if (byte == 1) {
      break;
    } else if (byte == 2) {
      if (read(2).size() < 2) break;
      const auto delta = read(2);  // PIL reads two more bytes: its right and up
      if (delta.size() < 2) {
        return base::Status::corrupt(fmt::format("{}: BMP RLE delta is truncated", name));
      }
      data.insert(data.end(), delta[0] + std::size_t{delta[1]} * width, 0);
      x = data.size() % width;
    } else {
      const std::size_t n = rle4 ? byte / 2 : byte;
      const auto run = read(n);
      for (const std::uint8_t v : run) {
        if (rle4) {
          data.push_back(v >> 4);
          data.push_back(v & 0x0F);
        } else {
          data.push_back(v);
        }
      }
      if (run.size() < n) break;
      x += byte;
      if (pos % 2 != 0) ++pos;
    }
  }
  return data;
}

}  // namespace

base::Result<Image> decode_bmp(std::span<const std::uint8_t> bytes, std::string_view name) {
  const auto corrupt = [&](std::string_view what) {
    return base::Status::corrupt(fmt::format("{}: BMP is corrupt or truncated: {}", name, what));
  };
  const auto unsupported = [&](std::string_view what) {
    return base::Status::invalid_argument(fmt::format("{}: BMP {} is not supported", name, what));
  };
  if (bytes.size() < 18 || bytes[0] != 'B' || bytes[1] != 'M') return corrupt("no header");
  std::uint64_t offset = u32(bytes, 10);
  const std::uint32_t header_size = u32(bytes, 14);
  if (header_size < 12 || bytes.size() - 14 < header_size) return corrupt("short header");
  const std::span<const std::uint8_t> hd = bytes.subspan(18, header_size - 4);
  std::uint64_t width = 0;
  std::uint64_t height = 0;
  std::uint32_t bits = 0;
  std::uint32_t compression = kRaw;
  std::uint64_t colors = 0;
  std::size_t padding = 4;
  bool top_down = false;
  std::array<std::uint32_t, 4> masks{};
  std::size_t pos = 14 + header_size;
  if (header_size == 12) {
    width = u16(hd, 0);
    height = u16(hd, 2);
    bits = u16(hd, 6);
    padding = 3;
  } else if (header_size == 40 || header_size == 64 || header_size == 108 || header_size == 124) {
    top_down = hd[7] == 0xFF;
    width = u32(hd, 0);
    height = top_down ? (std::uint64_t{1} << 32) - u32(hd, 4) : u32(hd, 4);
    bits = u16(hd, 10);
    compression = u32(hd, 12);
    colors = u32(hd, 28);
    if (compression == kBitfields) {
      if (hd.size() >= 52) {
        for (std::size_t i = 0; i < 4; ++i) masks[i] = u32(hd, 36 + 4 * i);
      } else {
        if (bytes.size() - pos < 12) return corrupt("short colour masks");
        for (std::size_t i = 0; i < 3; ++i) masks[i] = u32(bytes, pos + 4 * i);
        pos += 12;
      }
    }
  } else {
    return unsupported(
        fmt::format("header of {} bytes (expected 12, 40, 64, 108 or 124)", header_size));
  }
  if (width == 0 || height == 0 || width * height > kMaxDecodedPixels) {
    return base::Status::invalid_argument(
        fmt::format("{}: BMP of {}x{}; expected 1 to {} pixels (PIL's limit)", name, width, height,
                    kMaxDecodedPixels));
  }
  if (colors == 0 && bits <= 8) colors = std::uint64_t{1} << bits;
  if (offset == 14 + header_size && bits <= 8) offset += 4 * colors;

  const bool paletted = bits == 1 || bits == 4 || bits == 8;
  if (!paletted && bits != 16 && bits != 24 && bits != 32)
    return unsupported(fmt::format("bit depth {}", bits));
  Layout layout;
  if (compression == kBitfields) {
    const auto known = bitfield_layout(bits, masks);
    if (!known) {
      return unsupported(fmt::format("bit fields {:#x} {:#x} {:#x} {:#x} at {} bits", masks[0],
                                     masks[1], masks[2], masks[3], bits));
    }
    layout = *known;
  } else if (compression == kRle8 || compression == kRle4) {
    if (!paletted) return unsupported(fmt::format("RLE at {} bits", bits));
  } else if (compression != kRaw) {
    return unsupported(fmt::format("compression {}", compression));
  }

  // The palette (from just after the header and masks), and PIL's grey-ramp shortcut.
  std::vector<std::array<std::uint8_t, 3>> palette;
  bool grey = false;
  if (paletted) {
    if (colors > 256) return unsupported(fmt::format("palette of {} colours", colors));
    if ((bytes.size() - pos) / padding < colors) return corrupt("short palette");
    grey = true;
    for (std::size_t i = 0; i < colors; ++i) {
      const std::uint8_t* p = bytes.data() + pos + i * padding;
      palette.push_back({p[2], p[1], p[0]});
      const std::size_t expected = colors == 2 ? i * 255 : i;
      grey = grey && p[0] == expected && p[1] == expected && p[2] == expected;
    }
    // PIL reads a grey-ramp palette's pixels as mode "1" (2 colours) or "L": right only at 1
    // and 8 bits (and, for RLE, as "L" only).
    const bool compressed = compression != kRaw;
    if (grey && (colors == 2 ? (bits != 1 || compressed) : bits != 8)) {
      return unsupported(fmt::format("grey palette of {} colours at {} bits{} (PIL misreads it)",
                                     colors, bits, compressed ? " with RLE" : ""));
    }
  }

  // No offset: the pixels follow what was read (PIL's fp.tell()).
  if (offset == 0) offset = pos + (paletted ? padding * colors : 0);

  const std::uint64_t pixels = width * height;
  const std::size_t w = static_cast<std::size_t>(width);
  const std::size_t h = static_cast<std::size_t>(height);
  // One byte per pixel of RLE output (plus one step's overshoot) and the RGB image.
  QTUNE_ASSIGN_OR_RETURN(
      const DecodeReservation reserved,
      DecodeReservation::reserve(
          pixels * 3 +
              (compression == kRle8 || compression == kRle4 ? pixels + 256 * (width + 1) : 0),
          fmt::format("{}: BMP of {}x{}", name, width, height)));
  Image image;
  image.width = w;
  image.height = h;
  image.pixels.resize(w * h * 3);
  const auto put_index = [&](std::size_t out, std::size_t index) -> base::Status {
    if (index >= palette.size()) {
      return unsupported(
          fmt::format("pixel with colour {} beyond the palette of {}", index, palette.size()));
    }
    std::copy(palette[index].begin(), palette[index].end(), image.pixels.data() + 3 * out);
    return base::Status::ok();
  };
  // Row r of the file is image row (top_down ? r : h - 1 - r).
  const auto image_row = [&](std::size_t r) { return top_down ? r : h - 1 - r; };

  if (compression == kRle8 || compression == kRle4) {
    if (offset > bytes.size()) return corrupt("pixel data offset beyond the file");
    QTUNE_ASSIGN_OR_RETURN(
        const std::vector<std::uint8_t> data,
        expand_rle(bytes, static_cast<std::size_t>(offset), compression == kRle4, w, w * h, name));
    if (data.size() < w * h) return corrupt("RLE data ends early");
    for (std::size_t r = 0; r < h; ++r) {
      for (std::size_t x = 0; x < w; ++x)
        QTUNE_RETURN_IF_ERROR(put_index(image_row(r) * w + x, data[r * w + x]));
    }
    return image;
  }

  const std::uint64_t stride = ((width * bits + 31) >> 3) & ~std::uint64_t{3};
  if (offset > bytes.size() || (bytes.size() - offset) / stride < height)
    return corrupt("pixel data ends early");
  for (std::size_t r = 0; r < h; ++r) {
    const std::uint8_t* row = bytes.data() + offset + r * stride;
    std::uint8_t* out = image.pixels.data() + image_row(r) * w * 3;
    for (std::size_t x = 0; x < w; ++x, out += 3) {
      if (paletted) {
        const std::size_t per_byte = 8 / bits;
        const std::size_t shift = 8 - bits * (x % per_byte + 1);
        const std::size_t index =
            (std::size_t{row[x / per_byte]} >> shift) & ((std::size_t{1} << bits) - 1);
        QTUNE_RETURN_IF_ERROR(put_index(image_row(r) * w + x, index));
      } else if (bits == 16) {
        const unsigned v = row[2 * x] | (unsigned{row[2 * x + 1]} << 8);
        const unsigned g_max = (1u << layout.green_bits) - 1;
        out[2] = static_cast<std::uint8_t>((v & 31) * 255 / 31);
        out[1] = static_cast<std::uint8_t>(((v >> 5) & g_max) * 255 / g_max);
        out[0] = static_cast<std::uint8_t>(((v >> (5 + layout.green_bits)) & 31) * 255 / 31);
      } else {
        const std::uint8_t* p = row + x * (bits / 8);
        out[0] = p[layout.r];
        out[1] = p[layout.g];
        out[2] = p[layout.b];
      }
    }
  }
  return image;
}

}  // namespace qtune::metrics
