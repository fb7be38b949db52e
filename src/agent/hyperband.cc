#include "agent/hyperband.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "agent/rng.h"
#include "base/bytes.h"
#include "base/seed.h"

namespace qtune::agent {
namespace {

using space::Index;
using space::StateId;

constexpr std::uint32_t kSnapshotVersion = 1;
constexpr std::string_view kSnapshotName = "hyperband snapshot";
constexpr double kFailedLoss = std::numeric_limits<double>::infinity();

enum class EventKind : std::uint8_t { kAsk = 0, kTell = 1, kObserve = 2 };

struct Event {
  EventKind kind = EventKind::kAsk;
  StateId state = 0;
  std::optional<double> loss;
  bool censored = false;
};

class Hyperband final : public Strategy {
 public:
  Hyperband(const space::Space& space, const StrategyConfig& config, std::uint64_t seed)
      : space_(space),
        config_(config),
        seed_(seed),
        rng_(base::derive_seed(seed, "hyperband")),
        fidelity_(*space_.fidelity()),
        levels_(space_.fidelity_order()),
        families_(space_.size() / space_.dimension(fidelity_).size()),
        slots_(config.trajectories) {
    rank_of_.resize(levels_.size());
    for (std::size_t r = 0; r < levels_.size(); ++r) rank_of_[levels_[r]] = r;
    bracket_ = s_max();
  }

  std::string_view name() const override { return "hyperband"; }
  std::optional<Proposal> ask() override;
  void tell(const Proposal& proposal, const Observation& observation) override;
  void observe(StateId state, const Observation& observation) override;
  std::optional<StateId> recommend() const override;
  std::string snapshot() const override;
  base::Status restore(std::string_view snapshot) override;

 private:
  std::uint32_t s_max() const { return static_cast<std::uint32_t>(levels_.size() - 1); }
  // The configuration of family f at fidelity rank r.
  StateId state_of(std::uint64_t family, std::size_t rank) const {
    const std::uint64_t stride = space_.stride(fidelity_);
    const std::uint64_t n = space_.dimension(fidelity_).size();
    return (family / stride) * (n * stride) + family % stride + levels_[rank] * stride;
  }
  std::optional<std::uint64_t> draw_family();
  // Starts the next bracket (or rung) when the current rung is complete; false: exhausted.
  bool advance();
  void start_bracket();
  void record(StateId state, const Observation& observation);
  std::optional<Proposal> next_proposal();

