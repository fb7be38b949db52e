// Coordinate hill climbing with random restarts: a reference strategy for the strategy
// benchmark only (bench/bench_strategies.cc), behind the same agent::Strategy interface as
// the strategies qtune ships. It is the "hill climbing" anchor of bench/tables/README.md.
//
// From the current state, the 2d coordinate neighbours (one dimension moved by one index,
// in a random order drawn per state) are measured one after another; the first that
// improves on the current state becomes the current state (first improvement). When every
// neighbour is measured and none improves, the climb is at a local optimum and restarts at
// a uniformly random unmeasured state. Measurements are cached: a neighbour measured earlier
// costs nothing. One trajectory; noise is ignored (the best measured value is recommended).
// Header-only so that the benchmark needs no library of its own.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/agent/strategy.h"

namespace qtune::bench {

class HillClimbing final : public agent::Strategy {
 public:
  HillClimbing(const space::Space& space, std::uint64_t seed) : space_(&space), rng_(seed) {}

  std::string_view name() const override { return "hill-climbing"; }

  std::optional<agent::Proposal> ask() override {
    if (pending_) return std::nullopt;
    while (current_) {
      if (const auto next = next_neighbour()) return propose(*next);
      current_.reset();  // local optimum: every neighbour measured, none better
    }
    if (measured_.size() >= space_->size()) return std::nullopt;
    std::uniform_int_distribution<space::StateId> pick(0, space_->size() - 1);
    space::StateId s = pick(rng_);
    while (measured_.count(s)) s = pick(rng_);
    return propose(s);
  }

  void tell(const agent::Proposal& proposal, const agent::Observation& observation) override {
    pending_.reset();
    measured_[proposal.state] = observation.loss;
    if (!observation.loss) return;
    if (!best_ || *observation.loss < measured_.at(*best_).value()) best_ = proposal.state;
    if (!current_ || *observation.loss < measured_.at(*current_).value()) move_to(proposal.state);
  }

  std::optional<space::StateId> recommend() const override { return best_; }

  std::string snapshot() const override { return {}; }
  base::Status restore(std::string_view) override {
    return base::Status::invalid_argument(
        "hill-climbing: a benchmark strategy; it has no snapshots");
  }

 private:
  agent::Proposal propose(space::StateId s) {
    pending_ = s;
    return {s, 0, false};
  }

  void move_to(space::StateId s) {
    current_ = s;
    neighbours_.clear();
    std::vector<space::Index> indices = space_->decode(s);
    for (std::size_t k = 0; k < space_->dims(); ++k) {
      for (int step : {-1, 1}) {
        const std::int64_t i = static_cast<std::int64_t>(indices[k]) + step;
        if (i < 0 || i >= static_cast<std::int64_t>(space_->dimension(k).size())) continue;
        std::vector<space::Index> moved = indices;
        moved[k] = static_cast<space::Index>(i);
        neighbours_.push_back(space_->encode(moved));
      }
    }
    std::shuffle(neighbours_.begin(), neighbours_.end(), rng_);
  }

  // The first neighbour not measured yet; a measured better one (cached) is moved to for free.
  std::optional<space::StateId> next_neighbour() {
    std::size_t i = 0;
    while (i < neighbours_.size()) {
      const space::StateId n = neighbours_[i];
      const auto it = measured_.find(n);
      if (it == measured_.end()) return n;
      if (it->second && *it->second < measured_.at(*current_).value()) {
        move_to(n);  // scan again around the new state
        i = 0;
        continue;
      }
      ++i;
    }
    return std::nullopt;
  }

  const space::Space* space_;
  std::mt19937_64 rng_;
  std::map<space::StateId, std::optional<double>> measured_;  // nullopt: failed
  std::optional<space::StateId> current_;
  std::vector<space::StateId> neighbours_;
  std::optional<space::StateId> pending_;
  std::optional<space::StateId> best_;
};

}  // namespace qtune::bench
