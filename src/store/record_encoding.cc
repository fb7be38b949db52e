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

base::Status check_finish(TrialId trial, const TrialResult& result) {
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
