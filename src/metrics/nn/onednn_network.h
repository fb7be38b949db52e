// The fast FID Inception backend on oneDNN 2.x (CPU, OpenMP runtime).
//
// Layout: every activation is nChw16c (oneDNN's native blocked layout) except the network
// input (plain NCHW, which oneDNN's first-layer kernel reads directly). All channel counts of
// the FID Inception are multiples of 16, so in nChw16c the channel slice of one image is a
// dense nChw16c tensor of its own: each branch writes straight into its slice of the
// concatenated output. That only holds per image, so the concatenating stages (Mixed_*) run
// image by image, while the stem runs on the whole batch (its early layers are the most
// batch-sensitive). Weights are reordered once into the layout each primitive asks for
// (format "any"; a fixed weight layout makes oneDNN fall back to its reference kernels).
// Memory: activations live in one arena laid out by buffer lifetimes (arena_layout.h), shared
// by the plans of every batch size, and the folded OIHW weights are freed once prepacked.
#pragma once

#include <cstddef>
#include <dnnl.hpp>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "metrics/nn/folded_conv.h"
#include "metrics/nn/network.h"
#include "qtune/base/result.h"

namespace qtune::metrics::nn {

class OneDnnNetwork final : public Network {
 public:
  static base::Result<std::unique_ptr<OneDnnNetwork>> create(std::vector<FoldedConv> convs,
                                                             std::size_t input_size);

  base::Status forward(std::span<const float> input, std::size_t count, std::size_t stage_count,
                       std::span<float> features) override;
  void set_threads(int threads) override;
  ~OneDnnNetwork() override;

 private:
  struct Plan;        // primitives and buffers for one batch size (defined in the .cc)
  class PlanBuilder;  // builds a Plan (defined in the .cc)

  OneDnnNetwork(std::vector<FoldedConv> convs, std::size_t input_size);
  Plan& plan_for(std::size_t count);
  // conv's weights in the layout `desc`, reordered once per layout asked.
  dnnl::memory prepacked_weights(std::size_t conv, const dnnl::memory::desc& desc);
  // The activation arena, grown to at least `bytes`; every plan shares it (they run one at a time).
  float* arena_for(std::size_t bytes);

  dnnl::engine engine_;
  dnnl::stream stream_;
  std::size_t input_size_;
  std::vector<FoldedConv> convs_;  // OIHW weights are freed once prepacked; biases stay
  std::vector<dnnl::memory> biases_;
  std::vector<std::vector<dnnl::memory>> weights_;      // per conv: one memory per layout asked
  std::map<std::size_t, std::unique_ptr<Plan>> plans_;  // by batch size
  dnnl::memory arena_;
};

}  // namespace qtune::metrics::nn
