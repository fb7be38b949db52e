// A BasicConv2d (conv without bias -> BatchNorm2d(eps 1e-3) in eval mode -> ReLU) folded
// into one convolution with bias, so that both network paths run conv + bias + ReLU:
//   w' = w * g,  b' = beta - running_mean * g,  g = gamma / sqrt(running_var + 1e-3),
// computed in double and rounded once to float.
#pragma once

#include <vector>

#include "metrics/nn/fid_graph.h"
#include "metrics/weights/state_dict.h"
#include "qtune/base/result.h"

namespace qtune::metrics::nn {

struct FoldedConv {
  std::vector<float> weights;  // out x in x kh x kw (OIHW), row-major
  std::vector<float> bias;     // out
};

// w * g, beta - mean * g with g = gamma / sqrt(var + eps), in double, rounded once to float:
// a conv without bias followed by BatchNorm2d in eval mode. Shapes are the caller's to check.
FoldedConv fold_batch_norm(const Tensor& weight, const Tensor& gamma, const Tensor& beta,
                           const Tensor& mean, const Tensor& var, double eps);

// Reads "<conv.name>.conv.weight" and "<conv.name>.bn.{weight,bias,running_mean,running_var}".
// kInvalidArgument naming the key if one is missing or has the wrong shape.
base::Result<FoldedConv> fold_conv(const StateDict& dict, const Conv& conv);

}  // namespace qtune::metrics::nn

namespace qtune::metrics::nn {

// Every conv of fid_inception_stages() folded, in execution order (stage by stage, node by
// node): the order in which both backends consume them.
base::Result<std::vector<FoldedConv>> fold_all_convs(const StateDict& dict);
// The same for the convs of `stages` (torchvision_inception_stages()).
base::Result<std::vector<FoldedConv>> fold_all_convs(const StateDict& dict,
                                                     const std::vector<Stage>& stages);

}  // namespace qtune::metrics::nn
