#include "agent/baseline_strategy.h"

#include <fmt/format.h>

#include "qtune/base/result.h"

namespace qtune::agent {
namespace {
constexpr std::uint32_t kBaselineSnapshotVersion = 1;
}  // namespace

BaselineStrategy::BaselineStrategy(const space::Space& space, std::uint32_t trajectories)
    : space_(space), slots_(trajectories) {}

std::optional<Proposal> BaselineStrategy::ask() {
  for (std::size_t t = 0; t < slots_.size(); ++t) {
    if (slots_[t]) continue;
    std::optional<space::StateId> state = next();
    while (state && cache_.contains(*state)) state = next();  // measured before (observe)
    if (!state) return std::nullopt;
    slots_[t] = *state;
    return Proposal{*state, static_cast<std::uint32_t>(t), false};
  }
  return std::nullopt;
}

void BaselineStrategy::tell(const Proposal& proposal, const Observation& observation) {
  QTUNE_CHECK(proposal.trajectory < slots_.size() && slots_[proposal.trajectory] == proposal.state);
  slots_[proposal.trajectory].reset();
  cache_.record(proposal.state, observation.loss, std::nullopt);
}

void BaselineStrategy::observe(space::StateId state, const Observation& observation) {
  if (cache_.contains(state)) return;
  for (const auto& slot : slots_) {
    if (slot == state) return;  // its tell records it
  }
  cache_.record(state, observation.loss, std::nullopt);
}

std::string BaselineStrategy::snapshot() const {
  base::ByteWriter out;
  out.str(name());
  out.u32(kBaselineSnapshotVersion);
  out.u64(space_.size());
  out.u64(slots_.size());
  for (const auto& slot : slots_) out.opt_u64(slot);
  cache_.save(out);
  save(out);
  return out.take();
}

base::Status BaselineStrategy::restore(std::string_view snapshot) {
  const std::string what = fmt::format("{} snapshot", name());
  base::ByteReader in(snapshot, what);
  QTUNE_ASSIGN_OR_RETURN(const std::string kind, in.str());
  QTUNE_ASSIGN_OR_RETURN(const std::uint32_t version, in.u32());
  QTUNE_ASSIGN_OR_RETURN(const std::uint64_t size, in.u64());
  QTUNE_ASSIGN_OR_RETURN(const std::uint64_t slots, in.u64());
  if (kind != name() || version != kBaselineSnapshotVersion || size != space_.size() ||
      slots != slots_.size()) {
    return base::Status::corrupt(fmt::format(
        "{}: made by {} v{} for {} states and {} trajectories; this is {} v{} for {} states and {} "
        "trajectories",
        what, kind, version, size, slots, name(), kBaselineSnapshotVersion, space_.size(),
        slots_.size()));
  }
  std::vector<std::optional<space::StateId>> loaded(slots_.size());
  for (auto& slot : loaded) {
    QTUNE_ASSIGN_OR_RETURN(slot, in.opt_u64());
  }
  EvaluationCache cache;
  QTUNE_RETURN_IF_ERROR(cache.load(in));
  QTUNE_RETURN_IF_ERROR(load(in));
  QTUNE_RETURN_IF_ERROR(in.expect_end());
  slots_ = std::move(loaded);
  cache_ = std::move(cache);
  return base::Status::ok();
}

}  // namespace qtune::agent
