#include <fmt/format.h>

#include <array>
#include <utility>

#include "qtune/store/store.h"

namespace qtune::store {

namespace {
constexpr std::array<std::pair<TrialState, std::string_view>, 4> kTrialStateNames = {{
    {TrialState::kRunning, "RUNNING"},
    {TrialState::kComplete, "COMPLETE"},
    {TrialState::kFailed, "FAILED"},
    {TrialState::kInterrupted, "INTERRUPTED"},
}};
}  // namespace

std::string_view trial_state_name(TrialState state) {
  for (const auto& [s, name] : kTrialStateNames) {
    if (s == state) return name;
  }
  QTUNE_CHECK(false);
  return {};
}

base::Result<TrialState> parse_trial_state(std::string_view text) {
  for (const auto& [s, name] : kTrialStateNames) {
    if (name == text) return s;
  }
  return base::Status::corrupt(
      fmt::format("trial state \"{}\" is unknown; expected RUNNING, COMPLETE, FAILED "
                  "or INTERRUPTED",
                  text));
}

std::string_view direction_name(Direction direction) {
  return direction == Direction::kMinimize ? "minimize" : "maximize";
}

base::Result<Direction> parse_direction(std::string_view text) {
  if (text == "minimize") return Direction::kMinimize;
  if (text == "maximize") return Direction::kMaximize;
  return base::Status::invalid_argument(
      fmt::format("direction \"{}\" is unknown; use \"minimize\" or \"maximize\"", text));
}

}  // namespace qtune::store
