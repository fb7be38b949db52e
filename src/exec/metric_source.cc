#include "exec/metric_source.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <variant>

#include "exec/file_tail.h"

namespace qtune::exec {
namespace {

using detail::excerpt;

constexpr int kMaxJsonDepth = 128;

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

MetricReading no_metric(std::string message) {
  return {FailureReason::kNoMetric, 0, std::move(message)};
}

MetricReading with_context(MetricReading reading, std::string_view where) {
  if (reading.reason != FailureReason::kNone)
    reading.message = fmt::format("{}: {}", where, reading.message);
  return reading;
}

std::filesystem::path resolve(const std::filesystem::path& workdir, const std::string& path) {
  const std::filesystem::path p(path);
  return p.is_absolute() ? p : workdir / p;
}

// The last match of `pattern` on `line` (its capture group), nullopt when none; an error
// message when the line has more than kMaxMatchesPerLine matches.
struct LineMatch {
  std::optional<std::string_view> group;
  bool too_many = false;
};
LineMatch last_match(const RE2& pattern, std::string_view line) {
  const re2::StringPiece text(line.data(), line.size());
  re2::StringPiece groups[2];
  LineMatch result;
  std::size_t pos = 0;
  std::size_t count = 0;
  while (pos <= line.size() && pattern.Match(text, pos, line.size(), RE2::UNANCHORED, groups, 2)) {
    if (++count > kMaxMatchesPerLine) return {std::nullopt, true};
    result.group =
        std::string_view(groups[1].data() == nullptr ? "" : groups[1].data(), groups[1].size());
    const auto begin = static_cast<std::size_t>(groups[0].data() - line.data());
    const std::size_t end = begin + groups[0].size();
    pos = end > begin ? end : begin + 1;  // an empty match: search on from the next byte
  }
  return result;
}

MetricReading read_regex(const RegexMetric& metric, const TrialFiles& files) {
  const RE2 pattern(metric.pattern, regex_options());
  if (!pattern.ok() || pattern.NumberOfCapturingGroups() != 1) {
    return no_metric(fmt::format("regex '{}' is not usable: {}", metric.pattern,
                                 check_metric_regex(metric.pattern).message()));
  }
  const std::optional<detail::FileTail> tail =
      detail::read_file_tail(files.stdout_log, kStdoutTailBytes);
  if (!tail) return no_metric(fmt::format("{}: cannot be read", files.stdout_log.string()));
  std::string_view text = tail->text;
  if (tail->cut) {  // the first line began before the tail: skip its end
    const std::size_t newline = text.find_first_of("\r\n");
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
  }
  // Lines end at '\n' or '\r' (progress bars rewrite one line with '\r'); the last line
  // with a match holds the last match.
  std::size_t stop = text.size();
  while (stop > 0 && (text[stop - 1] == '\n' || text[stop - 1] == '\r')) --stop;
  for (bool more = stop > 0; more;) {
    const std::size_t newline = text.find_last_of("\r\n", stop - 1);
    const std::size_t start = newline == std::string_view::npos ? 0 : newline + 1;
    // An empty line (as between '\r' and '\n') holds no metric.
    const LineMatch match =
        start == stop ? LineMatch{} : last_match(pattern, text.substr(start, stop - start));
    if (match.too_many) {
      return no_metric(fmt::format(
          "a line of stdout has more than {} matches of regex '{}'; make the regex match "
          "once per line, e.g. 'FID:\\s*(\\S+)'",
          kMaxMatchesPerLine, metric.pattern));
    }
    if (match.group) {
      return with_context(parse_metric_text(*match.group),
                          fmt::format("stdout match of '{}'", metric.pattern));
    }
    more = newline != std::string_view::npos && newline > 0;
    stop = newline;
  }
  return no_metric(fmt::format(
      "stdout has no line matching regex '{}'{}", metric.pattern,
      tail->cut ? fmt::format(" in its last {} bytes", kStdoutTailBytes) : std::string()));
}

// The text of a JSON metric file, or the kNoMetric reading that says why not.
std::variant<std::string, MetricReading> read_json_text(const std::filesystem::path& path) {
  // The size first: a file over the limit is refused unread.
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) return no_metric(fmt::format("{}: missing; the trial should write it", path.string()));
  if (size > kJsonMetricMaxBytes) {
    return no_metric(fmt::format(
        "{}: is {} bytes, over the {} MiB limit for a JSON metric file; write only the metrics "
        "to it",
        path.string(), size, kJsonMetricMaxBytes >> 20));
  }
  const std::optional<detail::FileTail> file = detail::read_file_tail(path, kJsonMetricMaxBytes);
  if (!file || file->cut) {
    return no_metric(
        fmt::format("{}: cannot be read whole (did it grow while read?)", path.string()));
  }
  return std::move(file->text);
}

// Refuses nesting deeper than kMaxJsonDepth while parsing (memory and recursion stay bounded).
struct TooDeep {};

MetricReading read_json(const JsonMetric& metric, const TrialFiles& files) {
  const std::filesystem::path path = resolve(files.workdir, metric.path.expand(files.values));
  std::variant<std::string, MetricReading> read = read_json_text(path);
  if (auto* failed = std::get_if<MetricReading>(&read)) return std::move(*failed);
  const std::string& text = std::get<std::string>(read);
  nlohmann::json json;
  try {
    json =
        nlohmann::json::parse(text, [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
          if (depth > kMaxJsonDepth) throw TooDeep{};
          return true;
        });
  } catch (const TooDeep&) {
    return no_metric(fmt::format("{}: nested deeper than {} levels; write a flat object",
                                 path.string(), kMaxJsonDepth));
  } catch (const nlohmann::json::exception& e) {
    // Python's json.dump writes NaN and Infinity, which JSON (and nlohmann) reject.
    const RE2 non_finite("\"" + RE2::QuoteMeta(metric.key) + R"("\s*:\s*(-?Infinity|NaN))",
                         regex_options());
    if (non_finite.ok() && RE2::PartialMatch(text, non_finite)) {
      return {FailureReason::kNotFinite, 0,
              fmt::format("{}: key \"{}\" is not finite", path.string(), metric.key)};
    }
    return no_metric(fmt::format("{}: not valid JSON ({})", path.string(), excerpt(e.what(), 200)));
  } catch (const std::exception& e) {  // std::bad_alloc and the like: a failed trial, no more
    return no_metric(fmt::format("{}: cannot be parsed ({})", path.string(), excerpt(e.what())));
  }
  const nlohmann::json* value = nullptr;
  try {
    if (metric.key.starts_with('/')) {
      const nlohmann::json::json_pointer pointer(metric.key);
      if (json.contains(pointer)) value = &json.at(pointer);
    } else if (json.is_object() && json.contains(metric.key)) {
      value = &json.at(metric.key);
    }
  } catch (const nlohmann::json::exception& e) {
    return no_metric(
        fmt::format("{}: key \"{}\": {}", path.string(), metric.key, excerpt(e.what(), 200)));
  }
  if (value == nullptr)
    return no_metric(fmt::format("{}: key \"{}\" is missing", path.string(), metric.key));
  const std::string where = fmt::format("{}: key \"{}\"", path.string(), metric.key);
  if (value->is_number()) {
    return with_context(parse_metric_text(fmt::format("{}", value->get<double>())), where);
  }
  if (value->is_string()) return with_context(parse_metric_text(value->get<std::string>()), where);
  return no_metric(fmt::format("{} is {}, not a number", where, value->type_name()));
}

