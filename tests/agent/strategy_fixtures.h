// Helpers shared by the strategy tests: small integer spaces and a loop that drives a
// strategy against a loss function, as the study does (ask, evaluate, tell).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "qtune/agent/strategy.h"
#include "qtune/space/space.h"

namespace qtune::testing {

// Dimensions named a, b, c, ... with values 0 .. sizes[k]-1.
inline space::Space int_space(const std::vector<std::size_t>& sizes) {
  std::vector<space::Dimension> dims;
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    space::Dimension d{
        std::string(1, static_cast<char>('a' + k)), space::DimensionKind::kRange, {}};
    for (std::size_t v = 0; v < sizes[k]; ++v) d.values.emplace_back(static_cast<std::int64_t>(v));
    dims.push_back(std::move(d));
  }
  return space::Space::create(std::move(dims)).value();
}

using LossFn = std::function<std::optional<double>(space::StateId)>;

// Asks and tells one proposal at a time until the strategy is exhausted or `limit`
// evaluations were made; returns the proposed states in order.
inline std::vector<space::StateId> drive(agent::Strategy& strategy, const LossFn& loss,
                                         std::size_t limit = SIZE_MAX) {
  std::vector<space::StateId> proposed;
  while (proposed.size() < limit) {
    const std::optional<agent::Proposal> p = strategy.ask();
    if (!p) break;
    proposed.push_back(p->state);
    strategy.tell(*p, agent::Observation{loss(p->state)});
  }
  return proposed;
}

}  // namespace qtune::testing
