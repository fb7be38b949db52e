#include "qtune/space/moves.h"

#include <fmt/format.h>

#include "qtune/base/result.h"

namespace qtune::space {

base::Result<MoveSet> parse_move_set(std::string_view text) {
  if (text == "joint") return MoveSet::kJoint;
  if (text == "single") return MoveSet::kSingle;
  return base::Status::invalid_argument(
      fmt::format("actions \"{}\" is unknown; use \"joint\" or \"single\"", text));
}

std::string_view move_set_name(MoveSet set) { return set == MoveSet::kJoint ? "joint" : "single"; }

base::Result<Moves> Moves::create(const Space& space, MoveSet set) {
  if (set == MoveSet::kJoint && space.dims() > kMaxJointDims) {
    return base::Status::invalid_argument(
        fmt::format("actions \"joint\": {} dimensions give 3^{} actions, more than the limit 3^{}; "
                    "use actions = \"single\"",
                    space.dims(), space.dims(), kMaxJointDims));
  }
  return Moves(space, set);
}

Moves::Moves(const Space& space, MoveSet set) : space_(&space), set_(set) {
  const std::size_t d = space.dims();
  if (set == MoveSet::kJoint) {
    digit_.assign(d, 1);
    for (std::size_t k = d - 1; k-- > 0;) digit_[k] = digit_[k + 1] * 3;
    count_ = static_cast<std::size_t>(digit_[0]) * 3;
    stay_ = static_cast<Action>((count_ - 1) / 2);
  } else {
    count_ = 2 * d + 1;
    stay_ = 0;
  }
}

int Moves::step(Action a, std::size_t k) const {
  QTUNE_CHECK(a < count_ && k < space_->dims());
  if (set_ == MoveSet::kJoint) return static_cast<int>((a / digit_[k]) % 3) - 1;
  if (a == 0 || (a - 1) / 2 != k) return 0;
  return a % 2 == 1 ? -1 : +1;
}

StateId Moves::apply(StateId from, Action a) const {
  StateId to = from;
  for (std::size_t k = 0; k < space_->dims(); ++k) {
    const int s = step(a, k);
    if (s == 0) continue;
    const Index i = space_->index(from, k);
    if (s < 0 && i > 0) to -= space_->stride(k);
    if (s > 0 && i + 1 < space_->dimension(k).size()) to += space_->stride(k);
  }
  return to;
}

void Moves::apply(std::span<Index> indices, Action a) const {
  QTUNE_CHECK(indices.size() == space_->dims());
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const int s = step(a, k);
    if (s < 0 && indices[k] > 0) --indices[k];
    if (s > 0 && indices[k] + 1 < space_->dimension(k).size()) ++indices[k];
  }
}

std::string Moves::describe(Action a) const {
  std::string out;
  for (std::size_t k = 0; k < space_->dims(); ++k) {
    const int s = step(a, k);
    if (s == 0) continue;
    if (!out.empty()) out += ' ';
    out += fmt::format("{}{}", space_->dimension(k).name, s < 0 ? "-1" : "+1");
  }
  return out.empty() ? "stay" : out;
}

}  // namespace qtune::space
