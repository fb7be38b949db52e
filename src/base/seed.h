// Seed derivation: no global RNG. Every random stream gets its own seed, derived from
// the study seed, a component name and an index (trajectory, replay run), so adding a
// stream never shifts another one.
#pragma once

#include <cstdint>
#include <string_view>

namespace qtune::base {

// SplitMix64 finaliser: a bijective 64-bit mix with full avalanche.
std::uint64_t mix64(std::uint64_t x);

// Seed for stream (component, index) of a study seeded with `root`.
std::uint64_t derive_seed(std::uint64_t root, std::string_view component, std::uint64_t index = 0);

}  // namespace qtune::base
