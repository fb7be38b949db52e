// The reward model's math against independent computations: the kernel and the GP
// posterior against a dense inverse, expected improvement against scipy's numbers, the
// MAP objective's gradient against finite differences, the box minimiser on known problems,
// the noise of repeated measurements against the pooled-variance formula.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <numbers>
#include <optional>
#include <vector>

#include "agent/model/box_minimiser.h"
#include "agent/model/expected_improvement.h"
#include "agent/model/gaussian_process.h"
#include "agent/model/hyperparameter_fit.h"
#include "agent/model/kernel.h"
#include "agent/model/reward_model.h"
#include "qtune/space/space.h"

namespace qtune::agent::model {
namespace {

Eigen::MatrixXd tiny_grid_features() {
  // Five states of a 3×5 grid, features i_k / (n_k − 1); one state measured twice.
  Eigen::MatrixXd x(6, 2);
  x << 0.0, 0.0, 0.5, 0.25, 1.0, 1.0, 0.0, 0.75, 0.5, 0.5, 0.5, 0.5;
  return x;
}

double hand_kernel(const Eigen::RowVectorXd& a, const Eigen::RowVectorXd& b,
                   const Eigen::VectorXd& ls, double sf2) {
  double r2 = 0.0;
  for (Eigen::Index k = 0; k < a.size(); ++k) r2 += std::pow((a[k] - b[k]) / ls[k], 2);
  const double r = std::sqrt(r2);
  return sf2 * (1.0 + std::sqrt(5.0) * r + 5.0 * r2 / 3.0) * std::exp(-std::sqrt(5.0) * r);
}

TEST(ModelKernel, Matern52MatchesTheFormula) {
  EXPECT_DOUBLE_EQ(matern52(0.0, 2.0), 2.0);
  EXPECT_NEAR(matern52(1.0, 2.0),
              2.0 * (1.0 + std::sqrt(5.0) + 5.0 / 3.0) * std::exp(-std::sqrt(5.0)), 1e-15);
  const Eigen::MatrixXd x = tiny_grid_features();
  const Eigen::Vector2d ls(0.3, 0.8);
  const Eigen::MatrixXd k = matern52_matrix(x, x, ls, 1.7);
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (Eigen::Index j = 0; j < x.rows(); ++j) {
      EXPECT_NEAR(k(i, j), hand_kernel(x.row(i), x.row(j), ls, 1.7), 1e-12);
    }
  }
}

TEST(ModelGaussianProcess, PosteriorMatchesDenseInverse) {
  const Eigen::MatrixXd x = tiny_grid_features();
  Eigen::VectorXd z(6);
  z << 1.2, -0.3, 0.8, 0.1, -1.0, -0.8;
  Eigen::VectorXd theta(4);
  theta << std::log(0.4), std::log(0.7), std::log(1.3), std::log(0.05);
  auto gp = GaussianProcess::fit(x, z, theta);
  ASSERT_TRUE(gp.is_ok()) << gp.status().to_string();

  // Every state of the 3×5 grid.
  Eigen::MatrixXd query(15, 2);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 5; ++j) query.row(i * 5 + j) << i / 2.0, j / 4.0;
  }
  Eigen::VectorXd mean(15), var(15);
  gp->predict(query, mean, var);

  const Eigen::Vector2d ls(0.4, 0.7);
  Eigen::MatrixXd k(6, 6);
  for (int i = 0; i < 6; ++i) {
    for (int j = 0; j < 6; ++j) k(i, j) = hand_kernel(x.row(i), x.row(j), ls, 1.3);
  }
  k.diagonal().array() += 0.05 + kJitter;
  const Eigen::MatrixXd k_inv = k.inverse();
  for (int q = 0; q < 15; ++q) {
    Eigen::VectorXd ks(6);
    for (int i = 0; i < 6; ++i) ks[i] = hand_kernel(x.row(i), query.row(q), ls, 1.3);
    EXPECT_NEAR(mean[q], ks.dot(k_inv * z), 1e-10) << "state " << q;
    EXPECT_NEAR(var[q], 1.3 - ks.dot(k_inv * ks), 1e-10) << "state " << q;
  }
  const double nll = 0.5 * z.dot(k_inv * z) + 0.5 * std::log(k.determinant());
  EXPECT_NEAR(gp->neg_log_likelihood(), nll, 1e-10);
}

TEST(ModelExpectedImprovement, MatchesScipyNormal) {
  // σ φ(u) + (z* − μ) Φ(u) with scipy.stats.norm (printed by /usr/bin/python3).
  EXPECT_NEAR(expected_improvement(0.2, 0.5, 0.0), 0.1152194184737265, 1e-14);
  EXPECT_NEAR(expected_improvement(-1.0, 0.3, 0.5), 1.5000000160384965, 1e-14);
  EXPECT_NEAR(expected_improvement(3.0, 0.1, 0.0), 1.6319567341753464e-200,
              1e-208);  // erfc far in the tail
  EXPECT_DOUBLE_EQ(expected_improvement(-0.5, 0.0, 0.0), 0.5);
  EXPECT_DOUBLE_EQ(expected_improvement(0.5, 0.0, 0.0), 0.0);
}

