// libFuzzer target: decode_image on arbitrary bytes, seeded with netpbm (plain and binary P1-P6)
// files (the format is recognised from its magic bytes, so the other decoders are reached as well).
#include <cstddef>
#include <cstdint>
#include <span>

#include "qtune/metrics/image.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)qtune::metrics::decode_image(std::span<const std::uint8_t>(data, size), "fuzz.pgm");
  return 0;
}
