#include "qtune/metrics/folder_scorer.h"

#include "qtune/metrics/paired_metrics.h"

namespace qtune::metrics {

base::Result<FidPipeline*> FolderScorer::pipeline(std::size_t dims) {
  auto& slot = pipelines_[dims];
  if (!slot) {
    FidOptions options{.dims = dims,
                       .batch_size = 50,
                       .weights = options_.weights,
                       .threads = options_.threads,
                       .cache_dir = options_.cache_dir};
    auto created = FidPipeline::create(options);
    if (!created.is_ok()) {
      pipelines_.erase(dims);
      return created.status();
    }
    slot = std::make_unique<FidPipeline>(std::move(created).value());
  }
  return slot.get();
}

base::Result<const FidSide*> FolderScorer::reference_side(const std::filesystem::path& reference,
                                                          std::size_t dims) {
  const auto key = std::make_pair(reference, dims);
  if (auto it = references_.find(key); it != references_.end()) return &it->second;
  QTUNE_ASSIGN_OR_RETURN(FidPipeline * p, pipeline(dims));
  QTUNE_ASSIGN_OR_RETURN(FidSide side, p->side(reference));
  return &references_.emplace(key, std::move(side)).first->second;
}

base::Result<double> FolderScorer::score(FolderMetric metric,
                                         const std::filesystem::path& reference,
                                         const std::filesystem::path& generated, std::size_t dims) {
  std::lock_guard<std::mutex> lock(mutex_);
  switch (metric) {
    case FolderMetric::kFid: {
      QTUNE_ASSIGN_OR_RETURN(const FidSide* ref, reference_side(reference, dims));
      QTUNE_ASSIGN_OR_RETURN(FidPipeline * p, pipeline(dims));
      QTUNE_ASSIGN_OR_RETURN(const FidSide gen, p->side(generated, Caching::kSkip));
      return fid(*ref, gen);
    }
    case FolderMetric::kKid: {
      QTUNE_ASSIGN_OR_RETURN(FidPipeline * p, pipeline(dims));
      QTUNE_ASSIGN_OR_RETURN(const Features a, p->features(reference));
      QTUNE_ASSIGN_OR_RETURN(const Features b, p->features(generated, Caching::kSkip));
      QTUNE_ASSIGN_OR_RETURN(const KidResult kid, kernel_inception_distance(a, b, options_.kid));
      return kid.mean;
    }
    default:
      break;
  }
  QTUNE_ASSIGN_OR_RETURN(
      const PairedReport report,
      score_folders(reference, generated,
                    metric == FolderMetric::kSsim ? PairedSsim::kCompute : PairedSsim::kSkip));
  switch (metric) {
    case FolderMetric::kMse:
      return report.mean.mse;
    case FolderMetric::kPsnr:
      return report.mean.psnr;
    case FolderMetric::kSsim:
      return report.mean.ssim;
    default:
      return report.mean.pcc;
  }
}

}  // namespace qtune::metrics
