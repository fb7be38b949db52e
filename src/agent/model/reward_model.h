// RewardModel: the learned model of the loss over the grid that model-based q-learning
// plans from. It holds every measurement (several per state when a state was re-measured;
// each is its own GP row, so repeats average out through the noise term), standardises the
// losses, fits the GP hyperparameters at their MAP value (warm-started from the last fit)
// and predicts in standardised units.
//
// Failed trials enter as the failure penalty: the configured one, or else the worst
// successful loss plus the measured range (1.0 before two successes).
//
// Pending states ("kriging believer"): states handed out but not told yet enter the
// posterior as rows whose target is the model's own mean there, so parallel trajectories
// see them as measured without the hyperparameters moving.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "agent/model/gaussian_process.h"
#include "qtune/space/space.h"

namespace qtune::agent::model {

struct Measurement {
  space::StateId state = 0;
  std::optional<double> loss;  // nullopt: the trial failed
};

class RewardModel {
 public:
  RewardModel(const space::Space& space, std::optional<double> failure_penalty);

  void add(const Measurement& m) { measurements_.push_back(m); }
  const std::vector<Measurement>& measurements() const { return measurements_; }

  // Refits the hyperparameters if measurements arrived since the last fit, then rebuilds
  // the posterior with `pending` as believed rows. Needs at least one measurement.
  void update(std::span<const space::StateId> pending, int fit_iterations);
  // Rebuilds the posterior of the measurements alone with the current hyperparameters
  // (no refit): what recommend() uses between decisions.
  GaussianProcess posterior_without_refit() const;

  const GaussianProcess& posterior() const { return *posterior_; }
  // The posterior of the measurements alone (posterior_without_refit) at `states`, in the
  // units of the losses (not standardised). Needs at least one measurement.
  std::vector<std::pair<double, double>> predict_losses(
      std::span<const space::StateId> states) const;
  // The posterior mean (posterior(), so after update()) at feature rows `x`, in the units of
  // the losses.
  Eigen::VectorXd predict_mean_losses(const Eigen::MatrixXd& x) const;
  // The pooled standard deviation of repeated successful measurements of one state about
  // their state's mean, standardised like the losses; nullopt before any state has two.
  std::optional<double> replicate_noise_sd() const;
  // Standardised noise standard deviation of one measurement.
  double noise_sd() const;

  // For snapshots: θ and how many measurements it was fitted on.
  const Eigen::VectorXd& theta() const { return theta_; }
  std::size_t fitted_rows() const { return fitted_rows_; }
  void restore_fit(Eigen::VectorXd theta, std::size_t fitted_rows);
  void restore_measurements(std::vector<Measurement> m) { measurements_ = std::move(m); }

 private:
  // The losses, failures at the penalty, as the model is fitted on them.
  Eigen::VectorXd losses() const;
  Eigen::VectorXd standardised_losses() const;
  const space::Space* space_;  // not owned
  std::optional<double> failure_penalty_;
  std::vector<Eigen::Index> column_dims_;  // feature column -> dimension (planning_window.h)
  std::vector<Measurement> measurements_;
  Eigen::VectorXd theta_;
  std::size_t fitted_rows_ = 0;
  std::optional<GaussianProcess> posterior_;
};

}  // namespace qtune::agent::model
