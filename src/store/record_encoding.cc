#include "store/record_encoding.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace qtune::store {

std::string params_to_json(const std::vector<Param>& params) {
  nlohmann::json out = nlohmann::json::array();
  for (const Param& p : params) out.push_back({p.name, p.value});
  return out.dump();
}

base::Result<std::vector<Param>> params_from_json(const std::string& text, std::int64_t trial) {
  std::vector<Param> params;
  try {
    for (const auto& pair : nlohmann::json::parse(text)) {
      params.push_back({pair.at(0).get<std::string>(), pair.at(1).get<std::string>()});
    }
  } catch (const nlohmann::json::exception& e) {
    return base::Status::corrupt(
        fmt::format("trial id {}: params column \"{}\" is not a JSON array of "
                    "[name, value] pairs: {}",
                    trial, text, e.what()));
  }
  return params;
}

std::string components_to_json(const std::vector<MetricComponent>& components) {
  nlohmann::json out = nlohmann::json::array();
  for (const MetricComponent& c : components) {
    out.push_back(
        {{"name", c.name}, {"value", c.value}, {"weight", c.weight}, {"maximize", c.maximize}});
  }
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

base::Result<std::vector<MetricComponent>> components_from_json(const std::string& text,
                                                                std::int64_t trial) {
  std::vector<MetricComponent> components;
  try {
    for (const auto& c : nlohmann::json::parse(text)) {
      components.push_back({c.at("name").get<std::string>(), c.at("value").get<double>(),
                            c.at("weight").get<double>(), c.at("maximize").get<bool>()});
    }
  } catch (const nlohmann::json::exception& e) {
    return base::Status::corrupt(
        fmt::format("trial id {}: components column \"{}\" is not a JSON array of {{name, "
                    "value, weight, maximize}} objects: {}",
                    trial, text, e.what()));
  }
  return components;
}

namespace {

base::Status check_components(TrialId trial, const TrialResult& result) {
  if (result.components.empty()) return base::Status::ok();
  if (result.state != TrialState::kComplete) {
    return base::Status::invalid_argument(
        fmt::format("trial id {}: a {} finish has metric components; only a COMPLETE one has",
                    trial, trial_state_name(result.state)));
  }
  for (std::size_t i = 0; i < result.components.size(); ++i) {
    const MetricComponent& c = result.components[i];
    std::string wrong;
    if (c.name.empty()) wrong = "has no name";
    if (!std::isfinite(c.value)) wrong = fmt::format("has value {}", c.value);
    if (!(c.weight > 0) || !std::isfinite(c.weight)) wrong = fmt::format("has weight {}", c.weight);
    for (std::size_t j = 0; j < i && wrong.empty(); ++j) {
      if (result.components[j].name == c.name) wrong = "is named twice";
    }
    if (!wrong.empty()) {
      return base::Status::invalid_argument(
          fmt::format("trial id {}: metric component \"{}\" {}; each needs a distinct name, a "
                      "finite value and a finite weight > 0",
                      trial, c.name, wrong));
    }
  }
  return base::Status::ok();
}

}  // namespace

base::Status check_finish(TrialId trial, const TrialResult& result) {
  QTUNE_RETURN_IF_ERROR(check_components(trial, result));
  const bool valued =
      (result.state == TrialState::kComplete || result.state == TrialState::kPruned) &&
      result.value.has_value();
  if (valued || result.state == TrialState::kFailed) return base::Status::ok();
  const bool needs_value =
      result.state == TrialState::kComplete || result.state == TrialState::kPruned;
  return base::Status::invalid_argument(fmt::format(
      "trial id {}: a finish must be COMPLETE or PRUNED with a value, or FAILED; not {}{}", trial,
      trial_state_name(result.state), needs_value ? " without a value" : ""));
}

base::Status not_running(const TrialRecord& t, std::string_view action) {
  return base::Status::conflict(
      fmt::format("trial {} (id {}): cannot {} it, it is {}; only a RUNNING trial can be", t.number,
                  t.id, action, trial_state_name(t.state)));
}

base::Status not_failed(const TrialRecord& t) {
  return base::Status::conflict(
      fmt::format("trial {} (id {}): cannot retry it, it is {}; only a FAILED trial can be",
                  t.number, t.id, trial_state_name(t.state)));
}

base::Status check_progress(TrialId trial, std::optional<std::int64_t> last_step,
                            const std::vector<ProgressPoint>& points) {
  for (const ProgressPoint& p : points) {
    if (!std::isfinite(p.value)) {
      return base::Status::invalid_argument(fmt::format(
          "trial id {}: intermediate value at step {} is {}; only finite values are stored", trial,
          p.step, p.value));
    }
    if (last_step && p.step <= *last_step) {
      return base::Status::invalid_argument(
          fmt::format("trial id {}: intermediate step {} does not follow step {}; steps must "
                      "increase",
                      trial, p.step, *last_step));
    }
    last_step = p.step;
  }
  return base::Status::ok();
}

base::Status snapshot_moved(StudyId study, std::int64_t event, std::int64_t expected_event) {
  return base::Status::conflict(
      fmt::format("study id {}: the agent snapshot is at event {}, not {} as this writer expected; "
                  "another process "
                  "advanced the study: re-read the snapshot and try again",
                  study, event, expected_event));
}

base::Status heartbeat_from_other_worker(const TrialRecord& t, std::string_view worker) {
  return base::Status::conflict(
      fmt::format("trial {} (id {}): heartbeat from worker \"{}\", but it is run by \"{}\" "
                  "now (handed out again after an interruption)",
                  t.number, t.id, worker, t.worker));
}

}  // namespace qtune::store
