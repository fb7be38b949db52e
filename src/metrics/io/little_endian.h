// Little-endian number loads from byte buffers (zip, .npy, pickle and storage fields). The
// caller has checked the bounds; these only assemble bytes, portably and without aliasing UB.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace qtune::metrics {

template <typename T>
T load_le(std::string_view bytes, std::size_t offset) {
  static_assert(sizeof(T) <= 8);
  std::uint64_t v = 0;
  for (std::size_t i = sizeof(T); i-- > 0;)
    v = (v << 8) | static_cast<unsigned char>(bytes[offset + i]);
  if constexpr (std::is_same_v<T, float>) {
    return std::bit_cast<float>(static_cast<std::uint32_t>(v));
  } else if constexpr (std::is_same_v<T, double>) {
    return std::bit_cast<double>(v);
  } else {
    return static_cast<T>(v);  // modular for signed T (C++20): two's complement
  }
}

}  // namespace qtune::metrics
