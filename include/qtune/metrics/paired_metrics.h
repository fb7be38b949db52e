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
// Errors (kInvalidArgument): images of different sizes (naming the pair), images smaller
// than the 11 x 11 SSIM window, folders with different numbers of images. Image I/O
// errors are passed up. Reentrant.
#pragma once

#include <filesystem>
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
  double ssim = 0.0;
  double pcc = 0.0;
};

// `name` identifies the pair in error messages and in the result.
base::Result<PairScores> score_pair(const Image& a, const Image& b, std::string name);

// ssim alone (the costly one), with the same checks as score_pair.
base::Result<double> structural_similarity(const Image& a, const Image& b, std::string_view name);

struct PairedReport {
  std::vector<PairScores> pairs;
  PairScores mean;  // per-metric mean over the pairs (psnr: mean of the per-pair dB values)
};

// Loads both folders and scores image i of `a` against image i of `b`.
base::Result<PairedReport> score_folders(const std::filesystem::path& a,
                                         const std::filesystem::path& b);

}  // namespace qtune::metrics
