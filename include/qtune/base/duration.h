// Durations in study files: "90s", "15m", "2h", "1d", "1h30m", or a number of seconds
// (integer or float). Used by [trial] timeout and kill_grace, and by [budget] max_time.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "qtune/base/result.h"

namespace qtune::base {

using Duration = std::chrono::milliseconds;

// kInvalidArgument (message: `duration "2x": unit "x" is unknown; use a number of seconds or
// units s, m, h, d, e.g. "90s", "2h", "1h30m"`) for text that is not a positive duration;
// the caller adds context.
Result<Duration> parse_duration(std::string_view text);
// "1h02m03s" / "4m05s" / "12s": for progress lines.
std::string format_duration(Duration duration);

}  // namespace qtune::base
