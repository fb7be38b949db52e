// Collecting a finished trial's metric from its [trial] metric source: the last regex match
// on stdout, a key of a JSON file, or a built-in image metric that qtune computes.
#pragma once

#include <filesystem>
#include <functional>

#include "qtune/base/result.h"
#include "qtune/exec/trial_config.h"
#include "qtune/exec/trial_outcome.h"

namespace qtune::exec {

// Computes a built-in metric on two folders (already expanded and resolved against the
// workdir). The metrics module provides it (study::Runner plugs it into the executor), so exec
// needs no image code of its own. An error becomes a kNoMetric trial with its message.
using BuiltinMetricFunction = std::function<base::Result<double>(
    const BuiltinMetric& metric, const std::filesystem::path& reference,
    const std::filesystem::path& generated)>;

// Where a trial's files are, for metric collection.
struct TrialFiles {
  std::filesystem::path stdout_log;
  std::filesystem::path workdir;  // relative metric paths resolve against it
  TemplateValues values;          // for the templates in the metric source
};

// The metric value, or the reason there is none: kNoMetric (no match, missing file or key,
// not a number) or kNotFinite (NaN, inf), with a one-line message in TrialOutcome form.
struct MetricReading {
  FailureReason reason = FailureReason::kNone;
  double value = 0;
  std::string message;
};

MetricReading read_metric(const MetricSource& source, const TrialFiles& files,
                          const BuiltinMetricFunction& builtin);

// Parses a metric's text: a finite number is kNone, "nan"/"inf" kNotFinite, else kNoMetric.
MetricReading parse_metric_text(std::string_view text);

}  // namespace qtune::exec
