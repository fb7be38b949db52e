// Network: one way of computing the FID Inception stages (fid_graph.h) on a batch of
// prepared inputs. The oneDNN and reference backends implement it; InceptionFid drives it.
#pragma once

#include <cstddef>
#include <span>

#include "qtune/base/status.h"

namespace qtune::metrics::nn {

class Network {
 public:
  virtual ~Network() = default;

  // Runs the first `stage_count` stages on `count` images given as 3 x size x size float
  // planes each (`input`, NCHW), and writes each image's last activation averaged over
  // space to `features` (count x channels, row-major).
  virtual base::Status forward(std::span<const float> input, std::size_t count,
                               std::size_t stage_count, std::span<float> features) = 0;

  // Sets the thread count of the library the backend computes with.
  virtual void set_threads(int threads) = 0;
};

}  // namespace qtune::metrics::nn
