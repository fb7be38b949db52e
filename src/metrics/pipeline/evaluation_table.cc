#include "qtune/metrics/evaluation_table.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <utility>

#include "metrics/nn/clip_vit_weights.h"
#include "metrics/nn/table_network.h"
#include "metrics/weights/state_dict.h"
#include "metrics/weights/torch_hub.h"
#include "qtune/metrics/evaluation_pixels.h"
#include "qtune/metrics/identification.h"

namespace qtune::metrics {
namespace {

constexpr std::array<TableMetricInfo, 8> kTableMetrics{{
    {TableMetric::kPixcorr, "pixcorr", false, false},
    {TableMetric::kSsimMindeye, "ssim_mindeye", false, false},
    {TableMetric::kAlexnet2, "alexnet2", true, false},
    {TableMetric::kAlexnet5, "alexnet5", true, false},
    {TableMetric::kInception2way, "inception2way", true, false},
    {TableMetric::kClip2way, "clip2way", true, false},
    {TableMetric::kEffnet, "effnet", false, true},
    {TableMetric::kSwav, "swav", false, true},
}};

constexpr std::string_view kClipFile = "vit_large_patch14_clip_224.openai.bin";
constexpr std::string_view kClipUrl =
    "https://huggingface.co/timm/vit_large_patch14_clip_224.openai/resolve/main/"
    "open_clip_pytorch_model.bin";

// A network's weights as torchvision publishes them.
struct PublishedWeights {
  std::string_view name;  // the key of weights_for
  nn::TableNet net;
  std::string_view file;  // the name torch.hub caches it under
  std::string_view url;
};

// efficientnet_b1: torchvision's EfficientNet_B1_Weights.DEFAULT (IMAGENET1K_V2), what
// MindEye's efficientnet_b1(weights=DEFAULT) loads. swav_resnet50: the file
// facebookresearch/swav's hubconf.py downloads for torch.hub.load(..., "resnet50").
// clip_vit_l14: OpenAI's ViT-L/14 as open_clip publishes it (a plain state dict; OpenAI's own
// ViT-L-14.pt is a TorchScript archive, refused), cached under the Hugging Face repository's
// name.
constexpr std::array<PublishedWeights, 5> kPublished{{
    {"alexnet", nn::TableNet::kAlexnet, "alexnet-owt-7be5be79.pth",
     "https://download.pytorch.org/models/alexnet-owt-7be5be79.pth"},
    {"inception_v3", nn::TableNet::kInceptionV3, "inception_v3_google-0cc3c7bd.pth",
     "https://download.pytorch.org/models/inception_v3_google-0cc3c7bd.pth"},
    {"efficientnet_b1", nn::TableNet::kEfficientnetB1, "efficientnet_b1-c27df63c.pth",
     "https://download.pytorch.org/models/efficientnet_b1-c27df63c.pth"},
    {"swav_resnet50", nn::TableNet::kResnet50, "swav_800ep_pretrain.pth.tar",
     "https://dl.fbaipublicfiles.com/deepcluster/swav_800ep_pretrain.pth.tar"},
    {"clip_vit_l14", nn::TableNet::kClipVit, kClipFile, kClipUrl},
}};

constexpr std::array<std::string_view, 5> kWeightNames{"alexnet", "inception_v3", "efficientnet_b1",
                                                       "swav_resnet50", "clip_vit_l14"};

const PublishedWeights& published(nn::TableNet net) {
  for (const PublishedWeights& p : kPublished) {
    if (p.net == net) return p;
  }
  QTUNE_CHECK(false);
  return kPublished[0];
}

nn::TableNet network_of(TableMetric metric) {
  switch (metric) {
    case TableMetric::kInception2way:
      return nn::TableNet::kInceptionV3;
    case TableMetric::kEffnet:
      return nn::TableNet::kEfficientnetB1;
    case TableMetric::kSwav:
      return nn::TableNet::kResnet50;
    case TableMetric::kClip2way:
      return nn::TableNet::kClipVit;
    default:
      return nn::TableNet::kAlexnet;
  }
}

// weights_for[NAME], else the published file in torch.hub's cache.
base::Result<std::filesystem::path> weights_path(
    const PublishedWeights& p, const std::map<std::string, std::filesystem::path>& weights_for) {
  if (auto it = weights_for.find(std::string(p.name)); it != weights_for.end()) return it->second;
  const std::optional<std::filesystem::path> checkpoints = torch_hub_checkpoints();
  if (!checkpoints) {
    return base::Status::not_found(fmt::format(
        "{} weights: neither TORCH_HOME nor HOME is set; download {} and pass --weights-for "
        "{}=FILE",
        p.name, p.url, p.name));
  }
  std::filesystem::path path = *checkpoints / p.file;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return base::Status::not_found(
        fmt::format("{}: {} weights not found; download them with\n  curl -L --create-dirs -o {} "
                    "{}\n(torchvision caches the same file there), or pass --weights-for {}=FILE",
                    path.string(), p.name, path.string(), p.url, p.name));
  }
  return path;
}

// The file's tensors as the network reads them; CLIP must be ViT-L/14 (the reader takes any
// size, for the tests' small towers). A TorchScript archive (OpenAI's ViT-L-14.pt) names
// TorchScript classes the restricted reader refuses: say what to use instead.
base::Result<StateDict> load_table_weights(nn::TableNet net, const std::filesystem::path& path) {
  auto dict = load_state_dict(path);
  if (!dict.is_ok()) {
    if (net == nn::TableNet::kClipVit &&
        dict.status().message().find("__torch__") != std::string::npos) {
      return base::Status::invalid_argument(fmt::format(
          "a TorchScript archive (OpenAI's ViT-L-14.pt is one): its pickle rebuilds "
          "TorchScript modules, which the restricted reader does not run; use open_clip's state "
          "dict ({}) or torch.save(model.state_dict()) of a loaded CLIP model, and pass "
          "--weights-for clip_vit_l14=FILE (the reader: {})",
          kClipUrl, dict.status().message()));
    }
    return dict.status();
  }
  if (net == nn::TableNet::kClipVit) {
    QTUNE_RETURN_IF_ERROR(nn::clip_vit_config(*dict, &nn::kClipVitL14).status());
  }
  return dict;
}

}  // namespace

