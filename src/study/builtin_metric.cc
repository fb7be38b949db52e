// default_builtin_metric(): [trial] metric = { builtin = "fid", ... } computed by the metrics
// engine (metrics::FolderScorer); exec reaches it only through this function.
#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "qtune/metrics/folder_scorer.h"
#include "qtune/study/runner.h"

namespace qtune::study {
namespace {

// The study file names the metric as exec knows it; the scorer names it as metrics does.
constexpr std::array<std::pair<exec::BuiltinMetricKind, metrics::FolderMetric>, 6> kScorerMetric{
    {{exec::BuiltinMetricKind::kFid, metrics::FolderMetric::kFid},
     {exec::BuiltinMetricKind::kKid, metrics::FolderMetric::kKid},
     {exec::BuiltinMetricKind::kMse, metrics::FolderMetric::kMse},
     {exec::BuiltinMetricKind::kPsnr, metrics::FolderMetric::kPsnr},
     {exec::BuiltinMetricKind::kSsim, metrics::FolderMetric::kSsim},
     {exec::BuiltinMetricKind::kCorrelation, metrics::FolderMetric::kPcc}}};

// The evaluation table's metrics, scored by FolderScorer::score_table.
constexpr std::array<std::pair<exec::BuiltinMetricKind, metrics::TableMetric>, 8> kTableMetric{
    {{exec::BuiltinMetricKind::kPixcorr, metrics::TableMetric::kPixcorr},
     {exec::BuiltinMetricKind::kSsimMindeye, metrics::TableMetric::kSsimMindeye},
     {exec::BuiltinMetricKind::kAlexnet2, metrics::TableMetric::kAlexnet2},
     {exec::BuiltinMetricKind::kAlexnet5, metrics::TableMetric::kAlexnet5},
     {exec::BuiltinMetricKind::kInception2way, metrics::TableMetric::kInception2way},
     {exec::BuiltinMetricKind::kClip2way, metrics::TableMetric::kClip2way},
     {exec::BuiltinMetricKind::kEffnet, metrics::TableMetric::kEffnet},
     {exec::BuiltinMetricKind::kSwav, metrics::TableMetric::kSwav}}};

std::optional<metrics::TableMetric> table_metric(exec::BuiltinMetricKind kind) {
  for (const auto& [builtin, table] : kTableMetric) {
    if (builtin == kind) return table;
  }
  return std::nullopt;
}

metrics::FolderMetric folder_metric(exec::BuiltinMetricKind kind) {
  for (const auto& [builtin, scorer] : kScorerMetric) {
    if (builtin == kind) return scorer;
  }
  QTUNE_CHECK(false);
  return metrics::FolderMetric::kFid;
}

}  // namespace

exec::BuiltinMetricFunction default_builtin_metric() {
  auto scorer = std::make_shared<metrics::FolderScorer>(metrics::FolderScorerOptions{});
  return [scorer](const exec::BuiltinMetric& metric, const std::filesystem::path& reference,
                  const std::filesystem::path& generated) {
    if (const std::optional<metrics::TableMetric> table = table_metric(metric.kind)) {
      const std::map<std::string, std::filesystem::path> weights_for(metric.weights_for.begin(),
                                                                     metric.weights_for.end());
      return scorer->score_table(*table, reference, generated, weights_for);
    }
    return scorer->score(folder_metric(metric.kind), reference, generated,
                         static_cast<std::size_t>(metric.dims));
  };
}

}  // namespace qtune::study
