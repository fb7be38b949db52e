#include "qtune/exec/trial_outcome.h"

#include <array>
#include <utility>

namespace qtune::exec {
namespace {

constexpr std::array<std::pair<FailureReason, std::string_view>, 8> kNames = {{
    {FailureReason::kNone, "none"},
    {FailureReason::kExitCode, "exit_code"},
    {FailureReason::kSignal, "signal"},
    {FailureReason::kTimeout, "timeout"},
    {FailureReason::kNoMetric, "no_metric"},
    {FailureReason::kNotFinite, "not_finite"},
    {FailureReason::kLaunch, "launch"},
    {FailureReason::kInterrupted, "interrupted"},
}};

}  // namespace

std::string_view failure_reason_name(FailureReason reason) {
  for (const auto& [r, name] : kNames) {
    if (r == reason) return name;
  }
  return "unknown";
}

std::optional<FailureReason> failure_reason_from_name(std::string_view name) {
  for (const auto& [r, n] : kNames) {
    if (n == name) return r;
  }
  return std::nullopt;
}

}  // namespace qtune::exec
