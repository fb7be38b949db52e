// The fMRI reconstruction evaluation table (MindEye's src/Reconstruction_Metrics.py,
// brain-diffuser's eval_extract_features.py + evaluate_reconstruction.py), computed
// natively on stimuli and reconstructions paired by position (folders: sorted file names).
//
//   name           what                                                  better  chance
//   pixcorr        evaluation_pixels.h                                   higher
//   ssim_mindeye   evaluation_pixels.h (not the 2-D `ssim`)              higher
//   alexnet2       2-way identification (identification.h) on torchvision higher  0.5
//                  AlexNet features.4 (ReLU), Resize(256), ImageNet norm
//   alexnet5       the same on features.11                               higher  0.5
//   inception2way  the same on torchvision inception_v3 avgpool,         higher  0.5
//                  Resize(342), transform_input=True (as built with weights)
//   clip2way       the same on CLIP ViT-L/14's image embedding           higher  0.5
//                  (encode_image), Resize(224) + centre crop 224, CLIP's mean/std
//   effnet         mean correlation distance (identification.h) of       lower   0
//                  torchvision efficientnet_b1 avgpool features, Resize(255)
//   swav           the same on ResNet-50 avgpool (SwAV's weights),       lower   0
//                  Resize(224)
// Every resize is torchvision 0.14's tensor Resize(int): shorter side, bilinear on [0, 1],
// align_corners=False, no antialias. 2-way scores come with their binomial p-value.
//
// Weights: the torchvision file under its published name in torch's hub cache
// ($TORCH_HOME/hub/checkpoints, else $XDG_CACHE_HOME/torch/..., else ~/.cache/torch/...),
// or `weights_for[NAME]` (NAME alexnet, inception_v3, efficientnet_b1, swav_resnet50:
// SwAV's checkpoint swav_800ep_pretrain.pth.tar, as torch.hub's facebookresearch/swav
// caches it, or any torchvision resnet50 state dict; clip_vit_l14: open_clip's
// open_clip_pytorch_model.bin of ViT-L-14 "openai", cached as
// vit_large_patch14_clip_224.openai.bin, or any state dict with CLIP's visual.* keys;
// OpenAI's TorchScript ViT-L-14.pt is refused, naming the alternative). A missing file is kNotFound
// naming the path and the download URL; a file of another network kInvalidArgument naming
// the first mismatched tensor; the restricted .pth reader executes nothing (state_dict.h).
//
// Not thread-safe (networks own scratch buffers); one EvaluationTable per thread.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/base/result.h"
#include "qtune/metrics/image.h"

namespace qtune::metrics {

enum class TableMetric {
  kPixcorr,
  kSsimMindeye,
  kAlexnet2,
  kAlexnet5,
  kInception2way,
  kClip2way,
  kEffnet,
  kSwav,
};

struct TableMetricInfo {
  TableMetric metric;
  std::string_view name;
  bool two_way;          // a 2-way identification score (higher is better, chance 0.5, p-value)
  bool lower_is_better;  // a distance (effnet, swav)
};

// Every table metric, in the published column order.
std::span<const TableMetricInfo> table_metrics();
std::optional<TableMetric> table_metric_named(std::string_view name);
std::string_view table_metric_name(TableMetric metric);

// The networks whose weights `weights_for` may name.
std::span<const std::string_view> table_weight_names();
// kInvalidArgument naming the first key of `weights_for` that is not a table_weight_names().
base::Status check_weights_for(const std::map<std::string, std::filesystem::path>& weights_for);

struct TableScore {
  double value = 0.0;
  std::optional<double> p_value;  // 2-way metrics only
};

struct TableOptions {
  std::map<std::string, std::filesystem::path> weights_for;  // NAME -> .pth
  int threads = 0;                                           // 0: the process default
};

class EvaluationTable {
 public:
  explicit EvaluationTable(TableOptions options);
  EvaluationTable(EvaluationTable&&) noexcept;
  EvaluationTable& operator=(EvaluationTable&&) noexcept;
  ~EvaluationTable();

  base::Result<TableScore> score(TableMetric metric, std::span<const Image> stimuli,
                                 std::span<const Image> reconstructions);

 private:
  struct Networks;  // the loaded networks, by weights name
  TableOptions options_;
  std::unique_ptr<Networks> networks_;
};

}  // namespace qtune::metrics
