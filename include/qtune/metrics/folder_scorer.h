// FolderScorer: the built-in metric source of a study. Each trial writes a folder of
// generated images; the scorer compares it with the study's reference folder (or .npz).
//
// The reference side is computed once per (path, dims) and kept in memory for the life of
// the scorer (one study), and through the StatsCache across studies when a cache folder is
// given; only the generated folder is computed per trial. FID uses the exact low-rank form
// (the user's 10 images: microseconds); KID is seeded; the paired metrics are the means
// over pairs (paired_metrics.h). The weights are loaded on the first fid/kid call.
//
// Thread-safe: a mutex serialises score() calls (the network owns scratch buffers), so
// executors may call it from several trial threads. Errors are those of FidPipeline,
// kernel_inception_distance and score_folders, each naming the path.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "qtune/base/result.h"
#include "qtune/metrics/evaluation_table.h"
#include "qtune/metrics/feature_stats.h"
#include "qtune/metrics/fid_pipeline.h"

namespace qtune::metrics {

enum class FolderMetric { kFid, kKid, kMse, kPsnr, kSsim, kPcc };

struct FolderScorerOptions {
  std::filesystem::path weights{};                   // empty: default_weights_path()
  int threads = 0;                                   // 0: all cores
  std::optional<std::filesystem::path> cache_dir{};  // nullopt: memory only
  KidOptions kid{};                                  // subsets, subset size, seed
};

class FolderScorer {
 public:
  explicit FolderScorer(FolderScorerOptions options) : options_(std::move(options)) {}

  // `dims` matters for fid and kid only (64, 192, 768 or 2048).
  base::Result<double> score(FolderMetric metric, const std::filesystem::path& reference,
                             const std::filesystem::path& generated, std::size_t dims);

  // An evaluation-table metric (evaluation_table.h; 2-way metrics: the score, without its
  // p-value). The networks are loaded once per weights_for and kept.
  base::Result<double> score_table(TableMetric metric, const std::filesystem::path& reference,
                                   const std::filesystem::path& generated,
                                   const std::map<std::string, std::filesystem::path>& weights_for);

 private:
  base::Result<FidPipeline*> pipeline(std::size_t dims);
  base::Result<const FidSide*> reference_side(const std::filesystem::path& reference,
                                              std::size_t dims);

  FolderScorerOptions options_;
  std::mutex mutex_;  // guards everything below and the pipelines' networks
  std::map<std::size_t, std::unique_ptr<FidPipeline>> pipelines_;  // by dims
  std::map<std::pair<std::filesystem::path, std::size_t>, FidSide> references_;
  std::map<std::map<std::string, std::filesystem::path>, EvaluationTable> tables_;
};

}  // namespace qtune::metrics