MetricReading read_builtin(const BuiltinMetric& metric, const TrialFiles& files,
                           const BuiltinMetricFunction& builtin) {
  const std::string_view name = builtin_metric_name(metric.kind);
  if (!builtin) {
    return no_metric(fmt::format("built-in metric \"{}\" is not available to this executor", name));
  }
  const auto reference = resolve(files.workdir, metric.reference.expand(files.values));
  const auto generated = resolve(files.workdir, metric.generated.expand(files.values));
  BuiltinMetric resolved = metric;  // weights files, like the folders, from the workdir
  for (auto& [network, path] : resolved.weights_for) path = resolve(files.workdir, path.string());
  const base::Result<double> value = builtin(resolved, reference, generated);
  if (!value.is_ok()) {
    return no_metric(fmt::format("built-in metric \"{}\": {}", name, value.status().message()));
  }
  if (!std::isfinite(*value)) {
    return {FailureReason::kNotFinite, 0,
            fmt::format("built-in metric \"{}\" is {}", name, *value)};
  }
  return {FailureReason::kNone, *value, {}};
}

MetricReading read_combined(const CombinedMetric& metric, const TrialFiles& files,
                            const BuiltinMetricFunction& builtin) {
  MetricReading combined;
  for (const CombinedComponent& component : metric.components) {
    MetricReading reading = read_builtin(component.metric, files, builtin);
    if (reading.reason != FailureReason::kNone) {
      reading.message = fmt::format("combine: {}", reading.message);
      return reading;
    }
    combined.components.push_back({std::string(builtin_metric_name(component.metric.kind)),
                                   reading.value, component.weight,
                                   builtin_metric_maximize(component.metric.kind)});
  }
  return combined;
}

}  // namespace

RE2::Options regex_options() {
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingLatin1);
  options.set_log_errors(false);
  return options;
}

base::Status check_metric_regex(std::string_view pattern) {
  const RE2 compiled(re2::StringPiece(pattern.data(), pattern.size()), regex_options());
  if (!compiled.ok()) {
    return base::Status::invalid_argument(
        fmt::format("does not compile ({}); use RE2 syntax (no backreferences or "
                    "lookaround) with one capture group around the number, e.g. "
                    "'FID:\\s*(\\S+)'",
                    compiled.error()));
  }
  if (compiled.NumberOfCapturingGroups() != 1) {
    return base::Status::invalid_argument(fmt::format(
        "has {} capture groups; use exactly one, around the number, e.g. 'FID:\\s*(\\S+)' "
        "(write other groups as (?:...))",
        compiled.NumberOfCapturingGroups()));
  }
  return base::Status::ok();
}

MetricReading parse_metric_text(std::string_view text) {
  const std::string_view t = trim(text);
  double value = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (t.empty() || end != t.data() + t.size() || ec == std::errc::invalid_argument) {
    return no_metric(fmt::format("\"{}\" is not a number", excerpt(t)));
  }
  if (ec == std::errc::result_out_of_range) {
    // Too large (1e400) is not finite; too small (1e-400) is as good as 0.
    value = std::strtod(std::string(t).c_str(), nullptr);
  }
  if (!std::isfinite(value)) {
    return {FailureReason::kNotFinite, 0, fmt::format("\"{}\" is not finite", excerpt(t))};
  }
  return {FailureReason::kNone, value, {}};
}

MetricReading read_metric(const MetricSource& source, const TrialFiles& files,
                          const BuiltinMetricFunction& builtin) {
  if (const auto* regex = std::get_if<RegexMetric>(&source)) return read_regex(*regex, files);
  if (const auto* json = std::get_if<JsonMetric>(&source)) return read_json(*json, files);
  if (const auto* combined = std::get_if<CombinedMetric>(&source))
    return read_combined(*combined, files, builtin);
  return read_builtin(std::get<BuiltinMetric>(source), files, builtin);
}

}  // namespace qtune::exec
