// EvaluationCache: every state a strategy has had evaluated, with its loss, so that a step
// onto a known state costs nothing. Memory is proportional to the evaluated states.
// Failed trials are kept with the penalty loss they were given when told, and are never
// the best state.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>

#include "base/bytes.h"
#include "qtune/base/result.h"
#include "qtune/space/space.h"

namespace qtune::agent {

class EvaluationCache {
 public:
  bool contains(space::StateId state) const { return entries_.contains(state); }
  // The loss of an evaluated state (the penalty for a failed one); QTUNE_CHECKs that it is.
  double loss(space::StateId state) const;
  std::size_t size() const { return entries_.size(); }

  // Records the outcome of a first evaluation. A failure (nullopt) is given `penalty` if
  // set, else the worst loss so far plus the measured range (1.0 until two distinct
  // successful losses exist; 1.0 alone before any success).
  void record(space::StateId state, std::optional<double> loss, std::optional<double> penalty);

  // The state with the lowest successful loss (the first measured on ties).
  std::optional<space::StateId> best() const { return best_; }

  void save(base::ByteWriter& out) const;
  base::Status load(base::ByteReader& in);

 private:
  struct Entry {
    double loss = 0.0;
    bool failed = false;
  };
  std::unordered_map<space::StateId, Entry> entries_;
  std::optional<space::StateId> best_;
  double best_loss_ = 0.0;
  double worst_loss_ = 0.0;
};

}  // namespace qtune::agent
