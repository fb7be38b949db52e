#include "base/seed.h"

namespace qtune::base {

std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t derive_seed(std::uint64_t root, std::string_view component, std::uint64_t index) {
  // FNV-1a over the component name keeps streams of different components apart.
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : component) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return mix64(mix64(root ^ h) + index);
}

}  // namespace qtune::base
