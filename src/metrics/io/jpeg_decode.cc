// libjpeg reports errors through error_exit, which must not return: it longjmps back. The
// functions that call setjmp keep only trivially destructible locals (no destructor is
// skipped); the output buffer is owned by the caller.
#include "metrics/io/jpeg_decode.h"

#include <fmt/format.h>

#include <csetjmp>
#include <cstdio>
#include <memory>
#include <vector>
// jpeglib.h needs FILE and size_t declared first.
#include <jerror.h>
#include <jpeglib.h>

#include "metrics/io/decode_budget.h"
#include "metrics/io/pixel_limit.h"

namespace qtune::metrics {
namespace {

struct JpegErrors {
  jpeg_error_mgr mgr;  // first member: libjpeg hands back a pointer to it
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  int warnings;
};

extern "C" void jpeg_on_error(j_common_ptr cinfo) {
  auto* errors = reinterpret_cast<JpegErrors*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, errors->message);
  std::longjmp(errors->jump, 1);
}

// At a premature end of data libjpeg warns and pads the image with grey; PIL raises "image
// file is truncated" there (unless LOAD_TRUNCATED_IMAGES), so we refuse too. Other
// corrupt-data warnings (extraneous bytes before a marker, ...) PIL ignores, and so do we.
extern "C" void jpeg_on_message(j_common_ptr cinfo, int level) {
  if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) {
    auto* errors = reinterpret_cast<JpegErrors*>(cinfo->err);
    if (errors->warnings++ == 0) (*cinfo->err->format_message)(cinfo, errors->message);
  }
}

struct JpegHeader {
  JDIMENSION width;
  JDIMENSION height;
  int components;  // of the output: 1 (grey), 3 (RGB) or 4 (CMYK)
  J_COLOR_SPACE color_space;
  // A progressive (multi-scan) JPEG: libjpeg keeps every DCT coefficient of the whole image
  // (2 bytes each, per coded component) from jpeg_start_decompress on.
  std::uint64_t coefficient_bytes = 0;
};

// The header only: nothing the size of the image is allocated yet, so that the pixel limit
// and the decode budget are checked before jpeg_start_decompress allocates.
bool read_header(jpeg_decompress_struct* cinfo, JpegErrors* errors, const std::uint8_t* data,
                 std::size_t size, JpegHeader* header) {
  if (setjmp(errors->jump)) return false;
  jpeg_mem_src(cinfo, data, static_cast<unsigned long>(size));
  jpeg_read_header(cinfo, TRUE);
  // libjpeg's defaults are PIL's: JDCT_ISLOW, fancy upsampling, no scaling, no dithering.
  header->color_space = cinfo->jpeg_color_space;
  // Four components are PIL's mode "CMYK": libjpeg gives CMYK (YCCK converted), PIL's
  // rawmode "CMYK;I" inverts it (Adobe's polarity, assumed for every CMYK JPEG).
  const bool cmyk = cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK;
  if (cmyk) {
    cinfo->out_color_space = JCS_CMYK;
  } else if (cinfo->jpeg_color_space != JCS_GRAYSCALE) {
    cinfo->out_color_space = JCS_RGB;
  }
  header->width = cinfo->image_width;  // no scaling: the output is the image's size
  header->height = cinfo->image_height;
  header->components = cmyk ? 4 : cinfo->out_color_space == JCS_GRAYSCALE ? 1 : 3;
  if (jpeg_has_multiple_scans(cinfo)) {
    const std::uint64_t padded_width = (std::uint64_t{cinfo->image_width} + 15) / 16 * 16;
    const std::uint64_t padded_height = (std::uint64_t{cinfo->image_height} + 15) / 16 * 16;
    header->coefficient_bytes =
        padded_width * padded_height * 2 * static_cast<std::uint64_t>(cinfo->num_components);
  }
  return true;
}

// PIL's "CMYK;I" unpacker (255 - v) then convert("RGB") (Convert.c cmyk2rgb):
// nk = 255 - k; channel = clip(nk - muldiv255(c, nk)), muldiv255(a, b) = (t + (t >> 8)) >> 8
// with t = a * b + 128.
void cmyk_inverted_to_rgb(const std::vector<std::uint8_t>& cmyk, std::vector<std::uint8_t>& rgb) {
  for (std::size_t i = 0; i < rgb.size() / 3; ++i) {
    const int nk = 255 - (255 - cmyk[4 * i + 3]);
    for (std::size_t c = 0; c < 3; ++c) {
      const int t = (255 - cmyk[4 * i + c]) * nk + 128;
      const int v = nk - ((t + (t >> 8)) >> 8);
      rgb[3 * i + c] = static_cast<std::uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
    }
  }
}

