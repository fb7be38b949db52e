// GridSearch: every state once, in row-major order of the ids (the last dimension varies
// fastest), as a nested loop over the dimensions in file order would.
#pragma once

#include <cstdint>

#include "agent/baseline_strategy.h"

namespace qtune::agent {

class GridSearch final : public BaselineStrategy {
 public:
  GridSearch(const space::Space& space, std::uint32_t trajectories)
      : BaselineStrategy(space, trajectories) {}
  std::string_view name() const override { return "grid"; }

 private:
  std::optional<space::StateId> next() override;
  void save(base::ByteWriter& out) const override { out.u64(next_); }
  base::Status load(base::ByteReader& in) override;

  space::StateId next_ = 0;
};

}  // namespace qtune::agent
