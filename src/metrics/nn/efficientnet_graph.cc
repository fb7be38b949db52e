// torchvision's efficientnet_b1 as stages (table_graphs.h): the stem, one stage per MBConv
// block, and the last 1x1 conv (features.8).
#include <fmt/format.h>

#include <array>
#include <cmath>
#include <string>

#include "metrics/nn/table_graphs.h"
#include "metrics/nn/table_weights.h"

namespace qtune::metrics::nn {
namespace {

constexpr double kEfficientnetBatchNormEps = 1e-5;  // B0-B7 use nn.BatchNorm2d's default

// torchvision's _efficientnet_conf: expand ratio, kernel, stride, in, out, layers (B0's;
// B1 multiplies the layers by depth_mult 1.1, rounded up; width_mult 1.0 keeps the channels).
struct MbConvConfig {
  std::int64_t expand, kernel, stride, in, out, layers;
};
constexpr std::array<MbConvConfig, 7> kB0{{{1, 3, 1, 32, 16, 1},
                                           {6, 3, 2, 16, 24, 2},
                                           {6, 5, 2, 24, 40, 2},
                                           {6, 3, 2, 40, 80, 3},
                                           {6, 5, 1, 80, 112, 3},
                                           {6, 5, 2, 112, 192, 4},
                                           {6, 3, 1, 192, 320, 1}}};
constexpr double kB1DepthMult = 1.1;

Conv activated(std::string name, std::int64_t in, std::int64_t out, std::int64_t kernel,
               std::int64_t stride, ConvActivation activation) {
  const std::int64_t pad = (kernel - 1) / 2;
  Conv c{std::move(name), in, out, kernel, kernel, stride, pad, pad};
  c.activation = activation;
  return c;
}

// MBConv: [expand 1x1, SiLU] -> depthwise kxk, SiLU -> squeeze-excitation (global average,
// fc1 1x1 SiLU, fc2 1x1 sigmoid, scale) -> project 1x1; plus the input when stride 1 and
// in == out (stochastic depth is the identity in eval mode).
Stage mbconv(const std::string& name, const MbConvConfig& cfg, std::int64_t in,
             std::int64_t stride) {
  const std::int64_t expanded = in * cfg.expand;  // _make_divisible(in * ratio, 8): a multiple of 8
  const std::int64_t squeeze = std::max<std::int64_t>(1, in / 4);
  const bool residual = stride == 1 && in == cfg.out;
  Stage s;
  s.name = name;
  s.out_channels = cfg.out;
  if (residual) s.nodes.push_back(Node{Copy{}, kStageInput, kStageOutput, 0});
  int src = kStageInput;
  int layer = 0;
  auto add = [&s](Op op, int from) {
    const int to = s.buffer_count++;
    s.nodes.push_back(Node{std::move(op), from, to, 0});
    return to;
  };
  const std::string block = name + ".block.";
  if (expanded != in) {
    src = add(
        activated(fmt::format("{}{}.0", block, layer++), in, expanded, 1, 1, ConvActivation::kSilu),
        src);
  }
  Conv depthwise = activated(fmt::format("{}{}.0", block, layer++), expanded, expanded, cfg.kernel,
                             stride, ConvActivation::kSilu);
  depthwise.groups = expanded;
  const int spatial = add(depthwise, src);
  const int pooled = add(Pool{PoolKind::kGlobalAverage, 0, 1, 0}, spatial);
  const std::string se = fmt::format("{}{}.", block, layer++);
  const int squeezed =
      add(activated(se + "fc1", expanded, squeeze, 1, 1, ConvActivation::kSilu), pooled);
  const int gate =
      add(activated(se + "fc2", squeeze, expanded, 1, 1, ConvActivation::kSigmoid), squeezed);
  const int scaled = add(ChannelScale{gate}, spatial);
  Conv project = activated(fmt::format("{}{}.0", block, layer), expanded, cfg.out, 1, 1,
                           ConvActivation::kNone);
  project.accumulate = residual;
  s.nodes.push_back(Node{project, scaled, kStageOutput, 0});
  return s;
}

Stage single_conv(const Conv& conv) {
  Stage s;
  s.name = conv.name.substr(0, conv.name.rfind('.'));
  s.out_channels = conv.out_channels;
  s.nodes.push_back(Node{conv, kStageInput, kStageOutput, 0});
  return s;
}

std::vector<Stage> build_efficientnet_b1() {
  std::vector<Stage> stages;
  stages.push_back(single_conv(activated("features.0.0", 3, 32, 3, 2, ConvActivation::kSilu)));
  for (std::size_t k = 0; k < kB0.size(); ++k) {
    const MbConvConfig& cfg = kB0[k];
    const auto layers =
        static_cast<std::int64_t>(std::ceil(static_cast<double>(cfg.layers) * kB1DepthMult));
    for (std::int64_t b = 0; b < layers; ++b) {
      stages.push_back(mbconv(fmt::format("features.{}.{}", k + 1, b), cfg,
                              b == 0 ? cfg.in : cfg.out, b == 0 ? cfg.stride : 1));
    }
  }
  stages.push_back(single_conv(activated("features.8.0", 320, 1280, 1, 1, ConvActivation::kSilu)));
  return stages;
}

}  // namespace

const std::vector<Stage>& efficientnet_b1_stages() {
  static const std::vector<Stage> stages = build_efficientnet_b1();
  return stages;
}

base::Result<std::vector<FoldedConv>> efficientnet_b1_convs(const StateDict& dict) {
  const TableWeights weights(dict, "", "torchvision efficientnet_b1");
  return weights.convs(efficientnet_b1_stages(), ConvNorm::kBatchNorm, kEfficientnetBatchNormEps);
}

}  // namespace qtune::metrics::nn