TEST(ModelHyperparameterFit, GradientMatchesFiniteDifferences) {
  const Eigen::MatrixXd x = tiny_grid_features();
  Eigen::VectorXd z(6);
  z << 1.2, -0.3, 0.8, 0.1, -1.0, -0.8;
  Eigen::VectorXd theta(4);
  theta << std::log(0.35), std::log(1.1), std::log(0.6), std::log(0.02);
  Eigen::VectorXd gradient;
  map_objective(x, z, theta, &gradient);
  ASSERT_EQ(gradient.size(), 4);
  constexpr double kStep = 1e-6;
  for (Eigen::Index j = 0; j < 4; ++j) {
    Eigen::VectorXd up = theta, down = theta;
    up[j] += kStep;
    down[j] -= kStep;
    const double numeric =
        (map_objective(x, z, up, nullptr) - map_objective(x, z, down, nullptr)) / (2 * kStep);
    EXPECT_NEAR(gradient[j], numeric, 1e-6 * (1.0 + std::abs(numeric))) << "theta " << j;
  }
}

TEST(ModelHyperparameterFit, FitDoesNotWorsenTheObjective) {
  // A smooth function of the first feature only: the fit should lengthen ℓ_2.
  Eigen::MatrixXd x(12, 2);
  Eigen::VectorXd y(12);
  for (int i = 0; i < 12; ++i) {
    x.row(i) << (i % 4) / 3.0, (i / 4) / 2.0;
    y[i] = std::sin(3.0 * x(i, 0));
  }
  const Eigen::VectorXd z =
      (y.array() - y.mean()) / std::sqrt((y.array() - y.mean()).square().mean());
  const Eigen::VectorXd start = prior_theta(2);
  const Eigen::VectorXd fitted = fit_hyperparameters(x, z, start, 60, true);
  EXPECT_LT(map_objective(x, z, fitted, nullptr), map_objective(x, z, start, nullptr));
  EXPECT_GT(fitted[1], fitted[0]);
  EXPECT_LE(fitted[1], std::log(20.0) + 1e-12);
}

TEST(ModelBoxMinimiser, FindsInteriorAndBoundMinima) {
  // Rosenbrock, minimum (1, 1) inside the box.
  const Objective rosenbrock = [](const Eigen::VectorXd& v, Eigen::VectorXd* g) {
    const double a = 1.0 - v[0], b = v[1] - v[0] * v[0];
    if (g != nullptr) *g = Eigen::Vector2d(-2.0 * a - 400.0 * v[0] * b, 200.0 * b);
    return a * a + 100.0 * b * b;
  };
  const BoxMinimum inner = minimise_in_box(rosenbrock, Eigen::Vector2d(-1.2, 1.0),
                                           Eigen::Vector2d(-2, -2), Eigen::Vector2d(2, 2), 500);
  EXPECT_NEAR(inner.x[0], 1.0, 1e-3);
  EXPECT_NEAR(inner.x[1], 1.0, 1e-3);
  // A bowl centred at (3, -1) restricted to [0, 2]²: the minimum is the corner (2, 0).
  const Objective bowl = [](const Eigen::VectorXd& v, Eigen::VectorXd* g) {
    const Eigen::Vector2d c(3.0, -1.0);
    if (g != nullptr) *g = 2.0 * (v - c);
    return (v - c).squaredNorm();
  };
  const BoxMinimum corner = minimise_in_box(bowl, Eigen::Vector2d(1, 1), Eigen::Vector2d(0, 0),
                                            Eigen::Vector2d(2, 2), 50);
  EXPECT_DOUBLE_EQ(corner.x[0], 2.0);
  EXPECT_DOUBLE_EQ(corner.x[1], 0.0);
  EXPECT_DOUBLE_EQ(corner.value, 2.0);
}

}  // namespace
}  // namespace qtune::agent::model

namespace qtune::agent::model {
namespace {

TEST(ModelRewardModel, ReplicateNoiseIsThePooledSpreadOfRepeatsInStandardUnits) {
  std::vector<space::Dimension> dims(1);
  dims[0].name = "x";
  for (std::int64_t i = 0; i < 5; ++i) dims[0].values.emplace_back(i);
  const space::Space space = space::Space::create(dims).value();
  RewardModel model(space, std::nullopt);
  model.add({0, 1.0});
  model.add({1, 5.0});
  model.add({2, 2.0});
  model.add({3, std::nullopt});
  model.add({3, std::nullopt});  // failed repeats say nothing about the noise
  EXPECT_FALSE(model.replicate_noise_sd().has_value()) << "no state has two successes yet";
  model.add({0, 3.0});
  model.add({1, 5.0});
  model.add({1, 8.0});
  // State 0: 1, 3 (squares 2, 1 degree of freedom); state 1: 5, 5, 8 (squares 6, 2 degrees):
  // pooled variance 8 / 3. The model standardises by the population sd of every row, the two
  // failures entering at the penalty worst + range = 8 + 7.
  const std::vector<double> rows{1, 5, 2, 15, 15, 3, 5, 8};
  double mean = 0.0;
  for (double y : rows) mean += y / static_cast<double>(rows.size());
  double var = 0.0;
  for (double y : rows) var += (y - mean) * (y - mean) / static_cast<double>(rows.size());
  ASSERT_TRUE(model.replicate_noise_sd().has_value());
  EXPECT_NEAR(*model.replicate_noise_sd(), std::sqrt(8.0 / 3.0) / std::sqrt(var), 1e-12);
}

}  // namespace
}  // namespace qtune::agent::model
