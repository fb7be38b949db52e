// The largest image the decoders accept, checked from the header before anything is allocated.
#pragma once

#include <cstdint>

namespace qtune::metrics {

// PIL's decompression-bomb limit (Image.MAX_IMAGE_PIXELS * 2, where PIL raises).
inline constexpr std::uint64_t kMaxDecodedPixels = 2 * 89478485ull;

}  // namespace qtune::metrics
