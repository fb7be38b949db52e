#include <array>
#include <utility>

#include "qtune/exec/executor.h"

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

}  // namespace qtune::exec
