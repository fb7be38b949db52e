#include <fmt/format.h>
#include <re2/re2.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <variant>

#include "exec/metric_source.h"
#include "exec/trial_run.h"
#include "qtune/exec/progress.h"

namespace qtune::exec {
namespace {

constexpr int kMaxJsonDepth = 64;

struct TooDeep {};

// An integer step: digits with an optional sign ("12"); anything else is nullopt.
std::optional<std::int64_t> parse_step(std::string_view text) {
  std::int64_t step = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), step);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return step;
}

}  // namespace

struct ProgressReader::State {
  ProgressSource source;
  std::filesystem::path file;
  std::unique_ptr<RE2> regex;  // for RegexProgress
  std::uint64_t offset = 0;    // where the next read starts
  std::string partial;         // the start of a line not ended yet
  bool skipping = false;       // inside a line over kProgressMaxLineBytes: drop to its end
  std::optional<std::int64_t> last_step;
  ProgressCounts counts;

  // A step and value read from one line, or nothing (counted).
  void take(std::optional<std::int64_t> step, std::optional<double> value,
            std::vector<ProgressPoint>& out) {
    if (!step || !value) {
      ++counts.unparsable;
    } else if (!std::isfinite(*value)) {
      ++counts.not_finite;
    } else if (last_step && *step <= *last_step) {
      ++counts.backwards;
    } else {
      last_step = *step;
      ++counts.points;
      out.push_back({*step, *value});
    }
  }

  void regex_line(std::string_view line, std::vector<ProgressPoint>& out) {
    re2::StringPiece step;
    re2::StringPiece value;
    if (!RE2::PartialMatch(re2::StringPiece(line.data(), line.size()), *regex, &step, &value))
      return;
    const MetricReading reading = parse_metric_text(std::string_view(value.data(), value.size()));
    std::optional<double> number;
    if (reading.reason == FailureReason::kNone) number = reading.value;
    if (reading.reason == FailureReason::kNotFinite) number = std::nan("");
    take(parse_step(std::string_view(step.data(), step.size())), number, out);
  }

  void json_line(std::string_view line, const JsonLinesProgress& jsonl,
                 std::vector<ProgressPoint>& out) {
    if (line.find_first_not_of(" \t") == std::string_view::npos) return;
    nlohmann::json json;
    try {
      json = nlohmann::json::parse(line,
                                   [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
                                     if (depth > kMaxJsonDepth) throw TooDeep{};
                                     return true;
                                   });
    } catch (...) {
      // Python's json writes NaN and Infinity, which JSON rejects: a non-finite value.
      const RE2 non_finite("\"" + RE2::QuoteMeta(jsonl.value) + R"("\s*:\s*(-?Infinity|NaN))",
                           regex_options());
      if (non_finite.ok() &&
          RE2::PartialMatch(re2::StringPiece(line.data(), line.size()), non_finite)) {
        ++counts.not_finite;
      } else {
        ++counts.unparsable;
      }
      return;
    }
    if (!json.is_object()) {
      ++counts.unparsable;
      return;
    }
    std::optional<std::int64_t> step;
    std::optional<double> value;
    const auto s = json.find(jsonl.step);
    if (s != json.end() && s->is_number_integer()) step = s->get<std::int64_t>();
    const auto v = json.find(jsonl.value);
    if (v != json.end() && v->is_number()) value = v->get<double>();
    take(step, value, out);
  }

  void line(std::string_view text, std::vector<ProgressPoint>& out) {
    if (const auto* jsonl = std::get_if<JsonLinesProgress>(&source)) {
      json_line(text, *jsonl, out);
    } else {
      regex_line(text, out);
    }
  }

  std::vector<ProgressPoint> read() {
    std::vector<ProgressPoint> out;
    std::error_code error;
    const std::uintmax_t size = std::filesystem::file_size(file, error);
    if (error) return out;  // not written yet
    if (size < offset) {    // truncated or rewritten: from its start again
      offset = 0;
      partial.clear();
      skipping = false;
    }
    if (size == offset) return out;
    std::ifstream in(file, std::ios::binary);
    if (!in) return out;
    in.seekg(static_cast<std::streamoff>(offset));
    std::string chunk(
        static_cast<std::size_t>(std::min<std::uintmax_t>(size - offset, kProgressReadBytes)),
        '\0');
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    chunk.resize(static_cast<std::size_t>(std::max<std::streamsize>(0, in.gcount())));
    offset += chunk.size();
    std::size_t start = 0;
    while (start < chunk.size()) {
      const std::size_t end = chunk.find_first_of("\r\n", start);
      const std::string_view piece = std::string_view(chunk).substr(
          start, end == std::string::npos ? std::string::npos : end - start);
      if (end == std::string::npos) {  // no end yet: keep it for the next read
        if (!skipping) partial.append(piece);
        if (partial.size() > kProgressMaxLineBytes) {
          ++counts.long_lines;
          partial.clear();
          skipping = true;
        }
        break;
      }
      if (skipping) {
        skipping = false;
      } else if (partial.size() + piece.size() > kProgressMaxLineBytes) {
        ++counts.long_lines;
        partial.clear();
      } else if (partial.empty()) {
        line(piece, out);
      } else {
        partial.append(piece);
        line(partial, out);
        partial.clear();
      }
      start = end + 1;
    }
    return out;
  }
};

ProgressReader::ProgressReader(const ProgressSource& source, std::filesystem::path file)
    : state_(std::make_unique<State>()) {
  state_->source = source;
  state_->file = std::move(file);
  if (const auto* regex = std::get_if<RegexProgress>(&source))
    state_->regex = std::make_unique<RE2>(regex->pattern, regex_options());
}

ProgressReader::~ProgressReader() = default;
ProgressReader::ProgressReader(ProgressReader&&) noexcept = default;
ProgressReader& ProgressReader::operator=(ProgressReader&&) noexcept = default;

std::vector<ProgressPoint> ProgressReader::read() { return state_->read(); }
const ProgressCounts& ProgressReader::counts() const { return state_->counts; }
std::uint64_t ProgressReader::bytes_read() const { return state_->offset; }

std::filesystem::path progress_file(const TrialConfig& config, const TrialSpec& spec) {
  const auto* jsonl = config.progress ? std::get_if<JsonLinesProgress>(&*config.progress) : nullptr;
  if (jsonl == nullptr) return spec.dir / "stdout.log";
  const TemplateValues values = trial_values(spec);
  const std::filesystem::path path(jsonl->path.expand(values));
  return path.is_absolute() ? path : trial_workdir(config, values) / path;
}

base::Status check_progress_regex(std::string_view pattern) {
  const RE2 compiled(re2::StringPiece(pattern.data(), pattern.size()), regex_options());
  if (!compiled.ok()) {
    return base::Status::invalid_argument(
        fmt::format("does not compile ({}); use RE2 syntax (no backreferences or lookaround) "
                    "with two capture groups, the step and the value, e.g. "
                    "'epoch (\\d+).*loss: (\\S+)'",
                    compiled.error()));
  }
  if (compiled.NumberOfCapturingGroups() != 2) {
    return base::Status::invalid_argument(
        fmt::format("has {} capture groups; use exactly two, the step then the value, e.g. "
                    "'epoch (\\d+).*loss: (\\S+)' (write other groups as (?:...))",
                    compiled.NumberOfCapturingGroups()));
  }
  return base::Status::ok();
}

}  // namespace qtune::exec
