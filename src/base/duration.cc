#include "qtune/base/duration.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

namespace qtune::base {
namespace {

base::Status bad(std::string_view text, std::string_view why) {
  return base::Status::invalid_argument(fmt::format(
      "duration \"{}\": {}; use a number of seconds or units s, m, h, d, e.g. \"90s\", \"2h\", "
      "\"1h30m\"",
      text, why));
}

}  // namespace

base::Result<Duration> parse_duration(std::string_view text) {
  if (text.empty()) return bad(text, "it is empty");
  double total_seconds = 0;
  std::size_t pos = 0;
  bool any_unit = false;
  std::size_t next_rank = 0;  // the last unit's place in "dhms"
  while (pos < text.size()) {
    double number = 0;
    const auto [end, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), number);
    if (ec != std::errc() || !std::isfinite(number) || number < 0) {
      return bad(text, fmt::format("\"{}\" is not a non-negative number", text.substr(pos)));
    }
    pos = static_cast<std::size_t>(end - text.data());
    if (pos == text.size()) {
      if (any_unit) return bad(text, "the last number has no unit");
      total_seconds += number;
      break;
    }
    double unit = 0;
    const std::size_t rank = std::string_view("dhms").find(text[pos]);
    if (rank != std::string_view::npos) {
      if (rank <= next_rank && any_unit) {
        return bad(text, fmt::format("unit \"{}\" comes again or after a smaller unit; give "
                                     "each unit at most once, in the order d, h, m, s",
                                     text[pos]));
      }
      next_rank = rank;
    }
    switch (text[pos]) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      default:
        return bad(text, fmt::format("unit \"{}\" is unknown", text[pos]));
    }
    total_seconds += number * unit;
    any_unit = true;
    ++pos;
  }
  if (total_seconds <= 0) return bad(text, "it is not positive");
  if (total_seconds > 1e9) return bad(text, "it is longer than 30 years");
  return Duration(static_cast<Duration::rep>(std::llround(total_seconds * 1000.0)));
}

std::string format_duration(Duration duration) {
  const long long total = std::chrono::duration_cast<std::chrono::seconds>(duration).count();
  const long long h = total / 3600;
  const long long m = total / 60 % 60;
  const long long s = total % 60;
  if (h > 0) return fmt::format("{}h{:02}m{:02}s", h, m, s);
  if (m > 0) return fmt::format("{}m{:02}s", m, s);
  return fmt::format("{}s", s);
}

}  // namespace qtune::base
