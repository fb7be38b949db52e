#include "agent/grid_search.h"

namespace qtune::agent {

std::optional<space::StateId> GridSearch::next() {
  if (next_ == space().size()) return std::nullopt;
  return next_++;
}

base::Status GridSearch::load(base::ByteReader& in) {
  QTUNE_ASSIGN_OR_RETURN(next_, in.u64());
  return base::Status::ok();
}

}  // namespace qtune::agent