std::span<const TableMetricInfo> table_metrics() { return kTableMetrics; }

std::optional<TableMetric> table_metric_named(std::string_view name) {
  for (const TableMetricInfo& info : kTableMetrics) {
    if (info.name == name) return info.metric;
  }
  return std::nullopt;
}

std::string_view table_metric_name(TableMetric metric) {
  for (const TableMetricInfo& info : kTableMetrics) {
    if (info.metric == metric) return info.name;
  }
  return "?";
}

std::span<const std::string_view> table_weight_names() { return kWeightNames; }

base::Status check_weights_for(const std::map<std::string, std::filesystem::path>& weights_for) {
  for (const auto& [name, path] : weights_for) {
    if (std::find(kWeightNames.begin(), kWeightNames.end(), name) == kWeightNames.end()) {
      return base::Status::invalid_argument(
          fmt::format("weights for \"{}\": unknown network; name one of {}", name,
                      fmt::join(kWeightNames, ", ")));
    }
  }
  return base::Status::ok();
}

struct EvaluationTable::Networks {
  std::map<nn::TableNet, std::unique_ptr<nn::TableNetwork>> loaded;
};

EvaluationTable::EvaluationTable(TableOptions options)
    : options_(std::move(options)), networks_(std::make_unique<Networks>()) {}
EvaluationTable::EvaluationTable(EvaluationTable&&) noexcept = default;
EvaluationTable& EvaluationTable::operator=(EvaluationTable&&) noexcept = default;
EvaluationTable::~EvaluationTable() = default;

base::Result<TableScore> EvaluationTable::score(TableMetric metric, std::span<const Image> stimuli,
                                                std::span<const Image> reconstructions) {
  if (metric == TableMetric::kPixcorr) {
    QTUNE_ASSIGN_OR_RETURN(const double v, pixcorr(stimuli, reconstructions));
    return TableScore{v, std::nullopt};
  }
  if (metric == TableMetric::kSsimMindeye) {
    QTUNE_ASSIGN_OR_RETURN(const double v, ssim_mindeye(stimuli, reconstructions));
    return TableScore{v, std::nullopt};
  }
  const std::string_view name = table_metric_name(metric);
  if (stimuli.size() != reconstructions.size()) {
    return base::Status::invalid_argument(fmt::format(
        "{}: {} stimuli and {} reconstructions; the images are paired by sorted file name, so "
        "both folders need the same number",
        name, stimuli.size(), reconstructions.size()));
  }
  const bool distance = metric == TableMetric::kEffnet || metric == TableMetric::kSwav;
  if (stimuli.size() < 2 && !distance) {
    return base::Status::invalid_argument(
        fmt::format("{}: {} pair; 2-way identification compares each reconstruction with the "
                    "other stimuli, so it needs at least 2 pairs",
                    name, stimuli.size()));
  }
  QTUNE_RETURN_IF_ERROR(check_weights_for(options_.weights_for));
  if (stimuli.empty()) {
    return base::Status::invalid_argument(
        fmt::format("{}: no image pairs; give at least one stimulus and its reconstruction", name));
  }
  const nn::TableNet net = network_of(metric);
  auto& slot = networks_->loaded[net];
  if (!slot) {
    const PublishedWeights& p = published(net);
    auto path = weights_path(p, options_.weights_for);
    if (!path.is_ok()) {
      networks_->loaded.erase(net);
      return path.status();
    }
    auto dict = load_table_weights(net, *path);
    auto created = dict.is_ok()
                       ? nn::TableNetwork::create(net, std::move(dict).value(), options_.threads)
                       : base::Result<std::unique_ptr<nn::TableNetwork>>(dict.status());
    if (!created.is_ok()) {
      networks_->loaded.erase(net);
      return created.status().with_context(fmt::format("{}: {}", name, path->string()));
    }
    slot = std::move(created).value();
  }
  const std::size_t stages = metric == TableMetric::kAlexnet2 ? 1 : slot->stage_count();
  auto stim = slot->features(stimuli, stages);
  if (!stim.is_ok()) return stim.status().with_context(fmt::format("{}: stimuli", name));
  auto rec = slot->features(reconstructions, stages);
  if (!rec.is_ok()) return rec.status().with_context(fmt::format("{}: reconstructions", name));
  if (distance) {
    auto d = mean_correlation_distance(*stim, *rec);
    if (!d.is_ok()) return d.status().with_context(std::string(name));
    return TableScore{*d, std::nullopt};
  }
  auto two_way = two_way_identification(*stim, *rec);
  if (!two_way.is_ok()) return two_way.status().with_context(std::string(name));
  return TableScore{two_way->score, two_way->p_value};
}

}  // namespace qtune::metrics
