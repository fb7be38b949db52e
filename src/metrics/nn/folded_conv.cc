#include "metrics/nn/folded_conv.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <cstddef>
#include <string>
#include <utility>

namespace qtune::metrics::nn {
namespace {

constexpr double kBatchNormEps = 1e-3;  // pytorch-fid's BasicConv2d (TF's value)

base::Result<const Tensor*> find(const StateDict& dict, const std::string& key,
                                 const std::vector<std::int64_t>& shape) {
  auto it = dict.find(key);
  if (it == dict.end()) {
    return base::Status::invalid_argument(fmt::format(
        "state dict: tensor \"{}\" is missing; expected shape [{}] (pytorch-fid's FID Inception)",
        key, fmt::join(shape, ", ")));
  }
  if (it->second.shape != shape) {
    return base::Status::invalid_argument(
        fmt::format("state dict: tensor \"{}\" has shape [{}]; expected [{}]", key,
                    fmt::join(it->second.shape, ", "), fmt::join(shape, ", ")));
  }
  return &it->second;
}

}  // namespace

base::Result<FoldedConv> fold_conv(const StateDict& dict, const Conv& conv) {
  const std::vector<std::int64_t> per_channel{conv.out_channels};
  QTUNE_ASSIGN_OR_RETURN(const Tensor* weight,
                         find(dict, conv.name + ".conv.weight",
                              {conv.out_channels, conv.in_channels, conv.kernel_h, conv.kernel_w}));
  QTUNE_ASSIGN_OR_RETURN(const Tensor* gamma, find(dict, conv.name + ".bn.weight", per_channel));
  QTUNE_ASSIGN_OR_RETURN(const Tensor* beta, find(dict, conv.name + ".bn.bias", per_channel));
  QTUNE_ASSIGN_OR_RETURN(const Tensor* mean,
                         find(dict, conv.name + ".bn.running_mean", per_channel));
  QTUNE_ASSIGN_OR_RETURN(const Tensor* var, find(dict, conv.name + ".bn.running_var", per_channel));

  return fold_batch_norm(*weight, *gamma, *beta, *mean, *var, kBatchNormEps);
}

FoldedConv fold_batch_norm(const Tensor& weight, const Tensor& gamma, const Tensor& beta,
                           const Tensor& mean, const Tensor& var, double eps) {
  const std::size_t out = gamma.data.size();
  const std::size_t per_out = weight.data.size() / out;
  FoldedConv folded{std::vector<float>(weight.data.size()), std::vector<float>(out)};
  for (std::size_t o = 0; o < out; ++o) {
    const double g =
        static_cast<double>(gamma.data[o]) / std::sqrt(static_cast<double>(var.data[o]) + eps);
    for (std::size_t i = o * per_out; i < (o + 1) * per_out; ++i) {
      folded.weights[i] = static_cast<float>(static_cast<double>(weight.data[i]) * g);
    }
    folded.bias[o] = static_cast<float>(static_cast<double>(beta.data[o]) -
                                        static_cast<double>(mean.data[o]) * g);
  }
  return folded;
}

}  // namespace qtune::metrics::nn

namespace qtune::metrics::nn {

base::Result<std::vector<FoldedConv>> fold_all_convs(const StateDict& dict) {
  return fold_all_convs(dict, fid_inception_stages());
}

base::Result<std::vector<FoldedConv>> fold_all_convs(const StateDict& dict,
                                                     const std::vector<Stage>& stages) {
  std::vector<FoldedConv> convs;
  for (const Stage& stage : stages) {
    for (const Node& node : stage.nodes) {
      if (const Conv* conv = std::get_if<Conv>(&node.op)) {
        QTUNE_ASSIGN_OR_RETURN(FoldedConv folded, fold_conv(dict, *conv));
        convs.push_back(std::move(folded));
      }
    }
  }
  return convs;
}

}  // namespace qtune::metrics::nn
