#include "metrics/io/webp_decode.h"

#include <fmt/format.h>
#include <webp/decode.h>
#include <webp/demux.h>

#include <cstring>
#include <memory>

#include "metrics/io/decode_budget.h"
#include "metrics/io/pixel_limit.h"

namespace qtune::metrics {

bool is_webp(std::span<const std::uint8_t> bytes) {
  return bytes.size() >= 12 && std::memcmp(bytes.data(), "RIFF", 4) == 0 &&
         std::memcmp(bytes.data() + 8, "WEBP", 4) == 0;
}

base::Result<Image> decode_webp(std::span<const std::uint8_t> bytes, std::string_view name) {
  const auto corrupt = [&](std::string_view what) {
    return base::Status::corrupt(fmt::format("{}: WebP is corrupt or truncated: {}", name, what));
  };
  WebPBitstreamFeatures features;
  if (WebPGetFeatures(bytes.data(), bytes.size(), &features) != VP8_STATUS_OK)
    return corrupt("unreadable header");
  // The canvas size (for an animation, VP8X's canvas), checked before libwebp allocates.
  const auto width = static_cast<std::uint64_t>(features.width);
  const auto height = static_cast<std::uint64_t>(features.height);
  if (features.width <= 0 || features.height <= 0 || width * height > kMaxDecodedPixels) {
    return base::Status::invalid_argument(
        fmt::format("{}: WebP of {}x{}; expected 1 to {} pixels (PIL's limit)", name, width, height,
                    kMaxDecodedPixels));
  }
  // The animation decoder keeps two RGBA canvases and decodes a frame (at most the canvas,
  // RGBA plus YUV planes) beside them; then the RGB image.
  QTUNE_ASSIGN_OR_RETURN(
      const DecodeReservation reserved,
      DecodeReservation::reserve(width * height * (4 * 3 + 3 + 3),
                                 fmt::format("{}: WebP of {}x{}", name, width, height)));
  WebPAnimDecoderOptions options;
  if (!WebPAnimDecoderOptionsInit(&options))
    return base::Status::internal(fmt::format("{}: libwebp could not start", name));
  options.color_mode = MODE_RGBA;  // PIL's _webp.c
  options.use_threads = 0;
  const WebPData data{bytes.data(), bytes.size()};
  const std::unique_ptr<WebPAnimDecoder, decltype(&WebPAnimDecoderDelete)> decoder(
      WebPAnimDecoderNew(&data, &options), &WebPAnimDecoderDelete);
  if (!decoder) return corrupt("cannot parse the RIFF chunks");
  WebPAnimInfo info;
  if (!WebPAnimDecoderGetInfo(decoder.get(), &info) || info.canvas_width != width ||
      info.canvas_height != height) {
    return corrupt("inconsistent canvas size");
  }
  std::uint8_t* rgba = nullptr;
  int timestamp = 0;
  if (!WebPAnimDecoderGetNext(decoder.get(), &rgba, &timestamp) || rgba == nullptr)
    return corrupt("cannot decode the first frame");
  Image image;
  image.width = static_cast<std::size_t>(width);
  image.height = static_cast<std::size_t>(height);
  image.pixels.resize(image.width * image.height * 3);
  for (std::size_t i = 0; i < image.width * image.height; ++i) {
    std::memcpy(&image.pixels[3 * i], rgba + 4 * i, 3);
  }
  return image;
}

}  // namespace qtune::metrics
