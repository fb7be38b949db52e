#include "agent/model/planning_window.h"

#include <algorithm>
#include <cmath>

namespace qtune::agent::model {
namespace {

// The one-hot value: two different levels differ in two columns, (2 · ½) = 1.
const double kOneHot = std::sqrt(0.5);

// A feature row, in a row vector or in a row of a (column-major) matrix.
using FeatureRow = Eigen::Ref<Eigen::RowVectorXd, 0, Eigen::InnerStride<>>;

bool one_hot(const space::Dimension& dimension) {
  return !dimension.numeric() && dimension.size() > 2;
}

// Writes dimension k's columns of a feature row, from column `column` on; returns the next.
Eigen::Index write_feature(const space::Space& space, std::size_t k, space::Index i, FeatureRow row,
                           Eigen::Index column) {
  const space::Dimension& dimension = space.dimension(k);
  const std::size_t n = dimension.size();
  if (one_hot(dimension)) {
    row.segment(column, static_cast<Eigen::Index>(n)).setZero();
    row[column + static_cast<Eigen::Index>(i)] = kOneHot;
    return column + static_cast<Eigen::Index>(n);
  }
  row[column] = n > 1 ? static_cast<double>(i) / static_cast<double>(n - 1) : 0.0;
  return column + 1;
}

void write_features(const space::Space& space, std::span<const space::Index> idx, FeatureRow row) {
  Eigen::Index column = 0;
  for (std::size_t k = 0; k < idx.size(); ++k)
    column = write_feature(space, k, idx[k], row, column);
}

}  // namespace

std::vector<Eigen::Index> feature_dimensions(const space::Space& space) {
  std::vector<Eigen::Index> out;
  for (std::size_t k = 0; k < space.dims(); ++k) {
    const space::Dimension& dimension = space.dimension(k);
    const std::size_t columns = one_hot(dimension) ? dimension.size() : 1;
    out.insert(out.end(), columns, static_cast<Eigen::Index>(k));
  }
  return out;
}

Eigen::RowVectorXd state_features(const space::Space& space, space::StateId state) {
  Eigen::RowVectorXd x(static_cast<Eigen::Index>(feature_dimensions(space).size()));
  write_features(space, space.decode(state), x);
  return x;
}

Eigen::MatrixXd state_features(const space::Space& space, std::span<const space::StateId> states) {
  Eigen::MatrixXd x(static_cast<Eigen::Index>(states.size()),
                    static_cast<Eigen::Index>(feature_dimensions(space).size()));
  for (std::size_t i = 0; i < states.size(); ++i) {
    write_features(space, space.decode(states[i]), x.row(static_cast<Eigen::Index>(i)));
  }
  return x;
}

PlanningWindow::PlanningWindow(const space::Space& space, space::StateId centre,
                               std::uint64_t max_states)
    : space_(&space), whole_grid_(space.size() <= max_states) {
  const std::size_t d = space.dims();
  origin_.assign(d, 0);
  box_.clamp_low.assign(d, true);
  box_.clamp_high.assign(d, true);
  box_.extents.resize(d);
  for (std::size_t k = 0; k < d; ++k) box_.extents[k] = space.dimension(k).size();
  if (whole_grid_) return;

  const std::vector<space::Index> c = space.decode(centre);
  const auto box_size = [&](std::size_t r) {
    std::uint64_t n = 1;
    for (std::size_t k = 0; k < d; ++k) {
      n *= std::min<std::uint64_t>(space.dimension(k).size(), 2 * r + 1);
      if (n > max_states) return n;
    }
    return n;
  };
  std::size_t radius = 1;
  while (box_size(radius + 1) <= max_states) ++radius;
  for (std::size_t k = 0; k < d; ++k) {
    const std::size_t n = space.dimension(k).size();
    const std::size_t lo = c[k] >= radius ? c[k] - radius : 0;
    const std::size_t hi = std::min(n - 1, std::size_t{c[k]} + radius);
    origin_[k] = static_cast<space::Index>(lo);
    box_.extents[k] = hi - lo + 1;
    box_.clamp_low[k] = lo == 0;
    box_.clamp_high[k] = hi == n - 1;
  }
}

std::optional<std::size_t> PlanningWindow::local(space::StateId state) const {
  if (whole_grid_) return static_cast<std::size_t>(state);
  const std::vector<space::Index> idx = space_->decode(state);
  std::size_t out = 0;
  for (std::size_t k = 0; k < idx.size(); ++k) {
    if (idx[k] < origin_[k] || idx[k] - origin_[k] >= box_.extents[k]) return std::nullopt;
    out = out * box_.extents[k] + (idx[k] - origin_[k]);
  }
  return out;
}

space::StateId PlanningWindow::state(std::size_t local) const {
  if (whole_grid_) return local;
  std::vector<space::Index> idx(origin_.size());
  for (std::size_t k = idx.size(); k-- > 0; local /= box_.extents[k]) {
    idx[k] = origin_[k] + static_cast<space::Index>(local % box_.extents[k]);
  }
  return space_->encode(idx);
}

Eigen::MatrixXd PlanningWindow::features() const {
  const std::size_t d = origin_.size();
  const std::size_t n = size();
  Eigen::MatrixXd x(static_cast<Eigen::Index>(n),
                    static_cast<Eigen::Index>(feature_dimensions(*space_).size()));
  std::vector<std::size_t> offset(d, 0);  // odometer over the box, last dimension fastest
  std::vector<space::Index> idx(d);
  for (std::size_t s = 0; s < n; ++s) {
    for (std::size_t k = 0; k < d; ++k) idx[k] = origin_[k] + static_cast<space::Index>(offset[k]);
    write_features(*space_, idx, x.row(static_cast<Eigen::Index>(s)));
    for (std::size_t k = d; k-- > 0;) {
      if (++offset[k] < box_.extents[k]) break;
      offset[k] = 0;
    }
  }
  return x;
}

}  // namespace qtune::agent::model
