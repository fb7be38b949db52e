#include <fmt/format.h>

#include "base/names.h"
#include "qtune/store/store.h"

namespace qtune::store {

namespace {

constexpr base::Names<TrialState, 5> kTrialStates{{{{TrialState::kRunning, "RUNNING"},
                                                    {TrialState::kComplete, "COMPLETE"},
                                                    {TrialState::kFailed, "FAILED"},
                                                    {TrialState::kInterrupted, "INTERRUPTED"},
                                                    {TrialState::kPruned, "PRUNED"}}}};

constexpr base::Names<Direction, 2> kDirections{
    {{{Direction::kMinimize, "minimize"}, {Direction::kMaximize, "maximize"}}}};

}  // namespace

std::string_view trial_state_name(TrialState state) { return kTrialStates.name(state); }

base::Result<TrialState> parse_trial_state(std::string_view text) {
  if (const auto state = kTrialStates.parse(text)) return *state;
  return base::Status::corrupt(
      fmt::format("trial state \"{}\" is unknown; expected {}", text, kTrialStates.list("")));
}

std::size_t& TrialCounts::of(TrialState state) {
  switch (state) {
    case TrialState::kRunning:
      return running;
    case TrialState::kComplete:
      return complete;
    case TrialState::kFailed:
      return failed;
    case TrialState::kInterrupted:
      return interrupted;
    case TrialState::kPruned:
      return pruned;
  }
  QTUNE_CHECK(false);
  return running;
}

std::string_view direction_name(Direction direction) { return kDirections.name(direction); }

base::Result<Direction> parse_direction(std::string_view text) {
  if (const auto direction = kDirections.parse(text)) return *direction;
  return base::Status::invalid_argument(
      fmt::format("direction \"{}\" is unknown; use {}", text, kDirections.list()));
}

}  // namespace qtune::store