bool start_decompress(jpeg_decompress_struct* cinfo, JpegErrors* errors) {
  if (setjmp(errors->jump)) return false;
  jpeg_start_decompress(cinfo);
  return cinfo->output_width == cinfo->image_width && cinfo->output_height == cinfo->image_height;
}

bool read_rows(jpeg_decompress_struct* cinfo, JpegErrors* errors, std::uint8_t* out,
               std::size_t row_bytes) {
  if (setjmp(errors->jump)) return false;
  while (cinfo->output_scanline < cinfo->output_height) {
    JSAMPROW row = out + std::size_t{cinfo->output_scanline} * row_bytes;
    jpeg_read_scanlines(cinfo, &row, 1);
  }
  jpeg_finish_decompress(cinfo);
  return true;
}

}  // namespace

base::Result<Image> decode_jpeg(std::span<const std::uint8_t> bytes, std::string_view name) {
  jpeg_decompress_struct cinfo{};
  JpegErrors errors{};
  cinfo.err = jpeg_std_error(&errors.mgr);
  errors.mgr.error_exit = jpeg_on_error;
  errors.mgr.emit_message = jpeg_on_message;
  jpeg_create_decompress(&cinfo);
  const auto destroy = [](jpeg_decompress_struct* c) { jpeg_destroy_decompress(c); };
  const std::unique_ptr<jpeg_decompress_struct, decltype(destroy)> guard(&cinfo, destroy);
  auto corrupt = [&] {
    return base::Status::corrupt(
        fmt::format("{}: JPEG is corrupt or truncated: {}", name, errors.message));
  };

  JpegHeader header{};
  if (!read_header(&cinfo, &errors, bytes.data(), bytes.size(), &header)) return corrupt();
  if (header.color_space != JCS_GRAYSCALE && header.color_space != JCS_YCbCr &&
      header.color_space != JCS_RGB && header.color_space != JCS_CMYK &&
      header.color_space != JCS_YCCK) {
    return base::Status::invalid_argument(
        fmt::format("{}: JPEG colour space {} is not supported; expected greyscale, YCbCr, RGB, "
                    "CMYK or YCCK",
                    name, static_cast<int>(header.color_space)));
  }
  if (std::uint64_t{header.width} * header.height > kMaxDecodedPixels) {
    return base::Status::invalid_argument(
        fmt::format("{}: JPEG of {}x{} is too large; expected at most {} pixels (PIL's limit)",
                    name, header.width, header.height, kMaxDecodedPixels));
  }
  const auto components = static_cast<std::size_t>(header.components);  // 1, 3 or 4
  // The decoded samples, and for grey and CMYK the RGB image made from them.
  const std::uint64_t pixel_count = std::uint64_t{header.width} * header.height;
  QTUNE_ASSIGN_OR_RETURN(
      const DecodeReservation reserved,
      DecodeReservation::reserve(
          pixel_count * (components + (components == 3 ? 0 : 3)) + header.coefficient_bytes,
          fmt::format("{}: JPEG of {}x{}", name, header.width, header.height)));
  if (!start_decompress(&cinfo, &errors)) return corrupt();
  std::vector<std::uint8_t> decoded(std::size_t{header.width} * header.height * components);
  if (!read_rows(&cinfo, &errors, decoded.data(), std::size_t{header.width} * components))
    return corrupt();
  if (errors.warnings > 0) return corrupt();

  Image image;
  image.width = header.width;
  image.height = header.height;
  if (components == 3) {
    image.pixels = std::move(decoded);
    return image;
  }
  image.pixels.resize(std::size_t{header.width} * header.height * 3);
  if (components == 4) {
    cmyk_inverted_to_rgb(decoded, image.pixels);
    return image;
  }
  for (std::size_t i = 0; i < decoded.size(); ++i) {
    image.pixels[3 * i] = image.pixels[3 * i + 1] = image.pixels[3 * i + 2] = decoded[i];
  }
  return image;
}

}  // namespace qtune::metrics
