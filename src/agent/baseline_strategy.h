// BaselineStrategy: the part random search and grid search share. They propose states in a
// fixed order of their own (next()), at most `trajectories` at a time, never the same state
// twice, and learn nothing from outcomes beyond the best measured state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/evaluation_cache.h"
#include "base/bytes.h"
#include "qtune/agent/strategy.h"

namespace qtune::agent {

class BaselineStrategy : public Strategy {
 public:
  BaselineStrategy(const space::Space& space, std::uint32_t trajectories);

  std::optional<Proposal> ask() final;
  void tell(const Proposal& proposal, const Observation& observation) final;
  void observe(space::StateId state, const Observation& observation) final;
  std::optional<space::StateId> recommend() const final { return cache_.best(); }
  std::string snapshot() const final;
  base::Status restore(std::string_view snapshot) final;

 protected:
  const space::Space& space() const { return space_; }

 private:
  // The next state in this strategy's order, or nullopt when every state was handed out.
  virtual std::optional<space::StateId> next() = 0;
  // The order's own state, for snapshots.
  virtual void save(base::ByteWriter& out) const = 0;
  virtual base::Status load(base::ByteReader& in) = 0;

  space::Space space_;
  std::vector<std::optional<space::StateId>> slots_;  // trajectory -> its pending proposal
  EvaluationCache cache_;
};

}  // namespace qtune::agent
