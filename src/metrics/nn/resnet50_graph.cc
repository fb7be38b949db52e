// torchvision's resnet50 as stages (table_graphs.h): the stem, then one stage per Bottleneck.
#include <fmt/format.h>

#include <array>
#include <string>

#include "metrics/nn/table_graphs.h"
#include "metrics/nn/table_weights.h"

namespace qtune::metrics::nn {
namespace {

constexpr double kResnetBatchNormEps = 1e-5;  // nn.BatchNorm2d's default

// Bottleneck (torchvision v1.5: the stride on the 3x3): out = relu(bn3(conv3(...)) + identity),
// identity = downsample(x) (conv 1x1 + BatchNorm, no ReLU) in a layer's first block, else x.
Stage bottleneck(const std::string& name, std::int64_t in, std::int64_t width, std::int64_t stride,
                 bool downsample) {
  const std::int64_t out = width * 4;
  Stage s;
  s.name = name;
  s.out_channels = out;
  if (downsample) {
    Conv identity{name + ".downsample.0", in, out, 1, 1, stride, 0, 0};
    identity.activation = ConvActivation::kNone;
    s.nodes.push_back(Node{identity, kStageInput, kStageOutput, 0});
  } else {
    s.nodes.push_back(Node{Copy{}, kStageInput, kStageOutput, 0});
  }
  const int reduced = s.buffer_count++;
  const int spatial = s.buffer_count++;
  s.nodes.push_back(Node{Conv{name + ".conv1", in, width, 1, 1, 1, 0, 0}, kStageInput, reduced, 0});
  s.nodes.push_back(
      Node{Conv{name + ".conv2", width, width, 3, 3, stride, 1, 1}, reduced, spatial, 0});
  Conv expand{name + ".conv3", width, out, 1, 1, 1, 0, 0};
  expand.accumulate = true;
  s.nodes.push_back(Node{expand, spatial, kStageOutput, 0});
  return s;
}

std::vector<Stage> build_resnet50() {
  std::vector<Stage> stages;
  Stage stem;
  stem.name = "maxpool";
  stem.out_channels = 64;
  const int conv1 = stem.buffer_count++;
  stem.nodes.push_back(Node{Conv{"conv1", 3, 64, 7, 7, 2, 3, 3}, kStageInput, conv1, 0});
  stem.nodes.push_back(Node{Pool{PoolKind::kMax, 3, 2, 1}, conv1, kStageOutput, 0});
  stages.push_back(stem);
  constexpr std::array<std::int64_t, 4> kWidths{64, 128, 256, 512};
  constexpr std::array<int, 4> kBlocks{3, 4, 6, 3};
  std::int64_t in = 64;
  for (std::size_t layer = 0; layer < kWidths.size(); ++layer) {
    for (int block = 0; block < kBlocks[layer]; ++block) {
      const std::int64_t stride = block == 0 && layer > 0 ? 2 : 1;
      stages.push_back(bottleneck(fmt::format("layer{}.{}", layer + 1, block), in, kWidths[layer],
                                  stride, block == 0));
      in = kWidths[layer] * 4;
    }
  }
  return stages;
}

}  // namespace

const std::vector<Stage>& resnet50_stages() {
  static const std::vector<Stage> stages = build_resnet50();
  return stages;
}

base::Result<std::vector<FoldedConv>> resnet50_convs(const StateDict& dict) {
  // SwAV's checkpoint is its DataParallel model's state dict: every key starts "module."
  // (torch.hub's facebookresearch/swav strips it); it has no fc.
  const std::string prefix = dict.count("module.conv1.weight") != 0 ? "module." : "";
  const TableWeights weights(dict, prefix, "ResNet-50: torchvision's resnet50 or SwAV's");
  QTUNE_ASSIGN_OR_RETURN(
      std::vector<FoldedConv> convs,
      weights.convs(resnet50_stages(), ConvNorm::kBatchNorm, kResnetBatchNormEps));
  // ResNet-101 and -152 share every tensor above; they have more blocks in layer3.
  QTUNE_RETURN_IF_ERROR(weights.expect_absent("layer3.6.conv1.weight", "a deeper ResNet"));
  return convs;
}

}  // namespace qtune::metrics::nn
