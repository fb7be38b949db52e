// Collecting a finished trial's metric from its [trial] metric source: the last regex match
// on stdout, a key of a JSON file, or a built-in image metric that qtune computes.
// Nothing a trial writes can crash or stall qtune: regexes are RE2's (linear time, no
// recursion), stdout is read only in its last kStdoutTailBytes, a JSON metric file only up
// to kJsonMetricMaxBytes, and a message quotes at most a short excerpt of what was read
// (docs/config.md "What happens to a trial's output").
#pragma once

#include <re2/re2.h>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string_view>
#include <vector>

#include "qtune/base/result.h"
#include "qtune/exec/executor.h"
#include "qtune/exec/trial_config.h"

namespace qtune::exec {

// The regex metric searches the last this many bytes of stdout.log (a line cut by the
// boundary is skipped); the last match in them wins.
inline constexpr std::size_t kStdoutTailBytes = std::size_t{1} << 20;
// A JSON metric file larger than this is refused (kNoMetric) without being parsed.
inline constexpr std::size_t kJsonMetricMaxBytes = std::size_t{16} << 20;
// A line of stdout with more regex matches than this is refused (kNoMetric): each match
// searches the rest of the line again, so this bounds the work on one line.
inline constexpr std::size_t kMaxMatchesPerLine = 1000;

// Where a trial's files are, for metric collection.
struct TrialFiles {
  std::filesystem::path stdout_log;
  std::filesystem::path workdir;  // relative metric paths resolve against it
  TemplateValues values;          // for the templates in the metric source
};

// The metric value, or the reason there is none: kNoMetric (no match, missing file or key,
// not a number) or kNotFinite (NaN, inf), with a one-line message in TrialOutcome form.
// A combined metric reads every component (value 0; the study ranks them), or fails with the
// first component that fails, its name in the message.
struct MetricReading {
  FailureReason reason = FailureReason::kNone;
  double value = 0;
  std::string message;
  std::vector<MetricComponent> components{};
};

MetricReading read_metric(const MetricSource& source, const TrialFiles& files,
                          const BuiltinMetricFunction& builtin);

// How every regex over a trial's output is compiled: bytes, not UTF-8 (a trial may print
// anything, and \S matches any non-space byte), errors returned, never logged.
RE2::Options regex_options();

// OK when `pattern` is usable as [trial] metric.regex: RE2 compiles it and it has exactly one
// capture group; else kInvalidArgument "what is wrong; what would be right" (no location).
base::Status check_metric_regex(std::string_view pattern);

// Parses a metric's text: a finite number is kNone, "nan"/"inf" or a number beyond a
// double's range kNotFinite, else kNoMetric (quoting an excerpt of at most ~80 characters).
MetricReading parse_metric_text(std::string_view text);

}  // namespace qtune::exec
