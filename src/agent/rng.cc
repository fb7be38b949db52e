#include "agent/rng.h"

#include <bit>
#include <limits>

#include "base/seed.h"
#include "qtune/base/result.h"

namespace qtune::agent {

Rng::Rng(std::uint64_t seed) {
  for (auto& word : s_) {
    word = base::mix64(seed);
    seed += 0x9e3779b97f4a7c15ULL;
  }
}

std::uint64_t Rng::next() {
  const std::uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = std::rotl(s_[3], 45);
  return result;
}

std::uint64_t Rng::below(std::uint64_t n) {
  QTUNE_CHECK(n >= 1);
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  const std::uint64_t limit = kMax - (kMax % n + 1) % n;  // largest multiple of n, minus 1
  std::uint64_t x = next();
  while (x > limit) x = next();
  return x % n;
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

void Rng::save(base::ByteWriter& out) const {
  for (std::uint64_t word : s_) out.u64(word);
}

base::Status Rng::load(base::ByteReader& in) {
  std::array<std::uint64_t, 4> s{};
  for (auto& word : s) {
    QTUNE_ASSIGN_OR_RETURN(word, in.u64());
  }
  s_ = s;
  return base::Status::ok();
}

}  // namespace qtune::agent
