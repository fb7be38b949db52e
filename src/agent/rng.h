// Rng: the random stream of a strategy. xoshiro256** with its four words of state held
// explicitly, so a snapshot captures the stream exactly and the sequence is the same on
// every platform (std:: distributions are not specified bit for bit; these draws are).
#pragma once

#include <array>
#include <cstdint>

#include "base/bytes.h"
#include "qtune/base/result.h"

namespace qtune::agent {

class Rng {
 public:
  // The state is filled from `seed` by SplitMix64, as xoshiro's authors recommend.
  explicit Rng(std::uint64_t seed);

  std::uint64_t next();
  // Uniform in [0, n), unbiased (rejection of the top partial block); n >= 1.
  std::uint64_t below(std::uint64_t n);
  // Uniform in [0, 1) with 53 random bits.
  double uniform();

  void save(base::ByteWriter& out) const;
  base::Status load(base::ByteReader& in);

 private:
  std::array<std::uint64_t, 4> s_{};
};

}  // namespace qtune::agent
