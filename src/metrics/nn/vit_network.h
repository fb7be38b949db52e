// CLIP's VisionTransformer (the image tower of OpenAI's CLIP, model.py) on oneDNN 2.x, for the
// evaluation table's clip2way: encode_image(x) = ln_post(x[:, 0, :]) @ proj after
//   patches (conv1: patch x patch, stride patch, no bias)  -> [grid^2, width] tokens
//   x = [class_embedding; patches] + positional_embedding; ln_pre
//   per block: x += out_proj(attention(ln_1(x)));  x += c_proj(QuickGELU(c_fc(ln_2(x))))
// with multi-head self-attention as torch's nn.MultiheadAttention computes it (one fused
// in_proj of 3 width rows, softmax(q k^T / sqrt(head_dim)) v per head, out_proj) and
// QuickGELU x * sigmoid(1.702 x) (oneDNN's swish with alpha 1.702). Layer norms with eps 1e-5.
//
// Activations are token matrices (rows = image x token, row-major), so every step is one
// oneDNN call over the whole batch: matmuls (bias, the residual sum and QuickGELU as
// post-ops), layer_normalization, softmax over all heads' score rows, and two reorders
// that move q, k, v into head-major order and the heads' outputs back. Only the patch
// gathering (a copy: the conv's windows do not overlap) and the token assembly (class token
// and positional embedding) are plain loops. Weights stay in torch's [out, in] order, read
// by the matmuls as transposed matrices; nothing is copied or prepacked.
//
// Not thread-safe (owns its activation buffers).
#pragma once

#include <cstddef>
#include <dnnl.hpp>
#include <map>
#include <memory>
#include <span>

#include "metrics/nn/clip_vit_weights.h"
#include "metrics/nn/network.h"
#include "qtune/base/result.h"

namespace qtune::metrics::nn {

class VitNetwork final : public Network {
 public:
  static base::Result<std::unique_ptr<VitNetwork>> create(VitWeights weights);

  const VitConfig& config() const { return weights_.config; }

  // `input`: count x 3 x 224 x 224 (NCHW, normalised); `stage_count` must be 1 (the tower
  // is one stage: the image embedding); writes count x output_dim.
  base::Status forward(std::span<const float> input, std::size_t count, std::size_t stage_count,
                       std::span<float> features) override;
  void set_threads(int threads) override;
  ~VitNetwork() override;

 private:
  struct Plan;  // primitives and buffers for one batch size (defined in the .cc)

  explicit VitNetwork(VitWeights weights);
  Plan& plan_for(std::size_t count);

  VitWeights weights_;
  dnnl::engine engine_;
  dnnl::stream stream_;
  std::map<std::size_t, std::unique_ptr<Plan>> plans_;  // by batch size
};

}  // namespace qtune::metrics::nn
