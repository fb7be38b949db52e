#include "store/record_encoding.h"

#include <fmt/format.h>

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
  const bool complete = result.state == TrialState::kComplete && result.value.has_value();
  if (complete || result.state == TrialState::kFailed) return base::Status::ok();
  return base::Status::invalid_argument(
      fmt::format("trial id {}: a finish must be COMPLETE with a value or FAILED, not {}{}", trial,
                  trial_state_name(result.state),
                  result.state == TrialState::kComplete ? " without a value" : ""));
}

base::Status not_running(const TrialRecord& t, std::string_view action) {
  return base::Status::conflict(
      fmt::format("trial {} (id {}): cannot {} it, it is {}; only a RUNNING trial can be", t.number,
                  t.id, action, trial_state_name(t.state)));
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
