// Moves: the actions of the agent, as index steps on the grid that clamp at the ends
// (moving 64 "up by one" in {64,128,256} goes to 128, never to 65; at 256 it stays).
//
// kJoint: every combination of -1/0/+1 over the d dimensions, 3^d actions. Action a is the
//   base-3 number whose digit k (dimension 0 most significant) is step_k + 1; the all-zero
//   "stay" move is (3^d - 1) / 2.   d=2: a=0 (-1,-1), 1 (-1,0), 2 (-1,+1), 3 (0,-1),
//   4 (0,0) stay, 5 (0,+1), 6 (+1,-1), 7 (+1,0), 8 (+1,+1).
// kSingle: stay, then one dimension by -1 or +1: 2d+1 actions. a=0 stay, a=1+2k is
//   dimension k by -1, a=2+2k is dimension k by +1.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "qtune/base/result.h"
#include "qtune/space/space.h"

namespace qtune::space {

enum class MoveSet { kJoint, kSingle };

// "joint" | "single"; kInvalidArgument otherwise, naming the valid values.
base::Result<MoveSet> parse_move_set(std::string_view text);
std::string_view move_set_name(MoveSet set);

using Action = std::uint32_t;

class Moves {
 public:
  // kInvalidArgument if kJoint and 3^d exceeds 3^kMaxJointDims (use "single" for larger d).
  static constexpr std::size_t kMaxJointDims = 12;
  static base::Result<Moves> create(const Space& space, MoveSet set);

  MoveSet set() const { return set_; }
  std::size_t count() const { return count_; }
  Action stay() const { return stay_; }
  // Step (-1, 0 or +1) of action a on dimension k.
  int step(Action a, std::size_t k) const;
  // The state reached from `from` by action a, clamped at the edges of every dimension.
  StateId apply(StateId from, Action a) const;
  // Same on indices, in place (no encode/decode; for hot loops).
  void apply(std::span<Index> indices, Action a) const;
  // "K+1 batch_size-1", or "stay".
  std::string describe(Action a) const;

 private:
  Moves(const Space& space, MoveSet set);
  const Space* space_;  // not owned; the Space must outlive the Moves
  MoveSet set_;
  std::size_t count_;
  Action stay_;
  std::vector<Action> digit_;  // kJoint: 3^(d-1-k), the weight of dimension k's digit
};

}  // namespace qtune::space
