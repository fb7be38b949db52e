// The two pixel-level columns of the fMRI evaluation table (MindEye's
// src/Reconstruction_Metrics.py, brain-diffuser's evaluate_reconstruction.py), on images
// paired by position. Each image is first resized as torchvision 0.14's tensor
// Resize(425) does (resize.h: the shorter side to 425, bilinear on the [0, 1] values,
// align_corners=False, no antialias); a pair must then have the same size.
//
//   pixcorr       mean over pairs of the Pearson r of the flattened RGB [0, 1] values
//                 (np.corrcoef in float64). A constant image has no correlation: refused,
//                 naming the pair (numpy would silently give nan).
//   ssim_mindeye  mean over pairs of the published SSIM call:
//                   ssim(rgb2gray(rec), rgb2gray(stim), multichannel=True,
//                        gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
//                        data_range=1.0)
//                 on 2-D grey images (rgb2gray: 0.2125 R + 0.7154 G + 0.0721 B).
//                 multichannel=True (scikit-image 0.19: channel_axis=-1) makes the LAST axis
//                 of that 2-D array the channel axis: every pixel column is a separate
//                 "channel", SSIM is computed on each column as a 1-D signal (an 11-tap
//                 Gaussian along the vertical axis only, 'reflect' ends, 5 samples cropped
//                 at the top and bottom) and averaged over the columns. This is what the
//                 published numbers are; it is not the 2-D SSIM of `ssim`
//                 (paired_metrics.h: 2-D Gaussian window per RGB channel at native size,
//                 data range 255). Computed in float64 (scikit-image 0.19 computes float32
//                 input in float32: they agree to about 1e-6).
//
// Errors (kInvalidArgument): no images, different counts, a pair whose resized sizes
// differ, a constant image (pixcorr). Reentrant.
#pragma once

#include <cstddef>
#include <span>

#include "qtune/base/result.h"
#include "qtune/metrics/image.h"

namespace qtune::metrics {

// The side torchvision's Resize(int) gives the shorter side in the published table.
inline constexpr std::size_t kEvaluationPixelSide = 425;

base::Result<double> pixcorr(std::span<const Image> stimuli,
                             std::span<const Image> reconstructions);

base::Result<double> ssim_mindeye(std::span<const Image> stimuli,
                                  std::span<const Image> reconstructions);

}  // namespace qtune::metrics
