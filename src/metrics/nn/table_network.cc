#include "metrics/nn/table_network.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <utility>
#include <vector>

#include "metrics/nn/table_graphs.h"

namespace qtune::metrics::nn {
namespace {

constexpr std::array<float, 3> kImagenetMean = {0.485f, 0.456f, 0.406f};
constexpr std::array<float, 3> kImagenetStd = {0.229f, 0.224f, 0.225f};
// CLIP's own normalisation (clip/clip.py _transform, MindEye's Reconstruction_Metrics.py).
constexpr std::array<float, 3> kClipMean = {0.48145466f, 0.4578275f, 0.40821073f};
constexpr std::array<float, 3> kClipStd = {0.26862954f, 0.26130258f, 0.27577711f};
constexpr std::size_t kBatch = 8;

struct NetSpec {
  std::size_t side;                  // Resize(side)
  const std::vector<Stage>* stages;  // nullptr: the CLIP ViT (vit_network.h)
  NetworkOutput output;
  bool transform_input;
};

NetSpec spec_of(TableNet net) {
  switch (net) {
    case TableNet::kAlexnet:
      return {256, &alexnet_stages(), NetworkOutput::kFullMap, false};
    case TableNet::kInceptionV3:
      return {342, &torchvision_inception_stages(), NetworkOutput::kSpatialMean, true};
    case TableNet::kResnet50:
      return {224, &resnet50_stages(), NetworkOutput::kSpatialMean, false};
    case TableNet::kEfficientnetB1:
      return {255, &efficientnet_b1_stages(), NetworkOutput::kSpatialMean, false};
    case TableNet::kClipVit:
      return {static_cast<std::size_t>(kClipInputSize), nullptr, NetworkOutput::kSpatialMean,
              false};
  }
  QTUNE_CHECK(false);
  return {0, nullptr, NetworkOutput::kFullMap, false};
}

base::Result<std::vector<FoldedConv>> convs_of(TableNet net, const StateDict& weights) {
  switch (net) {
    case TableNet::kAlexnet:
      return alexnet_convs(weights);
    case TableNet::kInceptionV3:
      return torchvision_inception_convs(weights);
    case TableNet::kResnet50:
      return resnet50_convs(weights);
    case TableNet::kEfficientnetB1:
      return efficientnet_b1_convs(weights);
    case TableNet::kClipVit:
      break;  // not a conv network
  }
  QTUNE_CHECK(false);
  return base::Status::internal("unknown table network");
}

// The network's input: the resized image, or CLIP's centre crop of it.
PlaneSize input_size(TableNet net, PlaneSize resized) {
  if (net != TableNet::kClipVit) return resized;
  const auto side = static_cast<std::size_t>(kClipInputSize);
  return {side, side};
}

// torchvision's CenterCrop offset: int(round((from - to) / 2.0)), Python rounding halves to even.
std::size_t crop_offset(std::size_t from, std::size_t to) {
  return static_cast<std::size_t>(std::nearbyint(static_cast<double>(from - to) / 2.0));
}

}  // namespace

TableNetwork::TableNetwork(TableNet net, std::vector<FoldedConv> convs, int threads)
    : net_(net), convs_(std::move(convs)), threads_(threads) {}

base::Result<std::unique_ptr<TableNetwork>> TableNetwork::create(TableNet net, StateDict weights,
                                                                 int threads) {
  if (net == TableNet::kClipVit) {
    QTUNE_ASSIGN_OR_RETURN(VitWeights vit_weights, clip_vit_weights(std::move(weights)));
    QTUNE_ASSIGN_OR_RETURN(std::unique_ptr<VitNetwork> vit,
                           VitNetwork::create(std::move(vit_weights)));
    if (threads > 0) vit->set_threads(threads);
    std::unique_ptr<TableNetwork> network(new TableNetwork(net, {}, threads));
    network->vit_ = std::move(vit);
    return network;
  }
  QTUNE_ASSIGN_OR_RETURN(std::vector<FoldedConv> convs, convs_of(net, weights));
  return std::unique_ptr<TableNetwork>(new TableNetwork(net, std::move(convs), threads));
}

std::size_t TableNetwork::stage_count() const {
  const NetSpec spec = spec_of(net_);
  return spec.stages != nullptr ? spec.stages->size() : 1;
}

std::size_t TableNetwork::output_floats(PlaneSize size, std::size_t stage_count) const {
  if (vit_) return static_cast<std::size_t>(vit_->config().output_dim);
  return networks_.at(size)->output_floats(stage_count);
}

base::Result<Network*> TableNetwork::network_for(PlaneSize size) {
  if (vit_) return vit_.get();
  auto& slot = networks_[size];
  if (!slot) {
    const NetSpec spec = spec_of(net_);
    auto created =
        OneDnnNetwork::create(*spec.stages, convs_, size.height, size.width, spec.output);
    if (!created.is_ok()) {
      networks_.erase(size);
      return created.status();
    }
    slot = std::move(created).value();
    if (threads_ > 0) slot->set_threads(threads_);
  }
  return slot.get();
}

void TableNetwork::preprocess(const Image& image, PlaneSize size, std::span<float> planes) const {
  const PlaneSize input = input_size(net_, size);
  const std::size_t pixels = input.height * input.width;
  if (input == size) {
    resize_to_unit_planes(image, size.height, size.width, planes);
  } else {
    std::vector<float> resized(3 * size.height * size.width);
    resize_to_unit_planes(image, size.height, size.width, resized);
    const std::size_t top = crop_offset(size.height, input.height);
    const std::size_t left = crop_offset(size.width, input.width);
    for (std::size_t c = 0; c < 3; ++c) {
      for (std::size_t y = 0; y < input.height; ++y) {
        const float* from = resized.data() + (c * size.height + top + y) * size.width + left;
        std::copy(from, from + input.width, planes.data() + c * pixels + y * input.width);
      }
    }
  }
  const bool clip = net_ == TableNet::kClipVit;
  const std::array<float, 3>& mean = clip ? kClipMean : kImagenetMean;
  const std::array<float, 3>& stdev = clip ? kClipStd : kImagenetStd;
  const bool transform = spec_of(net_).transform_input;
  for (std::size_t c = 0; c < 3; ++c) {
    // torchvision's Inception3._transform_input undoes the normalisation into 2x - 1 form:
    // x * (std / 0.5) + (mean - 0.5) / 0.5, with Python-double constants rounded to float.
    const auto scale = static_cast<float>(static_cast<double>(kImagenetStd[c]) / 0.5);
    const auto shift = static_cast<float>((static_cast<double>(kImagenetMean[c]) - 0.5) / 0.5);
    float* plane = planes.data() + c * pixels;
    for (std::size_t i = 0; i < pixels; ++i) {
      float v = (plane[i] - mean[c]) / stdev[c];
      if (transform) v = v * scale + shift;
      plane[i] = v;
    }
  }
}

base::Result<Features> TableNetwork::features(std::span<const Image> images,
                                              std::size_t stage_count) {
  QTUNE_CHECK(stage_count >= 1 && stage_count <= this->stage_count());
  const NetSpec spec = spec_of(net_);
  std::vector<PlaneSize> sizes(images.size());
  for (std::size_t i = 0; i < images.size(); ++i) {
    const Image& im = images[i];
    if (im.width == 0 || im.height == 0 || im.pixels.size() != im.width * im.height * 3) {
      return base::Status::invalid_argument(
          fmt::format("image {} is {}x{} with {} bytes; expected a non-empty RGB image", i,
                      im.width, im.height, im.pixels.size()));
    }
    sizes[i] = shorter_side_to(im.height, im.width, spec.side);
  }
  // Images in order of resized size, then position: each run of one size is batched.
  std::vector<std::size_t> order(images.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return sizes[a] < sizes[b]; });

