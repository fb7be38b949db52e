// The plain FID Inception backend: NCHW, one image at a time, convolution as im2col +
// OpenBLAS sgemm, pooling and bias + ReLU as simple loops. Slow but obviously right; the
// tests hold the oneDNN backend to it.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "metrics/nn/folded_conv.h"
#include "metrics/nn/network.h"

namespace qtune::metrics::nn {

class ReferenceNetwork final : public Network {
 public:
  ReferenceNetwork(std::vector<FoldedConv> convs, std::size_t input_size);

  base::Status forward(std::span<const float> input, std::size_t count, std::size_t stage_count,
                       std::span<float> features) override;
  void set_threads(int threads) override;

 private:
  std::vector<FoldedConv> convs_;
  std::size_t input_size_;
};

}  // namespace qtune::metrics::nn
