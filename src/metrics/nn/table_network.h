// TableNetwork: one network of the fMRI evaluation table as a feature extractor, with the
// published preprocessing (MindEye's Reconstruction_Metrics.py):
//   ToTensor -> Resize(side) (resize.h: shorter side, bilinear, no antialias) ->
//   Normalize(ImageNet mean, std) -> [inception: torchvision's transform_input] -> network
//   -> the last stage's output (AlexNet: the whole map, flattened as torch's flatten(1);
//   Inception, ResNet-50, EfficientNet-B1: avgpool). Sides: AlexNet 256, Inception 342,
//   ResNet-50 224, EfficientNet-B1 255.
// CLIP (kClipVit, vit_network.h): Resize(224) as above, then a centre crop to 224 x 224
//   (torchvision's CenterCrop: offsets round((side - 224) / 2), halves to even; a square image
//   is not cropped), Normalize(CLIP's mean, std) -> encode_image. The tower's size comes from
//   the weights (clip_vit_weights.h); the table asks for ViT-L/14.
// Images are batched by their resized size; a oneDNN network is built per input size.
//
// Not thread-safe (the networks own scratch buffers). Errors: the weight readers'
// (table_graphs.h), an empty image (kInvalidArgument), a oneDNN failure (kInternal).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <span>

#include "metrics/nn/onednn_network.h"
#include "metrics/nn/resize.h"
#include "metrics/nn/vit_network.h"
#include "metrics/weights/state_dict.h"
#include "qtune/base/result.h"
#include "qtune/metrics/feature_stats.h"
#include "qtune/metrics/image.h"

namespace qtune::metrics::nn {

enum class TableNet { kAlexnet, kInceptionV3, kResnet50, kEfficientnetB1, kClipVit };

class TableNetwork {
 public:
  static base::Result<std::unique_ptr<TableNetwork>> create(TableNet net, StateDict weights,
                                                            int threads);

  // count x d features after `stage_count` stages (AlexNet: 1 = features.4, 2 =
  // features.11; the others: stage_count() = avgpool), rows in the order of `images`.
  base::Result<Features> features(std::span<const Image> images, std::size_t stage_count);

  std::size_t stage_count() const;

 private:
  TableNetwork(TableNet net, std::vector<FoldedConv> convs, int threads);
  base::Result<Network*> network_for(PlaneSize size);
  std::size_t output_floats(PlaneSize size, std::size_t stage_count) const;
  void preprocess(const Image& image, PlaneSize size, std::span<float> planes) const;

  TableNet net_;
  std::vector<FoldedConv> convs_;  // a copy is handed to each network (it frees its own)
  int threads_;
  std::map<PlaneSize, std::unique_ptr<OneDnnNetwork>> networks_;
  std::unique_ptr<VitNetwork> vit_;  // kClipVit: one network, 224 x 224 inputs
};

}  // namespace qtune::metrics::nn
