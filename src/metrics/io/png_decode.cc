// libpng reports errors by longjmp. The two functions that call setjmp keep only trivially
// destructible locals, so the jump skips no destructor; C++ objects live in the caller.
#include "metrics/io/png_decode.h"

#include <fmt/format.h>
#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "metrics/io/decode_budget.h"
#include "metrics/io/pixel_limit.h"

namespace qtune::metrics {
namespace {

// What the callbacks need: the input, a read position, and the last error message.
struct PngSource {
  const std::uint8_t* data;
  std::size_t size;
  std::size_t pos;
  char message[200];
};

extern "C" void png_read_from_memory(png_structp png, png_bytep out, png_size_t length) {
  auto* source = static_cast<PngSource*>(png_get_io_ptr(png));
  if (length > source->size - source->pos) png_error(png, "file is truncated");
  std::memcpy(out, source->data + source->pos, length);
  source->pos += length;
}

extern "C" void png_on_error(png_structp png, png_const_charp message) {
  auto* source = static_cast<PngSource*>(png_get_error_ptr(png));
  std::snprintf(source->message, sizeof(source->message), "%s", message);
  png_longjmp(png, 1);
}

extern "C" void png_on_warning(png_structp, png_const_charp) {}  // PIL ignores them too

struct PngHeader {
  png_uint_32 width;
  png_uint_32 height;
  int bit_depth;
  int color_type;
  // 16-bit grey is the one case libpng's transforms cannot do as PIL does (see read_header).
  int grey16;
  std::size_t row_bytes;
};

// Reads the header and sets the transforms to 8-bit RGB. False on a libpng error.
bool read_header(png_structp png, png_infop info, PngHeader* header) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_info(png, info);
  header->width = png_get_image_width(png, info);
  header->height = png_get_image_height(png, info);
  header->bit_depth = png_get_bit_depth(png, info);
  header->color_type = png_get_color_type(png, info);
  // PIL opens 16-bit grey as mode "I" and clips it to 0..255 in convert("RGB"); every
  // other 16-bit PNG keeps the high byte (rawmodes "RGB;16B", "LA;16B", ...) = strip_16.
  header->grey16 = header->bit_depth == 16 && header->color_type == PNG_COLOR_TYPE_GRAY;
  if (header->color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (header->color_type == PNG_COLOR_TYPE_GRAY && header->bit_depth < 8)
    png_set_expand_gray_1_2_4_to_8(png);
  if (header->bit_depth == 16 && !header->grey16) png_set_strip_16(png);
  // Palette/grey expansion also turns tRNS into an alpha channel: dropped like any alpha,
  // without compositing (PIL's convert("RGB")).
  if ((header->color_type & PNG_COLOR_MASK_ALPHA) != 0 ||
      png_get_valid(png, info, PNG_INFO_tRNS) != 0) {
    png_set_strip_alpha(png);
  }
  if (!header->grey16 && (header->color_type & PNG_COLOR_MASK_COLOR) == 0) png_set_gray_to_rgb(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  header->row_bytes = png_get_rowbytes(png, info);
  return true;
}

bool read_rows(png_structp png, png_infop info, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_image(png, rows);
  png_read_end(png, info);
  return true;
}

}  // namespace

base::Result<Image> decode_png(std::span<const std::uint8_t> bytes, std::string_view name) {
  PngSource source{bytes.data(), bytes.size(), 0, {}};
  png_structp png =
      png_create_read_struct(PNG_LIBPNG_VER_STRING, &source, png_on_error, png_on_warning);
  if (png == nullptr)
    return base::Status::internal(fmt::format("{}: libpng could not start", name));
  png_infop info = png_create_info_struct(png);
  const auto destroy = [&](PngSource*) {
    png_destroy_read_struct(&png, info != nullptr ? &info : nullptr, nullptr);
  };
  const std::unique_ptr<PngSource, decltype(destroy)> guard(&source, destroy);
  if (info == nullptr)
    return base::Status::internal(fmt::format("{}: libpng could not start", name));
  png_set_read_fn(png, &source, png_read_from_memory);
  png_set_user_limits(png, 1u << 16, 1u << 16);

  auto corrupt = [&] {
    return base::Status::corrupt(
        fmt::format("{}: PNG is corrupt or truncated: {}", name, source.message));
  };
  PngHeader header{};
  if (!read_header(png, info, &header)) return corrupt();
  const std::size_t channels = header.grey16 ? 2 : 3;  // bytes per pixel after the transforms
  if (std::uint64_t{header.width} * header.height > kMaxDecodedPixels ||
      header.row_bytes != std::size_t{header.width} * channels) {
    return base::Status::invalid_argument(fmt::format(
        "{}: PNG of {}x{} (bit depth {}, colour type {}) is not "
        "supported; expected at most {} pixels (PIL's limit)",
        name, header.width, header.height, header.bit_depth, header.color_type, kMaxDecodedPixels));
  }
  // The rows, and for 16-bit grey the RGB image made from them: reserved before either.
  const std::uint64_t pixel_count = std::uint64_t{header.width} * header.height;
  QTUNE_ASSIGN_OR_RETURN(const DecodeReservation reserved,
                         DecodeReservation::reserve(
                             pixel_count * (channels + (header.grey16 ? 3 : 0)),
                             fmt::format("{}: PNG of {}x{}", name, header.width, header.height)));
  std::vector<std::uint8_t> decoded(header.row_bytes * header.height);
  std::vector<png_bytep> rows(header.height);
  for (std::size_t y = 0; y < rows.size(); ++y) rows[y] = decoded.data() + y * header.row_bytes;
  if (!read_rows(png, info, rows.data())) return corrupt();

  Image image;
  image.width = header.width;
  image.height = header.height;
  if (!header.grey16) {
    image.pixels = std::move(decoded);
    return image;
  }
  image.pixels.resize(image.width * image.height * 3);
  for (std::size_t i = 0; i < image.width * image.height; ++i) {
    const unsigned value = (unsigned{decoded[2 * i]} << 8) | decoded[2 * i + 1];  // big endian
    const auto clipped = static_cast<std::uint8_t>(value > 255 ? 255 : value);
    image.pixels[3 * i] = image.pixels[3 * i + 1] = image.pixels[3 * i + 2] = clipped;
  }
  return image;
}

}  // namespace qtune::metrics