  space::Space space_;
  StrategyConfig config_;
  std::uint64_t seed_;
  Rng rng_;
  std::size_t fidelity_;
  std::vector<Index> levels_;         // value indices of the fidelity, cheapest first
  std::vector<std::size_t> rank_of_;  // value index -> rank in levels_
  std::uint64_t families_;            // configurations of the other dimensions
  std::uint64_t drawn_ = 0;           // lazy Fisher-Yates over family ids (random_search.h)
  std::unordered_map<std::uint64_t, std::uint64_t> moved_;
  // The current bracket and rung.
  std::uint32_t bracket_ = 0;
  std::size_t rank_ = 0;                // fidelity rank of the current rung
  std::uint64_t rung_size_ = 0;         // configurations the rung began with (n_i)
  std::vector<std::uint64_t> members_;  // families of the current rung
  std::deque<std::uint64_t> queue_;     // members not yet handed out
  bool started_ = false;
  bool exhausted_ = false;
  std::vector<std::optional<StateId>> slots_;   // trajectory -> pending state
  std::unordered_map<StateId, double> losses_;  // measured states (failed: infinity)
  std::map<StateId, std::uint32_t> pending_;    // pending state -> trajectory
  std::vector<Event> events_;                   // for snapshots
};

std::optional<std::uint64_t> Hyperband::draw_family() {
  if (drawn_ == families_) return std::nullopt;
  const auto at = [&](std::uint64_t position) {
    const auto it = moved_.find(position);
    return it == moved_.end() ? position : it->second;
  };
  const std::uint64_t j = drawn_ + rng_.below(families_ - drawn_);
  const std::uint64_t chosen = at(j);
  moved_[j] = at(drawn_);
  moved_.erase(drawn_);
  ++drawn_;
  return chosen;
}

void Hyperband::start_bracket() {
  const std::uint32_t s = bracket_;
  const double n = std::ceil(static_cast<double>(s_max() + 1) / static_cast<double>(s + 1) *
                             std::pow(config_.eta, static_cast<double>(s)));
  rank_ = s_max() - s;
  members_.clear();
  for (std::uint64_t i = 0; i < static_cast<std::uint64_t>(n); ++i) {
    const auto family = draw_family();
    if (!family) break;
    members_.push_back(*family);
  }
  rung_size_ = members_.size();
  queue_.assign(members_.begin(), members_.end());
  bracket_ = s == 0 ? s_max() : s - 1;
}

bool Hyperband::advance() {
  if (!started_) {
    started_ = true;
    start_bracket();
    return !members_.empty();
  }
  // The rung is complete: promote its best to the next rung of the bracket, if any.
  const auto keep =
      static_cast<std::uint64_t>(std::floor(static_cast<double>(members_.size()) / config_.eta));
  if (rank_ + 1 < levels_.size() && !members_.empty()) {
    std::vector<std::pair<double, std::uint64_t>> ranked;
    for (std::uint64_t family : members_) {
      ranked.emplace_back(losses_.at(state_of(family, rank_)), family);
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    ranked.resize(std::max<std::uint64_t>(keep, 1));
    members_.clear();
    for (const auto& [loss, family] : ranked) members_.push_back(family);
    ++rank_;
    queue_.assign(members_.begin(), members_.end());
    return true;
  }
  start_bracket();
  return !members_.empty();
}

std::optional<Proposal> Hyperband::next_proposal() {
  for (;;) {
    while (!queue_.empty()) {
      const StateId state = state_of(queue_.front(), rank_);
      if (losses_.contains(state)) {  // measured before: its value is known
        queue_.pop_front();
        continue;
      }
      if (pending_.contains(state)) return std::nullopt;  // asked by observe's path: wait
      const auto free_slot = std::find(slots_.begin(), slots_.end(), std::nullopt);
      if (free_slot == slots_.end()) return std::nullopt;
      queue_.pop_front();
      const auto t = static_cast<std::uint32_t>(free_slot - slots_.begin());
      *free_slot = state;
      pending_[state] = t;
      return Proposal{state, t, false};
    }
    if (!pending_.empty() || exhausted_) return std::nullopt;  // the rung waits, or the end
    if (!advance()) {
      exhausted_ = true;
      return std::nullopt;
    }
  }
}

std::optional<Proposal> Hyperband::ask() {
  const auto proposal = next_proposal();
  if (proposal) events_.push_back({EventKind::kAsk, proposal->state, std::nullopt, false});
  return proposal;
}

void Hyperband::record(StateId state, const Observation& observation) {
  losses_.emplace(state, observation.loss.value_or(kFailedLoss));
}

void Hyperband::tell(const Proposal& proposal, const Observation& observation) {
  QTUNE_CHECK(proposal.trajectory < slots_.size() && slots_[proposal.trajectory] == proposal.state);
  slots_[proposal.trajectory].reset();
  pending_.erase(proposal.state);
  record(proposal.state, observation);
  events_.push_back({EventKind::kTell, proposal.state, observation.loss, observation.censored});
}

void Hyperband::observe(StateId state, const Observation& observation) {
  if (pending_.contains(state)) return;  // its tell records the measurement
  record(state, observation);
  events_.push_back({EventKind::kObserve, state, observation.loss, observation.censored});
}

std::optional<StateId> Hyperband::recommend() const {
  std::optional<StateId> best;
  std::size_t best_rank = 0;
  double best_loss = kFailedLoss;
  for (const auto& [state, loss] : losses_) {
    if (loss == kFailedLoss) continue;
    const std::size_t rank = rank_of_[space_.index(state, fidelity_)];
    // The highest level first, then the lowest loss, then the lowest id (hash order free).
    if (!best || rank > best_rank || (rank == best_rank && loss < best_loss) ||
        (rank == best_rank && loss == best_loss && state < *best)) {
      best = state;
      best_rank = rank;
      best_loss = loss;
    }
  }
  return best;
}

std::string Hyperband::snapshot() const {
  base::ByteWriter out;
  out.u32(kSnapshotVersion);
  out.u64(events_.size());
  for (const Event& e : events_) {
    out.u8(static_cast<std::uint8_t>(e.kind));
    out.u64(e.state);
    out.opt_f64(e.loss);
    out.flag(e.censored);
  }
  return out.take();
}

base::Status Hyperband::restore(std::string_view snapshot) {
  base::ByteReader in(snapshot, kSnapshotName);
  QTUNE_ASSIGN_OR_RETURN(const std::uint32_t version, in.u32());
  if (version != kSnapshotVersion) {
    return base::Status::corrupt(fmt::format("{}: version {}; this build reads version {}",
                                             kSnapshotName, version, kSnapshotVersion));
  }
  QTUNE_ASSIGN_OR_RETURN(const std::uint64_t count, in.u64());
  if (count > in.remaining()) {
    return base::Status::corrupt(
        fmt::format("{}: {} events in {} bytes", kSnapshotName, count, in.remaining()));
  }
  Hyperband fresh(space_, config_, seed_);
  for (std::uint64_t i = 0; i < count; ++i) {
    QTUNE_ASSIGN_OR_RETURN(const std::uint8_t kind, in.u8());
    QTUNE_ASSIGN_OR_RETURN(const std::uint64_t state, in.u64());
    QTUNE_ASSIGN_OR_RETURN(const std::optional<double> loss, in.opt_f64());
    QTUNE_ASSIGN_OR_RETURN(const bool censored, in.flag());
    if (state >= space_.size() || kind > 2) {
      return base::Status::corrupt(
          fmt::format("{}: event {} (kind {}, state {}) is not one of "
                      "this grid's",
                      kSnapshotName, i, kind, state));
    }
    const Observation observation{loss, censored, std::nullopt};
    switch (static_cast<EventKind>(kind)) {
      case EventKind::kAsk: {
        const auto proposal = fresh.ask();
        if (!proposal || proposal->state != state) {
          return base::Status::corrupt(fmt::format(
              "{}: event {} asked for state {}; replayed, the strategy proposes {}", kSnapshotName,
              i, state, proposal ? std::to_string(proposal->state) : std::string("nothing")));
        }
        break;
      }
      case EventKind::kTell: {
        const auto it = fresh.pending_.find(state);
        if (it == fresh.pending_.end()) {
          return base::Status::corrupt(fmt::format(
              "{}: event {} tells state {}, which is not pending", kSnapshotName, i, state));
        }
        fresh.tell({state, it->second, false}, observation);
        break;
      }
      case EventKind::kObserve:
        fresh.observe(state, observation);
        break;
    }
  }
  QTUNE_RETURN_IF_ERROR(in.expect_end());
  rng_ = fresh.rng_;
  drawn_ = fresh.drawn_;
  moved_ = std::move(fresh.moved_);
  bracket_ = fresh.bracket_;
  rank_ = fresh.rank_;
  rung_size_ = fresh.rung_size_;
  members_ = std::move(fresh.members_);
  queue_ = std::move(fresh.queue_);
  started_ = fresh.started_;
  exhausted_ = fresh.exhausted_;
  slots_ = std::move(fresh.slots_);
  losses_ = std::move(fresh.losses_);
  pending_ = std::move(fresh.pending_);
  events_ = std::move(fresh.events_);
  return base::Status::ok();
}

}  // namespace

base::Result<std::unique_ptr<Strategy>> make_hyperband(const space::Space& space,
                                                       const StrategyConfig& config,
                                                       std::uint64_t seed) {
  QTUNE_RETURN_IF_ERROR(validate_strategy_config(config, space));
  if (!space.fidelity()) {
    return base::Status::invalid_argument(
        "hyperband: the space has no fidelity; declare one, e.g. maxiter = { values = [10, 20, "
        "40], fidelity = true }");
  }
  return std::unique_ptr<Strategy>(new Hyperband(space, config, seed));
}

}  // namespace qtune::agent
