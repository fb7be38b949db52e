// The networks of the fMRI evaluation table (evaluation_table.h) that run on the oneDNN
// builder (onednn_network.h), as stage graphs (fid_graph.h) with their weights:
//
//   AlexNet   torchvision's alexnet().features, in 2 stages: stage 1 ends at features.4
//             (the ReLU after conv 2: 192 x 31 x 31 at 256 x 256), stage 2 at features.11
//             (the ReLU after conv 5: 256 x 15 x 15). Convolutions with bias, then ReLU.
//   Inception torchvision's inception_v3 (torchvision_inception_stages()), up to Mixed_7c;
//             BatchNorm (eps 1e-3) folded as for FID (folded_conv.h).
//   ResNet-50 torchvision's resnet50 up to layer4 (17 stages: the stem to the max pool, then
//             one per Bottleneck; the identity a Copy or the downsample conv, conv3 adding
//             to it before its ReLU). SwAV's published backbone is this network.
//   EfficientNet-B1 torchvision's efficientnet_b1 up to features.8 (25 stages: the stem, one
//             per MBConv block with depthwise conv, squeeze-excitation as a global average,
//             two 1x1 convs and a ChannelScale, the residual when stride 1 and in == out;
//             stochastic depth is the identity in eval mode; then the 1x1 conv to 1280).
// ResNet and EfficientNet fold BatchNorm with eps 1e-5 (table_weights.h).
//
// The weight readers check every tensor they use against torchvision's name and shape
// (Inception also its classifier, which tells torchvision's from pytorch-fid's), so that a file of
// another network is refused with kInvalidArgument naming the first mismatched tensor.
#pragma once

#include <vector>

#include "metrics/nn/fid_graph.h"
#include "metrics/nn/folded_conv.h"
#include "metrics/weights/state_dict.h"
#include "qtune/base/result.h"

namespace qtune::metrics::nn {

const std::vector<Stage>& alexnet_stages();

// features.{0,3,6,8,10}.{weight,bias} in execution order.
base::Result<std::vector<FoldedConv>> alexnet_convs(const StateDict& dict);

// Every conv of torchvision_inception_stages() folded, after checking fc.weight is
// torchvision's [1000, 2048] (pytorch-fid's FID Inception file has 1008 classes).
base::Result<std::vector<FoldedConv>> torchvision_inception_convs(const StateDict& dict);

const std::vector<Stage>& resnet50_stages();

// Every conv of resnet50_stages() folded, from torchvision's state dict or SwAV's checkpoint
// (keys prefixed "module.", no fc); a deeper ResNet (layer3.6 present) is refused.
base::Result<std::vector<FoldedConv>> resnet50_convs(const StateDict& dict);

const std::vector<Stage>& efficientnet_b1_stages();

// Every conv of efficientnet_b1_stages() folded (squeeze-excitation's fc1/fc2 keep their bias).
base::Result<std::vector<FoldedConv>> efficientnet_b1_convs(const StateDict& dict);

}  // namespace qtune::metrics::nn
