#include "metrics/io/tiff_decode.h"

#include <fmt/format.h>
#include <tiffio.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "metrics/io/decode_budget.h"
#include "metrics/io/pixel_limit.h"

namespace qtune::metrics {
namespace {

// The bytes libtiff reads through the client procedures, and its last error.
struct TiffSource {
  std::span<const std::uint8_t> bytes;
  toff_t pos = 0;
  std::string error;
};

extern "C" tmsize_t tiff_read(thandle_t h, void* out, tmsize_t size) {
  auto* s = static_cast<TiffSource*>(h);
  if (size < 0 || s->pos >= s->bytes.size()) return 0;
  const auto n = static_cast<std::size_t>(
      std::min<std::uint64_t>(static_cast<std::uint64_t>(size), s->bytes.size() - s->pos));
  std::memcpy(out, s->bytes.data() + s->pos, n);
  s->pos += n;
  return static_cast<tmsize_t>(n);
}
extern "C" tmsize_t tiff_write(thandle_t, void*, tmsize_t) { return 0; }
extern "C" toff_t tiff_seek(thandle_t h, toff_t off, int whence) {
  auto* s = static_cast<TiffSource*>(h);
  const toff_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? s->pos : s->bytes.size();
  if (off > ~toff_t{0} - base) return static_cast<toff_t>(-1);
  s->pos = base + off;
  return s->pos;
}
extern "C" int tiff_close(thandle_t) { return 0; }
extern "C" toff_t tiff_size(thandle_t h) { return static_cast<TiffSource*>(h)->bytes.size(); }
extern "C" int tiff_map(thandle_t h, void** base, toff_t* size) {
  auto* s = static_cast<TiffSource*>(h);
  *base = const_cast<std::uint8_t*>(s->bytes.data());  // libtiff only reads a read-only map
  *size = s->bytes.size();
  return 1;
}
extern "C" void tiff_unmap(thandle_t, void*, toff_t) {}

// The format attribute: libtiff hands a printf format and its arguments (clang's
// -Wformat-nonliteral otherwise refuses the vsnprintf below).
extern "C" __attribute__((format(printf, 4, 0))) int tiff_on_error(TIFF*, void* user,
                                                                   const char* module,
                                                                   const char* format,
                                                                   va_list args) {
  auto* s = static_cast<TiffSource*>(user);
  if (s->error.empty()) {
    char message[256];
    std::vsnprintf(message, sizeof(message), format, args);
    s->error = fmt::format("{}: {}", module != nullptr ? module : "libtiff", message);
  }
  return 1;  // handled: not printed
}
extern "C" int tiff_on_warning(TIFF*, void*, const char*, const char*, va_list) { return 1; }

enum class Kind { kGrey, kRgb, kPalette, kCmyk };

// PIL's cmyk2rgb: nk = 255 - k; channel = clip(nk - muldiv255(c, nk)).
std::uint8_t cmyk_channel(int c, int k) {
  const int nk = 255 - k;
  const int t = c * nk + 128;
  const int v = nk - ((t + (t >> 8)) >> 8);
  return static_cast<std::uint8_t>(std::clamp(v, 0, 255));
}

}  // namespace

bool is_tiff(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 4) return false;
  const bool ii =
      bytes[0] == 'I' && bytes[1] == 'I' && (bytes[2] == 42 || bytes[2] == 43) && bytes[3] == 0;
  const bool mm =
      bytes[0] == 'M' && bytes[1] == 'M' && bytes[2] == 0 && (bytes[3] == 42 || bytes[3] == 43);
  return ii || mm;
}

