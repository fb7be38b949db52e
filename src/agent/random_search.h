// RandomSearch: uniform random states without replacement, deterministic for a seed.
//
// A lazy Fisher-Yates shuffle of the ids 0..N-1: draw i swaps position i with a uniform
// position j in [i, N) and hands out what j held. Only positions that were swapped are
// stored (a hash map), so memory is O(draws) and each draw costs O(1) whatever N is (10^12
// states are fine), with no rejection loop that slows down as the space fills up.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "agent/baseline_strategy.h"
#include "agent/rng.h"

namespace qtune::agent {

class RandomSearch final : public BaselineStrategy {
 public:
  RandomSearch(const space::Space& space, std::uint32_t trajectories, std::uint64_t seed);
  std::string_view name() const override { return "random"; }

 private:
  std::optional<space::StateId> next() override;
  void save(base::ByteWriter& out) const override;
  base::Status load(base::ByteReader& in) override;
  std::uint64_t at(std::uint64_t position) const;

  Rng rng_;
  std::uint64_t drawn_ = 0;
  std::unordered_map<std::uint64_t, std::uint64_t> moved_;  // position -> id it holds now
};

}  // namespace qtune::agent
