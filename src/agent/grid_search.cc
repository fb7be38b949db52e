#include "agent/grid_search.h"

#include <fmt/format.h>

namespace qtune::agent {

std::optional<space::StateId> GridSearch::next() {
  if (next_ == space().size()) return std::nullopt;
  return next_++;
}

base::Status GridSearch::load(base::ByteReader& in) {
  QTUNE_ASSIGN_OR_RETURN(const std::uint64_t next, in.u64());
  if (next > space().size()) {
    return base::Status::corrupt(fmt::format(
        "grid snapshot: next state {} is beyond the {} states of the space", next, space().size()));
  }
  next_ = next;
  return base::Status::ok();
}

}  // namespace qtune::agent