  Features result;
  result.count = images.size();
  std::vector<float> input;
  std::vector<float> output;
  for (std::size_t first = 0; first < order.size();) {
    const PlaneSize size = sizes[order[first]];
    std::size_t count = 0;
    while (first + count < order.size() && count < kBatch && sizes[order[first + count]] == size)
      ++count;
    QTUNE_ASSIGN_OR_RETURN(Network * network, network_for(size));
    const std::size_t dims = output_floats(size, stage_count);
    if (result.dims == 0) {
      result.dims = dims;
      result.values.resize(result.count * dims);
    } else if (result.dims != dims) {
      return base::Status::invalid_argument(fmt::format(
          "image {} resizes to {}x{}, which gives {} features where earlier images gave {}; the "
          "whole-map features of this layer need images of one aspect ratio",
          order[first], size.width, size.height, dims, result.dims));
    }
    const PlaneSize input_plane = input_size(net_, size);
    const std::size_t floats = 3 * input_plane.height * input_plane.width;
    input.resize(count * floats);
    for (std::size_t k = 0; k < count; ++k) {
      preprocess(images[order[first + k]], size,
                 std::span<float>(input).subspan(k * floats, floats));
    }
    output.resize(count * dims);
    QTUNE_RETURN_IF_ERROR(network->forward(input, count, stage_count, output));
    for (std::size_t k = 0; k < count; ++k) {
      std::copy(output.begin() + static_cast<std::ptrdiff_t>(k * dims),
                output.begin() + static_cast<std::ptrdiff_t>((k + 1) * dims),
                result.values.begin() + static_cast<std::ptrdiff_t>(order[first + k] * dims));
    }
    first += count;
  }
  return result;
}

}  // namespace qtune::metrics::nn
