// How the reward model sees the grid: categorical dimensions as unordered one-hot columns
// sharing one lengthscale, and the fitted noise of repeated measurements.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "agent/model/gaussian_process.h"
#include "agent/model/hyperparameter_fit.h"
#include "agent/model/kernel.h"
#include "agent/model/planning_window.h"
#include "qtune/space/space.h"

namespace qtune::agent::model {
namespace {

// optimizer: 4 strings (categorical), lr: 5 numbers (ordered), norm: 2 strings.
space::Space mixed_space() {
  std::vector<space::Dimension> dims;
  dims.push_back({"optimizer", space::DimensionKind::kCategorical, {}});
  for (const char* v : {"adam", "rmsprop", "sgd", "momentum"}) dims.back().values.emplace_back(v);
  dims.push_back({"lr", space::DimensionKind::kLog, {}});
  for (double v : {1e-4, 1e-3, 1e-2, 1e-1, 1.0}) dims.back().values.emplace_back(v);
  dims.push_back({"norm", space::DimensionKind::kCategorical, {}});
  for (const char* v : {"batch", "none"}) dims.back().values.emplace_back(v);
  return space::Space::create(std::move(dims)).value();
}

space::StateId at(const space::Space& space, std::vector<space::Index> idx) {
  return space.encode(idx);
}

double sq_distance(const Eigen::RowVectorXd& a, const Eigen::RowVectorXd& b) {
  return (a - b).squaredNorm();
}

TEST(ModelFeatures, CategoricalLevelsAreOneHotAndOrderedLevelsAreNot) {
  const space::Space space = mixed_space();
  // Four one-hot columns for the optimizer, one for lr, one for the two-level norm.
  EXPECT_EQ(feature_dimensions(space), (std::vector<Eigen::Index>{0, 0, 0, 0, 1, 2}));
  const auto row = [&](space::Index o, space::Index l, space::Index n) {
    return state_features(space, at(space, {o, l, n}));
  };
  EXPECT_EQ(row(2, 0, 0).size(), 6);
  // Every pair of different optimizers is at squared distance 1, whatever their indices.
  for (space::Index a = 0; a < 4; ++a) {
    for (space::Index b = 0; b < 4; ++b) {
      EXPECT_NEAR(sq_distance(row(a, 1, 0), row(b, 1, 0)), a == b ? 0.0 : 1.0, 1e-15)
          << a << " " << b;
    }
  }
  // lr stays ordered: index distance / (n - 1).
  EXPECT_NEAR(sq_distance(row(0, 0, 0), row(0, 1, 0)), 1.0 / 16.0, 1e-15);
  EXPECT_NEAR(sq_distance(row(0, 0, 0), row(0, 4, 0)), 1.0, 1e-15);
  EXPECT_NEAR(sq_distance(row(0, 0, 0), row(0, 0, 1)), 1.0, 1e-15);
  // The window's features are the same rows.
  const PlanningWindow window(space, 0, 1'000'000);
  const Eigen::MatrixXd all = window.features();
  ASSERT_EQ(all.rows(), 40);
  for (std::size_t s = 0; s < 40; ++s) {
    EXPECT_EQ(all.row(static_cast<Eigen::Index>(s)), state_features(space, window.state(s)));
  }
}

TEST(ModelFeatures, CategoricalKernelTreatsLevelsAsUnordered) {
  const space::Space space = mixed_space();
  const std::vector<Eigen::Index> columns = feature_dimensions(space);
  Eigen::VectorXd theta(5);
  theta << std::log(0.7), std::log(0.4), std::log(0.9), 0.0, std::log(1e-3);
  const Eigen::VectorXd ls = column_lengthscales(theta, columns, 6);
  EXPECT_EQ(ls, (Eigen::VectorXd(6) << 0.7, 0.7, 0.7, 0.7, 0.4, 0.9).finished());
  const std::vector<space::StateId> states = {at(space, {0, 2, 0}), at(space, {1, 2, 0}),
                                              at(space, {3, 2, 0})};
  const Eigen::MatrixXd x = state_features(space, states);
  const Eigen::MatrixXd k = matern52_matrix(x, x, ls, 1.0);
  // adam-rmsprop (neighbours in the list) and adam-momentum (ends of the list) are alike.
  EXPECT_DOUBLE_EQ(k(0, 1), k(0, 2));
  EXPECT_NEAR(k(0, 1), matern52(1.0 / (0.7 * 0.7), 1.0), 1e-15);
  // A GP fitted to these columns predicts the same at two unmeasured optimizers that are
  // each one level "away" from the measured one in different list orders.
  Eigen::VectorXd z(1);
  z << 1.0;
  auto gp = GaussianProcess::fit(state_features(space, {&states[0], 1}), z, theta, columns);
  ASSERT_TRUE(gp.is_ok());
  Eigen::VectorXd mean(2), var(2);
  gp->predict(x.bottomRows(2), mean, var);
  EXPECT_DOUBLE_EQ(mean[0], mean[1]);
  EXPECT_DOUBLE_EQ(var[0], var[1]);
}

TEST(ModelFeatures, SharedLengthscaleGradientMatchesFiniteDifferences) {
  const space::Space space = mixed_space();
  const std::vector<Eigen::Index> columns = feature_dimensions(space);
  std::vector<space::StateId> states;
  for (space::StateId s = 0; s < space.size(); s += 3) states.push_back(s);
  const Eigen::MatrixXd x = state_features(space, states);
  Eigen::VectorXd z(x.rows());
  for (Eigen::Index i = 0; i < z.size(); ++i) z[i] = std::sin(1.7 * static_cast<double>(i));
  Eigen::VectorXd theta(5);
  theta << std::log(0.6), std::log(0.3), std::log(1.4), std::log(0.8), std::log(0.05);
  Eigen::VectorXd gradient;
  map_objective(x, z, theta, &gradient, columns);
  ASSERT_EQ(gradient.size(), 5);
  constexpr double kStep = 1e-6;
  for (Eigen::Index j = 0; j < 5; ++j) {
    Eigen::VectorXd up = theta, down = theta;
    up[j] += kStep;
    down[j] -= kStep;
    const double numeric =
        (map_objective(x, z, up, nullptr, columns) - map_objective(x, z, down, nullptr, columns)) /
        (2 * kStep);
    EXPECT_NEAR(gradient[j], numeric, 1e-6 * (1.0 + std::abs(numeric))) << "theta " << j;
  }
}

// Standard normal draws from mt19937_64 (fully specified) by Box-Muller, so the test's
// data do not depend on the standard library's distributions.
std::vector<double> normals(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  const auto uniform = [&] { return (static_cast<double>(engine() >> 11) + 0.5) / 0x1p53; };
  std::vector<double> out;
  while (out.size() < n) {
    const double r = std::sqrt(-2.0 * std::log(uniform()));
    const double t = 2.0 * std::numbers::pi * uniform();
    out.push_back(r * std::cos(t));
    out.push_back(r * std::sin(t));
  }
  out.resize(n);
  return out;
}

TEST(ModelHyperparameterFit, RecoversAKnownNoiseLevelFromRepeatedMeasurements) {
  // A smooth 1-D loss on 12 grid points, each measured 4 times with noise sd 0.2.
  constexpr double kNoiseSd = 0.2;
  const std::vector<double> noise = normals(48, 7);
  Eigen::MatrixXd x(48, 1);
  Eigen::VectorXd y(48);
  for (int i = 0; i < 48; ++i) {
    x(i, 0) = (i % 12) / 11.0;
    y[i] = std::sin(4.0 * x(i, 0)) + kNoiseSd * noise[static_cast<std::size_t>(i)];
  }
  const double sd = std::sqrt((y.array() - y.mean()).square().mean());
  const Eigen::VectorXd z = (y.array() - y.mean()) / sd;
  const Eigen::VectorXd theta = fit_hyperparameters(x, z, prior_theta(1), 60, true);
  const double fitted_sd = sd * std::sqrt(std::exp(theta[noise_index(1)]));
  // The MAP estimate from 36 degrees of freedom of repeats: within 20% of the truth.
  EXPECT_NEAR(fitted_sd, kNoiseSd, 0.2 * kNoiseSd);
  // And a noise-free loss is fitted as (nearly) noise-free.
  Eigen::VectorXd clean(12);
  for (int i = 0; i < 12; ++i) clean[i] = std::sin(4.0 * i / 11.0);
  const Eigen::VectorXd cz =
      (clean.array() - clean.mean()) / std::sqrt((clean.array() - clean.mean()).square().mean());
  const Eigen::VectorXd clean_theta =
      fit_hyperparameters(x.topRows(12), cz, prior_theta(1), 60, true);
  EXPECT_LT(std::sqrt(std::exp(clean_theta[noise_index(1)])), 0.05);
}

}  // namespace
}  // namespace qtune::agent::model
