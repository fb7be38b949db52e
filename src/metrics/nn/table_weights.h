// The tensors of one evaluation-table network (table_graphs.h) in a torchvision state dict,
// each checked against the name and shape the network needs, so that a file of another
// network is refused (kInvalidArgument) naming the first mismatched tensor.
//
// Names follow torchvision: conv `<name>.weight`, and either its own `<name>.bias` or, in a
// network with batch norms, the BatchNorm batch_norm_of(name) names. `prefix` is prepended to every
// key looked up (SwAV's checkpoint keeps DataParallel's "module."); messages name the key as the
// file spells it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/nn/fid_graph.h"
#include "metrics/nn/folded_conv.h"
#include "metrics/weights/state_dict.h"
#include "qtune/base/result.h"

namespace qtune::metrics::nn {

// The BatchNorm that follows conv `name` in torchvision's modules: "<x>.0" (a Sequential
// of conv, norm: Conv2dNormActivation, ResNet's downsample) -> "<x>.1"; "<x>.convK"
// (ResNet's Bottleneck, its stem "conv1") -> "<x>.bnK"; anything else ("" returned) is a
// conv with its own bias (squeeze-excitation's fc1/fc2).
std::string batch_norm_of(const std::string& name);

// Whether the network's convs are followed by BatchNorms (ResNet, EfficientNet) or all
// have their own bias (AlexNet).
enum class ConvNorm { kOwnBias, kBatchNorm };

class TableWeights {
 public:
  TableWeights(const StateDict& dict, std::string prefix, std::string_view network);

  base::Result<const Tensor*> tensor(const std::string& key,
                                     const std::vector<std::int64_t>& shape) const;

  // Conv `c`'s weights ([out, in / groups, kh, kw]) with its BatchNorm (kBatchNorm and
  // batch_norm_of names one; epsilon `eps`) folded in, or with its own bias.
  base::Result<FoldedConv> conv(const Conv& c, ConvNorm norm, double eps) const;

  // Every conv of `stages` in execution order (the order the oneDNN network consumes them).
  base::Result<std::vector<FoldedConv>> convs(const std::vector<Stage>& stages, ConvNorm norm,
                                              double eps) const;

  // kInvalidArgument if `key` is in the file: it belongs to a network other than this one
  // (`which`, for example "a deeper ResNet").
  base::Status expect_absent(const std::string& key, std::string_view which) const;

 private:
  const StateDict& dict_;
  std::string prefix_;
  std::string_view network_;
};

}  // namespace qtune::metrics::nn
