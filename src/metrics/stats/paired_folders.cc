#include <fmt/format.h>

#include <utility>

#include "qtune/metrics/image.h"
#include "qtune/metrics/paired_metrics.h"

namespace qtune::metrics {
namespace {

base::Status check_counts(std::string_view a, std::string_view b, std::size_t count_a,
                          std::size_t count_b) {
  if (count_a == count_b) return base::Status::ok();
  return base::Status::invalid_argument(fmt::format(
      "{} and {}: {} and {} images; paired metrics need one reconstruction per stimulus", a, b,
      count_a, count_b));
}

void add(PairedReport& report, PairScores scores) {
  report.mean.mse += scores.mse;
  report.mean.psnr += scores.psnr;
  report.mean.ssim += scores.ssim;
  report.mean.pcc += scores.pcc;
  report.pairs.push_back(std::move(scores));
}

PairedReport finish(PairedReport report) {
  const double n = static_cast<double>(report.pairs.size());
  report.mean.mse /= n;
  report.mean.psnr /= n;
  report.mean.ssim /= n;
  report.mean.pcc /= n;
  return report;
}

}  // namespace

base::Result<PairedReport> score_folders(const std::filesystem::path& a,
                                         const std::filesystem::path& b, PairedSsim ssim) {
  QTUNE_ASSIGN_OR_RETURN(const auto files_a, list_image_files(a));
  QTUNE_ASSIGN_OR_RETURN(const auto files_b, list_image_files(b));
  QTUNE_RETURN_IF_ERROR(check_counts(a.string(), b.string(), files_a.size(), files_b.size()));
  PairedReport report;
  report.mean.name = "mean";
  for (std::size_t i = 0; i < files_a.size(); ++i) {
    QTUNE_ASSIGN_OR_RETURN(const Image image_a, read_image(files_a[i]));
    QTUNE_ASSIGN_OR_RETURN(const Image image_b, read_image(files_b[i]));
    QTUNE_ASSIGN_OR_RETURN(
        PairScores scores,
        score_pair(image_a, image_b, files_a[i].string() + " ~ " + files_b[i].string(), ssim));
    add(report, std::move(scores));
  }
  return finish(std::move(report));
}

base::Result<PairedReport> score_images(std::span<const Image> a, std::span<const Image> b,
                                        std::string_view name_a, std::string_view name_b,
                                        PairedSsim ssim) {
  QTUNE_RETURN_IF_ERROR(check_counts(name_a, name_b, a.size(), b.size()));
  if (a.empty()) {
    return base::Status::invalid_argument(
        fmt::format("{} and {}: no images; give at least one pair", name_a, name_b));
  }
  PairedReport report;
  report.mean.name = "mean";
  for (std::size_t i = 0; i < a.size(); ++i) {
    QTUNE_ASSIGN_OR_RETURN(
        PairScores scores,
        score_pair(a[i], b[i], fmt::format("{}[{}] ~ {}[{}]", name_a, i, name_b, i), ssim));
    add(report, std::move(scores));
  }
  return finish(std::move(report));
}

}  // namespace qtune::metrics
