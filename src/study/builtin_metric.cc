// default_builtin_metric(): [trial] metric = { builtin = "fid", ... } computed by the metrics
// engine (metrics::FolderScorer); exec reaches it only through this function.
#include <memory>

#include "qtune/metrics/folder_scorer.h"
#include "qtune/study/runner.h"

namespace qtune::study {
namespace {

// The study file names the metric as exec knows it; the scorer names it as metrics does.

metrics::FolderMetric folder_metric(exec::BuiltinMetricKind kind) {
  switch (kind) {
    case exec::BuiltinMetricKind::kFid:
      return metrics::FolderMetric::kFid;
    case exec::BuiltinMetricKind::kKid:
      return metrics::FolderMetric::kKid;
    case exec::BuiltinMetricKind::kMse:
      return metrics::FolderMetric::kMse;
    case exec::BuiltinMetricKind::kPsnr:
      return metrics::FolderMetric::kPsnr;
    case exec::BuiltinMetricKind::kSsim:
      return metrics::FolderMetric::kSsim;
    case exec::BuiltinMetricKind::kCorrelation:
      return metrics::FolderMetric::kPcc;
  }
  return metrics::FolderMetric::kFid;
}

}  // namespace

exec::BuiltinMetricFunction default_builtin_metric() {
  auto scorer = std::make_shared<metrics::FolderScorer>(metrics::FolderScorerOptions{});
  return [scorer](const exec::BuiltinMetric& metric, const std::filesystem::path& reference,
                  const std::filesystem::path& generated) {
    return scorer->score(folder_metric(metric.kind), reference, generated,
                         static_cast<std::size_t>(metric.dims));
  };
}

}  // namespace qtune::study