base::Result<Image> decode_tiff(std::span<const std::uint8_t> bytes, std::string_view name) {
  TiffSource source{.bytes = bytes, .pos = 0, .error = {}};
  const std::string file(name);
  std::unique_ptr<TIFFOpenOptions, decltype(&TIFFOpenOptionsFree)> options(TIFFOpenOptionsAlloc(),
                                                                           &TIFFOpenOptionsFree);
  if (!options) return base::Status::internal(fmt::format("{}: libtiff could not start", name));
  // No single allocation of libtiff's may exceed the decode budget.
  TIFFOpenOptionsSetMaxSingleMemAlloc(options.get(), static_cast<tmsize_t>(decode_budget()));
  TIFFOpenOptionsSetErrorHandlerExtR(options.get(), tiff_on_error, &source);
  TIFFOpenOptionsSetWarningHandlerExtR(options.get(), tiff_on_warning, &source);
  const std::unique_ptr<TIFF, decltype(&TIFFClose)> tif(
      TIFFClientOpenExt(file.c_str(), "r", &source, tiff_read, tiff_write, tiff_seek, tiff_close,
                        tiff_size, tiff_map, tiff_unmap, options.get()),
      &TIFFClose);
  const auto corrupt = [&] {
    return base::Status::corrupt(fmt::format("{}: TIFF is corrupt or truncated: {}", name,
                                             source.error.empty() ? "unreadable" : source.error));
  };
  if (!tif) return corrupt();
  const auto unsupported = [&](std::string_view what) {
    return base::Status::invalid_argument(
        fmt::format("{}: TIFF {} is not supported (PIL reads it otherwise or not at all); "
                    "supported: grey, RGB, palette and CMYK samples of 1-16 bits",
                    name, what));
  };

  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::uint16_t photometric = 0;
  std::uint16_t bits = 1;
  std::uint16_t spp = 1;
  std::uint16_t sample_format = SAMPLEFORMAT_UINT;
  std::uint16_t planar = PLANARCONFIG_CONTIG;
  std::uint16_t compression = COMPRESSION_NONE;
  std::uint16_t extra_count = 0;
  std::uint16_t* extra = nullptr;
  if (!TIFFGetField(tif.get(), TIFFTAG_IMAGEWIDTH, &width) ||
      !TIFFGetField(tif.get(), TIFFTAG_IMAGELENGTH, &height))
    return corrupt();
  if (!TIFFGetField(tif.get(), TIFFTAG_PHOTOMETRIC, &photometric))
    return unsupported("without PhotometricInterpretation");
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_BITSPERSAMPLE, &bits);
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_SAMPLESPERPIXEL, &spp);
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_SAMPLEFORMAT, &sample_format);
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_PLANARCONFIG, &planar);
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_COMPRESSION, &compression);
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_EXTRASAMPLES, &extra_count, &extra);
  const std::vector<std::uint16_t> extras(extra, extra + (extra != nullptr ? extra_count : 0));

  if (width == 0 || height == 0 || std::uint64_t{width} * height > kMaxDecodedPixels) {
    return base::Status::invalid_argument(
        fmt::format("{}: TIFF of {}x{}; expected 1 to {} pixels (PIL's limit)", name, width, height,
                    kMaxDecodedPixels));
  }
  if (sample_format != SAMPLEFORMAT_UINT)
    return unsupported(fmt::format("sample format {}", sample_format));
  if (planar != PLANARCONFIG_CONTIG) return unsupported("with separate planes");

  // PIL's OPEN_INFO keys: the colour samples, then extra samples of the listed kinds.
  Kind kind = Kind::kGrey;
  std::size_t colour = 1;
  if (photometric == PHOTOMETRIC_MINISWHITE || photometric == PHOTOMETRIC_MINISBLACK) {
    kind = Kind::kGrey;
  } else if (photometric == PHOTOMETRIC_RGB) {
    kind = Kind::kRgb;
    colour = 3;
  } else if (photometric == PHOTOMETRIC_PALETTE) {
    kind = Kind::kPalette;
  } else if (photometric == PHOTOMETRIC_SEPARATED) {
    kind = Kind::kCmyk;
    colour = 4;
  } else {
    return unsupported(fmt::format("photometric interpretation {}", photometric));
  }
  // PIL reads 4-sample RGB without ExtraSamples as RGBA ("missing ExtraSamples").
  std::vector<std::uint16_t> kinds = extras;
  if (kind == Kind::kRgb && kinds.empty() && spp == 4) kinds.push_back(EXTRASAMPLE_UNASSALPHA);
  if (spp != colour + kinds.size())
    return unsupported(fmt::format("with {} samples per pixel", spp));
  const bool one_alpha = kinds.size() == 1 && kinds[0] == EXTRASAMPLE_UNASSALPHA;
  const auto rest_unspecified = [&] {
    return std::all_of(kinds.begin() + (kinds.empty() ? 0 : 1), kinds.end(),
                       [](std::uint16_t e) { return e == EXTRASAMPLE_UNSPECIFIED; });
  };
  bool known = false;
  switch (kind) {
    case Kind::kGrey:
      known = (kinds.empty() && (bits == 1 || bits == 2 || bits == 4 || bits == 8)) ||
              (kinds.empty() && bits == 16 &&
               (photometric == PHOTOMETRIC_MINISBLACK || !TIFFIsBigEndian(tif.get()))) ||
              (one_alpha && bits == 8 && photometric == PHOTOMETRIC_MINISBLACK);
      break;
    case Kind::kRgb:
      // 8 bits: none, or unspecified / unassociated alpha followed by up to two unspecified
      // (and Corel's 999); 16 bits: none or one of those. Associated alpha is not taken.
      known = kinds.empty() ||
              (bits == 8 && kinds.size() <= 3 && rest_unspecified() &&
               (kinds[0] == EXTRASAMPLE_UNSPECIFIED || kinds[0] == EXTRASAMPLE_UNASSALPHA ||
                (kinds[0] == 999 && kinds.size() == 1))) ||
              (bits == 16 && kinds.size() == 1 &&
               (kinds[0] == EXTRASAMPLE_UNSPECIFIED || kinds[0] == EXTRASAMPLE_UNASSALPHA));
      known = known && (bits == 8 || bits == 16);
      break;
    case Kind::kPalette:
      known = (kinds.empty() && (bits == 1 || bits == 2 || bits == 4 || bits == 8)) ||
              (one_alpha && bits == 8);
      break;
    case Kind::kCmyk:
      known = bits == 8 && kinds.size() <= 2 && rest_unspecified() &&
              (kinds.empty() || kinds[0] == EXTRASAMPLE_UNSPECIFIED);
      break;
  }
  if (!known) {
    return unsupported(fmt::format("of photometric {}, {} bits, {} extra samples", photometric,
                                   bits, kinds.size()));
  }
  std::uint16_t* colour_map[3] = {nullptr, nullptr, nullptr};
  if (kind == Kind::kPalette &&
      !TIFFGetField(tif.get(), TIFFTAG_COLORMAP, &colour_map[0], &colour_map[1], &colour_map[2]))
    return corrupt();

  // The decoded samples (contiguous rows of row_bytes) and the tile buffer, then RGB.
  const std::uint64_t row_bytes = (std::uint64_t{width} * spp * bits + 7) / 8;
  const bool tiled = TIFFIsTiled(tif.get()) != 0;
  std::uint64_t tile_bytes = 0;
  std::uint32_t tile_width = 0;
  std::uint32_t tile_height = 0;
  if (tiled) {
    if (bits < 8) return unsupported("tiled with samples under 8 bits");
    TIFFGetField(tif.get(), TIFFTAG_TILEWIDTH, &tile_width);
    TIFFGetField(tif.get(), TIFFTAG_TILELENGTH, &tile_height);
    tile_bytes = static_cast<std::uint64_t>(TIFFTileSize64(tif.get()));
    if (tile_width == 0 || tile_height == 0 ||
        tile_bytes != std::uint64_t{tile_width} * tile_height * spp * (bits / 8))
      return corrupt();
    // Tile sides are multiples of 16 (TIFF 6.0, section 15); a tile that reaches beyond the
    // image by more than that padding is refused before its buffer is allocated: a 961-byte
    // file declaring one 20x18 image in 700 MB tiles made the reader allocate them (found by
    // the tiff fuzz target).
    const auto padded = [](std::uint32_t side) { return (std::uint64_t{side} + 15) / 16 * 16; };
    if (tile_width > padded(width) || tile_height > padded(height)) {
      source.error = fmt::format("tiles of {}x{} for an image of {}x{}", tile_width, tile_height,
                                 width, height);
      return corrupt();
    }
  } else if (static_cast<std::uint64_t>(TIFFScanlineSize64(tif.get())) != row_bytes) {
    return corrupt();
  }
  QTUNE_ASSIGN_OR_RETURN(const DecodeReservation reserved,
                         DecodeReservation::reserve(
                             row_bytes * height + tile_bytes + std::uint64_t{width} * height * 3,
                             fmt::format("{}: TIFF of {}x{}", name, width, height)));
  std::vector<std::uint8_t> samples(static_cast<std::size_t>(row_bytes * height));
  if (tiled) {
    std::vector<std::uint8_t> tile(static_cast<std::size_t>(tile_bytes));
    const std::size_t pixel_bytes = std::size_t{spp} * (bits / 8);
    for (std::uint32_t ty = 0; ty < height; ty += tile_height) {
      for (std::uint32_t tx = 0; tx < width; tx += tile_width) {
        if (TIFFReadTile(tif.get(), tile.data(), tx, ty, 0, 0) < 0) return corrupt();
        const std::uint32_t rows = std::min(tile_height, height - ty);
        const std::uint32_t cols = std::min(tile_width, width - tx);
        for (std::uint32_t r = 0; r < rows; ++r) {
          std::memcpy(samples.data() + (ty + r) * row_bytes + tx * pixel_bytes,
                      tile.data() + std::size_t{r} * tile_width * pixel_bytes, cols * pixel_bytes);
        }
      }
    }
  } else {
    const tstrip_t strips = TIFFNumberOfStrips(tif.get());
    std::uint32_t rows_per_strip = height;
    TIFFGetFieldDefaulted(tif.get(), TIFFTAG_ROWSPERSTRIP, &rows_per_strip);
    rows_per_strip = std::min(std::max<std::uint32_t>(rows_per_strip, 1), height);
    std::uint64_t done = 0;
    for (tstrip_t s = 0; s < strips && done < height; ++s) {
      const std::uint64_t rows = std::min<std::uint64_t>(rows_per_strip, height - done);
      if (TIFFReadEncodedStrip(tif.get(), s, samples.data() + done * row_bytes,
                               static_cast<tmsize_t>(rows * row_bytes)) < 0)
        return corrupt();
      done += rows;
    }
    if (done < height) return corrupt();
  }

  Image image;
  image.width = width;
  image.height = height;
  image.pixels.resize(std::size_t{width} * height * 3);
  const bool inverted = photometric == PHOTOMETRIC_MINISWHITE && bits < 16;
  for (std::size_t y = 0; y < height; ++y) {
    const std::uint8_t* row = samples.data() + y * row_bytes;
    for (std::size_t x = 0; x < width; ++x) {
      std::uint8_t* out = image.pixels.data() + (y * width + x) * 3;
      // The first sample of the pixel (packed bits, 8 or native-endian 16).
      const auto sample = [&](std::size_t i) -> unsigned {
        const std::size_t index = x * spp + i;
        if (bits == 16) {
          std::uint16_t v;
          std::memcpy(&v, row + 2 * index, 2);
          return v;
        }
        if (bits == 8) return row[index];
        const std::size_t bit = index * bits;
        return (row[bit / 8] >> (8 - bits - bit % 8)) & ((1u << bits) - 1);
      };
      switch (kind) {
        case Kind::kGrey: {
          unsigned v = sample(0);
          if (bits == 16) {
            v = std::min(v, 255u);
          } else {
            v = v * (255u / ((1u << bits) - 1));
            if (inverted) v = 255 - v;
          }
          out[0] = out[1] = out[2] = static_cast<std::uint8_t>(v);
          break;
        }
        case Kind::kRgb:
          for (std::size_t c = 0; c < 3; ++c)
            out[c] = static_cast<std::uint8_t>(bits == 16 ? sample(c) >> 8 : sample(c));
          break;
        case Kind::kPalette: {
          const unsigned index = sample(0);
          for (std::size_t c = 0; c < 3; ++c)
            out[c] = static_cast<std::uint8_t>(colour_map[c][index] >> 8);
          break;
        }
        case Kind::kCmyk: {
          const int k = static_cast<int>(sample(3));
          for (std::size_t c = 0; c < 3; ++c) out[c] = cmyk_channel(static_cast<int>(sample(c)), k);
          break;
        }
      }
    }
  }
  return image;
}

}  // namespace qtune::metrics
