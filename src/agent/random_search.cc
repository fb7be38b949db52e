#include "agent/random_search.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "base/seed.h"

namespace qtune::agent {

RandomSearch::RandomSearch(const space::Space& space, std::uint32_t trajectories,
                           std::uint64_t seed)
    : BaselineStrategy(space, trajectories), rng_(base::derive_seed(seed, "random-search")) {}

std::uint64_t RandomSearch::at(std::uint64_t position) const {
  const auto it = moved_.find(position);
  return it == moved_.end() ? position : it->second;
}

std::optional<space::StateId> RandomSearch::next() {
  const std::uint64_t n = space().size();
  if (drawn_ == n) return std::nullopt;
  const std::uint64_t j = drawn_ + rng_.below(n - drawn_);
  const std::uint64_t chosen = at(j);
  moved_[j] = at(drawn_);
  moved_.erase(drawn_);  // position drawn_ is never read again
  ++drawn_;
  return chosen;
}

void RandomSearch::save(base::ByteWriter& out) const {
  rng_.save(out);
  out.u64(drawn_);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> moved(moved_.begin(), moved_.end());
  std::sort(moved.begin(), moved.end());
  out.u64(moved.size());
  for (const auto& [position, id] : moved) {
    out.u64(position);
    out.u64(id);
  }
}

base::Status RandomSearch::load(base::ByteReader& in) {
  Rng rng = rng_;
  QTUNE_RETURN_IF_ERROR(rng.load(in));
  QTUNE_ASSIGN_OR_RETURN(const std::uint64_t drawn, in.u64());
  QTUNE_ASSIGN_OR_RETURN(const std::uint64_t count, in.u64());
  std::unordered_map<std::uint64_t, std::uint64_t> moved;
  const std::uint64_t n = space().size();
  for (std::uint64_t i = 0; i < count; ++i) {
    QTUNE_ASSIGN_OR_RETURN(const std::uint64_t position, in.u64());
    QTUNE_ASSIGN_OR_RETURN(const std::uint64_t id, in.u64());
    if (position < drawn || position >= n || id >= n) {
      return base::Status::corrupt(fmt::format(
          "random snapshot: swap {} -> {} is outside positions [{}, {})", position, id, drawn, n));
    }
    moved[position] = id;
  }
  if (drawn > n) {
    return base::Status::corrupt(fmt::format("random snapshot: {} draws from {} states", drawn, n));
  }
  rng_ = rng;
  drawn_ = drawn;
  moved_ = std::move(moved);
  return base::Status::ok();
}

}  // namespace qtune::agent
