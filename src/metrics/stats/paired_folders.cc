#include <fmt/format.h>

#include <utility>

#include "qtune/metrics/image.h"
#include "qtune/metrics/paired_metrics.h"

namespace qtune::metrics {

base::Result<PairedReport> score_folders(const std::filesystem::path& a,
                                         const std::filesystem::path& b) {
  QTUNE_ASSIGN_OR_RETURN(const auto files_a, list_image_files(a));
  QTUNE_ASSIGN_OR_RETURN(const auto files_b, list_image_files(b));
  if (files_a.size() != files_b.size()) {
    return base::Status::invalid_argument(fmt::format(
        "{} and {}: {} and {} images; paired metrics need one reconstruction per stimulus",
        a.string(), b.string(), files_a.size(), files_b.size()));
  }
  PairedReport report;
  report.mean.name = "mean";
  for (std::size_t i = 0; i < files_a.size(); ++i) {
    QTUNE_ASSIGN_OR_RETURN(const Image image_a, read_image(files_a[i]));
    QTUNE_ASSIGN_OR_RETURN(const Image image_b, read_image(files_b[i]));
    QTUNE_ASSIGN_OR_RETURN(
        PairScores scores,
        score_pair(image_a, image_b, files_a[i].string() + " ~ " + files_b[i].string()));
    report.mean.mse += scores.mse;
    report.mean.psnr += scores.psnr;
    report.mean.ssim += scores.ssim;
    report.mean.pcc += scores.pcc;
    report.pairs.push_back(std::move(scores));
  }
  const double n = static_cast<double>(report.pairs.size());
  report.mean.mse /= n;
  report.mean.psnr /= n;
  report.mean.ssim /= n;
  report.mean.pcc /= n;
  return report;
}

}  // namespace qtune::metrics
