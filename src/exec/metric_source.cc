#include "exec/metric_source.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

namespace qtune::exec {
namespace {

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

MetricReading read_regex(const RegexMetric& metric, const TrialFiles& files) {
  std::ifstream in(files.stdout_log);
  if (!in) return no_metric(fmt::format("{}: cannot be read", files.stdout_log.string()));
  const std::regex pattern(metric.pattern);  // compiled once per trial: parse checked it
  std::string line;
  std::optional<std::string> last;
  while (std::getline(in, line)) {
    // Several matches on one line: the last one wins, as across lines.
    for (auto it = std::sregex_iterator(line.begin(), line.end(), pattern);
         it != std::sregex_iterator(); ++it) {
      const std::smatch& m = *it;
      last = m.size() > 1 ? m[1].str() : m[0].str();
    }
  }
  if (!last) {
    return no_metric(fmt::format("stdout has no line matching regex '{}'", metric.pattern));
  }
  return with_context(parse_metric_text(*last),
                      fmt::format("stdout match of '{}'", metric.pattern));
}

MetricReading read_json(const JsonMetric& metric, const TrialFiles& files) {
  const std::filesystem::path path = resolve(files.workdir, metric.path.expand(files.values));
  std::ifstream in(path);
  if (!in) return no_metric(fmt::format("{}: missing; the trial should write it", path.string()));
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    // Python's json.dump writes NaN and Infinity, which JSON (and nlohmann) reject.
    const std::regex non_finite(
        "\"" + std::regex_replace(metric.key, std::regex(R"([\^$.|?*+()\[\]{}\\])"), R"(\$&)") +
        R"("\s*:\s*(-?Infinity|NaN))");
    if (std::regex_search(text, non_finite)) {
      return {FailureReason::kNotFinite, 0,
              fmt::format("{}: key \"{}\" is not finite", path.string(), metric.key)};
    }
    return no_metric(fmt::format("{}: not valid JSON ({})", path.string(), e.what()));
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
    return no_metric(fmt::format("{}: key \"{}\": {}", path.string(), metric.key, e.what()));
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
  const base::Result<double> value = builtin(metric, reference, generated);
  if (!value.is_ok()) {
    return no_metric(fmt::format("built-in metric \"{}\": {}", name, value.status().message()));
  }
  if (!std::isfinite(*value)) {
    return {FailureReason::kNotFinite, 0,
            fmt::format("built-in metric \"{}\" is {}", name, *value)};
  }
  return {FailureReason::kNone, *value, {}};
}

}  // namespace

MetricReading parse_metric_text(std::string_view text) {
  const std::string_view t = trim(text);
  double value = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (t.empty() || end != t.data() + t.size() || ec == std::errc::invalid_argument) {
    return no_metric(fmt::format("\"{}\" is not a number", t));
  }
  if (ec == std::errc::result_out_of_range || !std::isfinite(value)) {
    return {FailureReason::kNotFinite, 0, fmt::format("\"{}\" is not finite", t)};
  }
  return {FailureReason::kNone, value, {}};
}

MetricReading read_metric(const MetricSource& source, const TrialFiles& files,
                          const BuiltinMetricFunction& builtin) {
  if (const auto* regex = std::get_if<RegexMetric>(&source)) return read_regex(*regex, files);
  if (const auto* json = std::get_if<JsonMetric>(&source)) return read_json(*json, files);
  return read_builtin(std::get<BuiltinMetric>(source), files, builtin);
}

}  // namespace qtune::exec
