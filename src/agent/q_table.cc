#include "agent/q_table.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/seed.h"
#include "qtune/base/result.h"

namespace qtune::agent {

QTable::QTable(std::size_t actions, QInit init, double scale, std::uint64_t seed)
    : actions_(actions), init_(init), scale_(scale), seed_(seed), scratch_(actions) {}

void QTable::fill_initial(space::StateId state, std::span<double> out) const {
  switch (init_) {
    case QInit::kZero:
      std::fill(out.begin(), out.end(), 0.0);
      return;
    case QInit::kOptimistic:
      std::fill(out.begin(), out.end(), scale_);
      return;
    case QInit::kRandom: {
      const std::uint64_t row_seed = base::mix64(seed_ ^ base::mix64(state));
      for (std::size_t a = 0; a < out.size(); ++a) {
        const double u = static_cast<double>(base::mix64(row_seed + a) >> 11) * 0x1.0p-53;
        out[a] = scale_ * (2.0 * u - 1.0);
      }
      return;
    }
  }
}

std::span<const double> QTable::row(space::StateId state) const {
  const auto it = rows_.find(state);
  if (it != rows_.end()) return it->second;
  fill_initial(state, scratch_);
  return scratch_;
}

double QTable::max(space::StateId state) const {
  const auto values = row(state);
  return *std::max_element(values.begin(), values.end());
}

void QTable::update(space::StateId state, space::Action action, double alpha, double target) {
  QTUNE_CHECK(action < actions_);
  auto [it, inserted] = rows_.try_emplace(state);
  if (inserted) {
    it->second.resize(actions_);
    fill_initial(state, it->second);
  }
  double& q = it->second[action];
  q += alpha * (target - q);
}

std::vector<QRow> QTable::export_rows() const {
  std::vector<QRow> rows;
  rows.reserve(rows_.size());
  for (const auto& [state, values] : rows_) rows.push_back({state, values});
  std::sort(rows.begin(), rows.end(),
            [](const QRow& a, const QRow& b) { return a.state < b.state; });
  return rows;
}

void QTable::save(base::ByteWriter& out) const {
  const std::vector<QRow> rows = export_rows();
  out.u64(rows.size());
  for (const QRow& row : rows) {
    out.u64(row.state);
    out.f64s(row.q);
  }
}

base::Status QTable::load(base::ByteReader& in) {
  QTable loaded(actions_, init_, scale_, seed_);
  QTUNE_ASSIGN_OR_RETURN(const std::uint64_t count, in.u64());
  for (std::uint64_t i = 0; i < count; ++i) {
    QTUNE_ASSIGN_OR_RETURN(const std::uint64_t state, in.u64());
    QTUNE_ASSIGN_OR_RETURN(std::vector<double> q, in.f64s());
    const std::size_t size = q.size();
    if (size != actions_ || !loaded.rows_.try_emplace(state, std::move(q)).second) {
      return base::Status::corrupt(
          fmt::format("q-table snapshot: row of state {} has {} values (want {}) or repeats", state,
                      size, actions_));
    }
  }
  *this = std::move(loaded);
  return base::Status::ok();
}

}  // namespace qtune::agent
