// Paired reconstruction metrics: each reconstruction compared with its stimulus, pixel by
// pixel, as scikit-image and numpy compute them on the RGB arrays (8-bit values, data
// range 255):
//   mse   mean((a - b)^2) over every value     skimage.metrics.mean_squared_error
//   psnr  10 log10(255^2 / mse); +inf if equal  skimage.metrics.peak_signal_noise_ratio
//   ssim  structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
//         data_range=255, channel_axis=2): an 11-tap Gaussian window with 'reflect' edges,
//         the 5-pixel border cropped, averaged over the three channels (a grey image, which
//         is replicated to RGB on loading, gives its grey-image value)
//   pcc   Pearson correlation of all values, np.corrcoef(a.ravel(), b.ravel())[0, 1];
//         NaN when either image is constant (the correlation is undefined)
// Folders are paired by position in pytorch-fid's sorted file order (list_image_files).
//
// Only what is asked is computed: SSIM (the costly one, and the only one that needs 11 x 11
// pixels) is skipped with PairedSsim::kSkip, its field then NaN; mse, psnr and pcc take any size.
//
// Errors (kInvalidArgument): images of different sizes (naming the pair), images smaller
// than the 11 x 11 SSIM window when SSIM is computed, folders with different numbers of
// images. Image I/O errors are passed up. Reentrant.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/base/result.h"
#include "qtune/metrics/image.h"

namespace qtune::metrics {

struct PairScores {
  std::string name;  // "stim/a.png ~ rec/a.png", or "mean" for the folder average
  double mse = 0.0;
  double psnr = 0.0;
  double ssim = 0.0;  // NaN when skipped (PairedSsim::kSkip)
  double pcc = 0.0;
};

enum class PairedSsim { kCompute, kSkip };

// `name` identifies the pair in error messages and in the result.
base::Result<PairScores> score_pair(const Image& a, const Image& b, std::string name,
                                    PairedSsim ssim = PairedSsim::kCompute);

// ssim alone (the costly one), with the same checks as score_pair.
base::Result<double> structural_similarity(const Image& a, const Image& b, std::string_view name);

struct PairedReport {
  std::vector<PairScores> pairs;
  PairScores mean;  // per-metric mean over the pairs (psnr: mean of the per-pair dB values)
};

// Loads both folders and scores image i of `a` against image i of `b`.
base::Result<PairedReport> score_folders(const std::filesystem::path& a,
                                         const std::filesystem::path& b,
                                         PairedSsim ssim = PairedSsim::kCompute);

// The same for images in memory; pair i is named "<name_a>[i] ~ <name_b>[i]".
base::Result<PairedReport> score_images(std::span<const Image> a, std::span<const Image> b,
                                        std::string_view name_a, std::string_view name_b,
                                        PairedSsim ssim = PairedSsim::kCompute);

}  // namespace qtune::metrics
