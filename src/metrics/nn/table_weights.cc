#include "metrics/nn/table_weights.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <cstddef>
#include <utility>

namespace qtune::metrics::nn {

std::string batch_norm_of(const std::string& name) {
  const std::size_t dot = name.rfind('.');
  const std::string head = dot == std::string::npos ? "" : name.substr(0, dot + 1);
  const std::string last = dot == std::string::npos ? name : name.substr(dot + 1);
  if (last == "0") return head + "1";
  if (last.size() == 5 && last.compare(0, 4, "conv") == 0) return head + "bn" + last.substr(4);
  return "";
}

TableWeights::TableWeights(const StateDict& dict, std::string prefix, std::string_view network)
    : dict_(dict), prefix_(std::move(prefix)), network_(network) {}

base::Result<const Tensor*> TableWeights::tensor(const std::string& key,
                                                 const std::vector<std::int64_t>& shape) const {
  const std::string full = prefix_ + key;
  auto it = dict_.find(full);
  if (it == dict_.end()) {
    return base::Status::invalid_argument(
        fmt::format("state dict: tensor \"{}\" is missing; expected shape [{}] ({}); is this "
                    "the {} weights file?",
                    full, fmt::join(shape, ", "), network_, network_));
  }
  if (it->second.shape != shape) {
    return base::Status::invalid_argument(
        fmt::format("state dict: tensor \"{}\" has shape [{}]; expected [{}] ({})", full,
                    fmt::join(it->second.shape, ", "), fmt::join(shape, ", "), network_));
  }
  return &it->second;
}

base::Result<FoldedConv> TableWeights::conv(const Conv& c, ConvNorm norm_kind, double eps) const {
  const std::vector<std::int64_t> per_channel{c.out_channels};
  QTUNE_ASSIGN_OR_RETURN(const Tensor* weight,
                         tensor(c.name + ".weight", {c.out_channels, c.in_channels / c.groups,
                                                     c.kernel_h, c.kernel_w}));
  const std::string norm = norm_kind == ConvNorm::kBatchNorm ? batch_norm_of(c.name) : "";
  if (norm.empty()) {
    QTUNE_ASSIGN_OR_RETURN(const Tensor* bias, tensor(c.name + ".bias", per_channel));
    return FoldedConv{weight->data, bias->data};
  }
  QTUNE_ASSIGN_OR_RETURN(const Tensor* gamma, tensor(norm + ".weight", per_channel));
  QTUNE_ASSIGN_OR_RETURN(const Tensor* beta, tensor(norm + ".bias", per_channel));
  QTUNE_ASSIGN_OR_RETURN(const Tensor* mean, tensor(norm + ".running_mean", per_channel));
  QTUNE_ASSIGN_OR_RETURN(const Tensor* var, tensor(norm + ".running_var", per_channel));
  return fold_batch_norm(*weight, *gamma, *beta, *mean, *var, eps);
}

base::Result<std::vector<FoldedConv>> TableWeights::convs(const std::vector<Stage>& stages,
                                                          ConvNorm norm, double eps) const {
  std::vector<FoldedConv> out;
  for (const Stage& stage : stages) {
    for (const Node& node : stage.nodes) {
      if (const Conv* c = std::get_if<Conv>(&node.op)) {
        QTUNE_ASSIGN_OR_RETURN(FoldedConv folded, conv(*c, norm, eps));
        out.push_back(std::move(folded));
      }
    }
  }
  return out;
}

base::Status TableWeights::expect_absent(const std::string& key, std::string_view which) const {
  if (dict_.count(prefix_ + key) == 0) return base::Status::ok();
  return base::Status::invalid_argument(fmt::format(
      "state dict: tensor \"{}{}\" is not part of {}; is this {}?", prefix_, key, network_, which));
}

}  // namespace qtune::metrics::nn
