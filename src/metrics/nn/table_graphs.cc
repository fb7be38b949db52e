#include "metrics/nn/table_graphs.h"

#include <string>
#include <utility>

#include "metrics/nn/table_weights.h"

namespace qtune::metrics::nn {
namespace {

// A chain of nodes through temporaries; the last one writes the stage output.
Stage chain(std::string name, const std::vector<Op>& ops, std::int64_t out_channels) {
  Stage stage;
  stage.name = std::move(name);
  stage.out_channels = out_channels;
  int src = kStageInput;
  for (std::size_t k = 0; k < ops.size(); ++k) {
    const int dst = k + 1 == ops.size() ? kStageOutput : stage.buffer_count++;
    stage.nodes.push_back(Node{ops[k], src, dst, 0});
    src = dst;
  }
  return stage;
}

std::vector<Stage> build_alexnet() {
  const Pool max_pool{PoolKind::kMax, 3, 2, 0};
  return {chain("features.4",
                {Conv{"features.0", 3, 64, 11, 11, 4, 2, 2}, max_pool,
                 Conv{"features.3", 64, 192, 5, 5, 1, 2, 2}},
                192),
          chain("features.11",
                {max_pool, Conv{"features.6", 192, 384, 3, 3, 1, 1, 1},
                 Conv{"features.8", 384, 256, 3, 3, 1, 1, 1},
                 Conv{"features.10", 256, 256, 3, 3, 1, 1, 1}},
                256)};
}

}  // namespace

const std::vector<Stage>& alexnet_stages() {
  static const std::vector<Stage> stages = build_alexnet();
  return stages;
}

base::Result<std::vector<FoldedConv>> alexnet_convs(const StateDict& dict) {
  return TableWeights(dict, "", "torchvision alexnet")
      .convs(alexnet_stages(), ConvNorm::kOwnBias, 0.0);
}

base::Result<std::vector<FoldedConv>> torchvision_inception_convs(const StateDict& dict) {
  const TableWeights weights(dict, "", "torchvision inception_v3");
  QTUNE_RETURN_IF_ERROR(weights.tensor("Conv2d_1a_3x3.conv.weight", {32, 3, 3, 3}).status());
  QTUNE_RETURN_IF_ERROR(weights.tensor("fc.weight", {1000, 2048}).status());
  return fold_all_convs(dict, torchvision_inception_stages());
}

}  // namespace qtune::metrics::nn
