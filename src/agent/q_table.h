// QTable: a sparse Q-table, state id -> one value per action. A row exists only for states
// the agent has updated, so memory is proportional to the visited states
// (count() doubles plus one hash-map node per row); a state without a row reads as its
// initial values.
//
// Initial values (StrategyConfig::q_init): zero; optimistic (every action = scale); or
// random, uniform in [-scale, +scale]. Random values are a hash of (seed, state, action),
// not draws from a stream, so reading a row before it exists and after gives the same
// numbers and no RNG state is consumed.
#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "base/bytes.h"
#include "qtune/agent/strategy.h"
#include "qtune/agent/strategy_config.h"
#include "qtune/base/result.h"

namespace qtune::agent {

class QTable {
 public:
  QTable(std::size_t actions, QInit init, double scale, std::uint64_t seed);

  std::size_t actions() const { return actions_; }
  std::size_t rows() const { return rows_.size(); }

  // The values of `state` (its initial values if it has no row). The span is valid until the
  // next call of row() or update().
  std::span<const double> row(space::StateId state) const;
  double max(space::StateId state) const;
  // Q(s,a) += alpha * (target - Q(s,a)), creating the row if needed.
  void update(space::StateId state, space::Action action, double alpha, double target);

  // Visited rows in state order.
  std::vector<QRow> export_rows() const;

  void save(base::ByteWriter& out) const;
  base::Status load(base::ByteReader& in);

 private:
  void fill_initial(space::StateId state, std::span<double> out) const;

  std::size_t actions_;
  QInit init_;
  double scale_;
  std::uint64_t seed_;
  std::unordered_map<space::StateId, std::vector<double>> rows_;
  mutable std::vector<double> scratch_;  // initial values of a missing row
};

}  // namespace qtune::agent
