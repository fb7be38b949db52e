#include "report/thumbnail.h"

#include <png.h>

#include <algorithm>
#include <cmath>

namespace qtune::report {
namespace {

void append_bytes(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::vector<std::uint8_t>*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + length);
}

void flush_nothing(png_structp) {}

}  // namespace

metrics::Image downscale(const metrics::Image& image, std::size_t max_side) {
  const std::size_t side = std::max(image.width, image.height);
  if (side <= max_side || side == 0) return image;
  const double f = static_cast<double>(side) / static_cast<double>(max_side);
  metrics::Image out;
  out.width = std::max<std::size_t>(
      1, static_cast<std::size_t>(std::lround(static_cast<double>(image.width) / f)));
  out.height = std::max<std::size_t>(
      1, static_cast<std::size_t>(std::lround(static_cast<double>(image.height) / f)));
  out.pixels.resize(out.width * out.height * 3);
  for (std::size_t y = 0; y < out.height; ++y) {
    const std::size_t y0 = y * image.height / out.height;
    const std::size_t y1 = std::max(y0 + 1, (y + 1) * image.height / out.height);
    for (std::size_t x = 0; x < out.width; ++x) {
      const std::size_t x0 = x * image.width / out.width;
      const std::size_t x1 = std::max(x0 + 1, (x + 1) * image.width / out.width);
      for (std::size_t c = 0; c < 3; ++c) {
        unsigned sum = 0;
        for (std::size_t yy = y0; yy < y1; ++yy)
          for (std::size_t xx = x0; xx < x1; ++xx) sum += image.at(yy, xx, c);
        out.pixels[(y * out.width + x) * 3 + c] =
            static_cast<std::uint8_t>(sum / ((y1 - y0) * (x1 - x0)));
      }
    }
  }
  return out;
}

std::vector<std::uint8_t> encode_png(const metrics::Image& image) {
  std::vector<std::uint8_t> out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (png == nullptr) return out;
  png_infop info = png_create_info_struct(png);
  if (info == nullptr || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return {};
  }
  png_set_write_fn(png, &out, append_bytes, flush_nothing);
  png_set_IHDR(png, info, static_cast<png_uint_32>(image.width),
               static_cast<png_uint_32>(image.height), 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (std::size_t y = 0; y < image.height; ++y) {
    png_write_row(png, const_cast<png_bytep>(image.pixels.data() + y * image.width * 3));
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

std::string png_data_uri(const std::vector<std::uint8_t>& png) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = "data:image/png;base64,";
  std::size_t i = 0;
  for (; i + 2 < png.size(); i += 3) {
    const unsigned v = (unsigned{png[i]} << 16) | (unsigned{png[i + 1]} << 8) | png[i + 2];
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (i + 1 == png.size()) {
    const unsigned v = unsigned{png[i]} << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == png.size()) {
    const unsigned v = (unsigned{png[i]} << 16) | (unsigned{png[i + 1]} << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

}  // namespace qtune::report
