#include "agent/evaluation_cache.h"

#include <algorithm>
#include <vector>

#include "qtune/base/result.h"

namespace qtune::agent {

double EvaluationCache::loss(space::StateId state) const {
  const auto it = entries_.find(state);
  QTUNE_CHECK(it != entries_.end());
  return it->second.loss;
}

void EvaluationCache::record(space::StateId state, std::optional<double> loss,
                             std::optional<double> penalty) {
  QTUNE_CHECK(!entries_.contains(state));
  if (!loss) {
    double value = 1.0;
    if (penalty) {
      value = *penalty;
    } else if (best_) {
      value = worst_loss_ + (worst_loss_ > best_loss_ ? worst_loss_ - best_loss_ : 1.0);
    }
    entries_.emplace(state, Entry{value, true});
    return;
  }
  entries_.emplace(state, Entry{*loss, false});
  if (!best_) {
    best_ = state;
    best_loss_ = worst_loss_ = *loss;
    return;
  }
  if (*loss < best_loss_) {
    best_ = state;
    best_loss_ = *loss;
  }
  worst_loss_ = std::max(worst_loss_, *loss);
}

void EvaluationCache::save(base::ByteWriter& out) const {
  // Sorted, so that equal caches give equal bytes whatever the hash map's order.
  std::vector<space::StateId> states;
  states.reserve(entries_.size());
  for (const auto& [state, entry] : entries_) states.push_back(state);
  std::sort(states.begin(), states.end());
  out.u64(states.size());
  for (space::StateId state : states) {
    const Entry& entry = entries_.at(state);
    out.u64(state);
    out.f64(entry.loss);
    out.flag(entry.failed);
  }
  out.opt_u64(best_);
  out.f64(best_loss_);
  out.f64(worst_loss_);
}

base::Status EvaluationCache::load(base::ByteReader& in) {
  EvaluationCache loaded;
  QTUNE_ASSIGN_OR_RETURN(const std::uint64_t count, in.u64());
  for (std::uint64_t i = 0; i < count; ++i) {
    QTUNE_ASSIGN_OR_RETURN(const std::uint64_t state, in.u64());
    QTUNE_ASSIGN_OR_RETURN(const double loss, in.f64());
    QTUNE_ASSIGN_OR_RETURN(const bool failed, in.flag());
    loaded.entries_.emplace(state, Entry{loss, failed});
  }
  QTUNE_ASSIGN_OR_RETURN(loaded.best_, in.opt_u64());
  QTUNE_ASSIGN_OR_RETURN(loaded.best_loss_, in.f64());
  QTUNE_ASSIGN_OR_RETURN(loaded.worst_loss_, in.f64());
  *this = std::move(loaded);
  return base::Status::ok();
}

}  // namespace qtune::agent
