#include "metrics/nn/table_graphs.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <string>
#include <utility>

namespace qtune::metrics::nn {
namespace {

// A chain of nodes through temporaries; the last one writes the stage output.
Stage chain(std::string name, const std::vector<std::variant<Conv, Pool>>& ops,
            std::int64_t out_channels) {
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

base::Result<const Tensor*> table_tensor(const StateDict& dict, const std::string& key,
                                         const std::vector<std::int64_t>& shape,
                                         std::string_view network) {
  auto it = dict.find(key);
  if (it == dict.end()) {
    return base::Status::invalid_argument(
        fmt::format("state dict: tensor \"{}\" is missing; expected shape [{}] ({}); is this "
                    "the {} weights file?",
                    key, fmt::join(shape, ", "), network, network));
  }
  if (it->second.shape != shape) {
    return base::Status::invalid_argument(
        fmt::format("state dict: tensor \"{}\" has shape [{}]; expected [{}] ({})", key,
                    fmt::join(it->second.shape, ", "), fmt::join(shape, ", "), network));
  }
  return &it->second;
}

}  // namespace

const std::vector<Stage>& alexnet_stages() {
  static const std::vector<Stage> stages = build_alexnet();
  return stages;
}

base::Result<std::vector<FoldedConv>> alexnet_convs(const StateDict& dict) {
  constexpr std::string_view kNetwork = "torchvision alexnet";
  std::vector<FoldedConv> convs;
  for (const Stage& stage : alexnet_stages()) {
    for (const Node& node : stage.nodes) {
      const Conv* c = std::get_if<Conv>(&node.op);
      if (c == nullptr) continue;
      QTUNE_ASSIGN_OR_RETURN(
          const Tensor* w,
          table_tensor(dict, c->name + ".weight",
                       {c->out_channels, c->in_channels, c->kernel_h, c->kernel_w}, kNetwork));
      QTUNE_ASSIGN_OR_RETURN(const Tensor* b,
                             table_tensor(dict, c->name + ".bias", {c->out_channels}, kNetwork));
      convs.push_back(FoldedConv{w->data, b->data});
    }
  }
  return convs;
}

base::Result<std::vector<FoldedConv>> torchvision_inception_convs(const StateDict& dict) {
  constexpr std::string_view kNetwork = "torchvision inception_v3";
  QTUNE_RETURN_IF_ERROR(
      table_tensor(dict, "Conv2d_1a_3x3.conv.weight", {32, 3, 3, 3}, kNetwork).status());
  QTUNE_RETURN_IF_ERROR(table_tensor(dict, "fc.weight", {1000, 2048}, kNetwork).status());
  return fold_all_convs(dict, torchvision_inception_stages());
}

}  // namespace qtune::metrics::nn
