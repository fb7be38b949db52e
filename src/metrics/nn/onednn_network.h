// The fast backend of the FID Inception and of the evaluation table's networks
// (table_graphs.h) on oneDNN 2.x (CPU, OpenMP runtime).
//
// Layout: every activation is nChw16c on AVX-512 machines, nChw8c on AVX2 ones (oneDNN's
// native blocked layout for the ISA) except the network input (plain NCHW, which oneDNN's
// first-layer kernel reads directly); a channel count that is not a multiple of the block
// (EfficientNet's squeeze-excitation, 4 to 48 channels) is zero-padded by oneDNN. All
// channel counts of the FID Inception are multiples of 16, so in either layout the channel
// slice of one image is a dense blocked tensor of its own: each branch writes straight into
// its slice of the concatenated output. That only holds per image, so the concatenating
// stages (Mixed_*) run image by image, while the other stages run on the whole batch (the
// early layers are the most batch-sensitive). Weights are reordered once into the layout
// each primitive asks for (format "any"; a fixed weight layout makes oneDNN fall back to its
// reference kernels). Memory: activations live in one arena laid out by buffer lifetimes
// (arena_layout.h), shared by the plans of every batch size, and the folded OIHW weights are
// freed once prepacked.
#pragma once

#include <cstddef>
#include <dnnl.hpp>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "metrics/nn/fid_graph.h"
#include "metrics/nn/folded_conv.h"
#include "metrics/nn/network.h"
#include "qtune/base/result.h"

namespace qtune::metrics::nn {

// What forward() writes of the last stage run.
enum class NetworkOutput {
  kSpatialMean,  // count x channels: the activation averaged over space (avgpool)
  kFullMap,      // count x (channels * height * width): the activation in NCHW order
};

class OneDnnNetwork final : public Network {
 public:
  // The FID Inception (fid_inception_stages()) on size x size inputs, spatial means.
  static base::Result<std::unique_ptr<OneDnnNetwork>> create(std::vector<FoldedConv> convs,
                                                             std::size_t input_size);
  // Any stage graph (fid_graph.h: convs with bias, groups, an activation and a residual sum
  // as oneDNN post-ops; pools; copies; channel scales as binary multiplies) on height x
  // width inputs; `convs` in the graph's execution order.
  static base::Result<std::unique_ptr<OneDnnNetwork>> create(const std::vector<Stage>& stages,
                                                             std::vector<FoldedConv> convs,
                                                             std::size_t height, std::size_t width,
                                                             NetworkOutput output);

  // Floats forward() writes per image after `stage_count` stages.
  std::size_t output_floats(std::size_t stage_count) const;

  base::Status forward(std::span<const float> input, std::size_t count, std::size_t stage_count,
                       std::span<float> features) override;
  void set_threads(int threads) override;
  ~OneDnnNetwork() override;

 private:
  struct Plan;        // primitives and buffers for one batch size (defined in the .cc)
  class PlanBuilder;  // builds a Plan (defined in the .cc)

  OneDnnNetwork(const std::vector<Stage>& stages, std::vector<FoldedConv> convs, std::size_t height,
                std::size_t width, NetworkOutput output);
  Plan& plan_for(std::size_t count);
  // conv's weights in the layout `desc`, reordered once per layout asked.
  dnnl::memory prepacked_weights(std::size_t conv, const dnnl::memory::desc& desc);
  // The activation arena, grown to at least `bytes`; every plan shares it (they run one at a time).
  float* arena_for(std::size_t bytes);

  dnnl::engine engine_;
  dnnl::stream stream_;
  const std::vector<Stage>& stages_;  // static graphs (fid_graph.h, table_graphs.h)
  std::size_t height_;
  std::size_t width_;
  NetworkOutput output_;
  dnnl::memory::format_tag blocked_;  // nChw16c (AVX-512) or nChw8c (AVX2)
  std::size_t block_;                 // its channel block: 16 or 8
  std::vector<FoldedConv> convs_;     // OIHW weights are freed once prepacked; biases stay
  std::vector<dnnl::memory> biases_;
  std::vector<std::vector<dnnl::memory>> weights_;      // per conv: one memory per layout asked
  std::map<std::size_t, std::unique_ptr<Plan>> plans_;  // by batch size
  dnnl::memory arena_;
};

}  // namespace qtune::metrics::nn
