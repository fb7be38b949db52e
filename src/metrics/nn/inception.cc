#include "metrics/nn/inception.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "metrics/nn/fid_graph.h"
#include "metrics/nn/folded_conv.h"
#include "metrics/nn/network.h"
#include "metrics/nn/onednn_network.h"
#include "metrics/nn/reference_network.h"
#include "qtune/metrics/threads.h"

namespace qtune::metrics {

InceptionFid::InceptionFid(std::unique_ptr<nn::Network> network, const InceptionOptions& options)
    : network_(std::move(network)), options_(options) {}
InceptionFid::InceptionFid(InceptionFid&&) noexcept = default;
InceptionFid& InceptionFid::operator=(InceptionFid&&) noexcept = default;
InceptionFid::~InceptionFid() = default;

base::Result<InceptionFid> InceptionFid::create(const StateDict& weights,
                                                const InceptionOptions& options) {
  if (options.batch_size == 0) {
    return base::Status::invalid_argument("inception: batch size 0; use 1 or more images per pass");
  }
  if (options.input_size < 75) {
    return base::Status::invalid_argument(
        fmt::format("inception: input size {} is too small for Inception-v3; use 299 (pytorch-fid) "
                    "or at least 75",
                    options.input_size));
  }
  QTUNE_ASSIGN_OR_RETURN(std::vector<nn::FoldedConv> convs, nn::fold_all_convs(weights));
  std::unique_ptr<nn::Network> network;
  if (options.backend == InceptionBackend::kReference) {
    network = std::make_unique<nn::ReferenceNetwork>(std::move(convs), options.input_size);
  } else {
    QTUNE_ASSIGN_OR_RETURN(network,
                           nn::OneDnnNetwork::create(std::move(convs), options.input_size));
  }
  return InceptionFid(std::move(network), options);
}

base::Result<Features> InceptionFid::features(std::span<const Image> images, std::size_t dims) {
  const std::size_t stage_count = nn::stage_count_for_dims(static_cast<std::int64_t>(dims));
  if (stage_count == 0) {
    return base::Status::invalid_argument(fmt::format(
        "inception: dims {} is not a feature size of the FID Inception; use 64, 192, 768 or 2048",
        dims));
  }
  if (images.empty())
    return base::Status::invalid_argument("inception: no images; give at least one");
  for (std::size_t i = 0; i < images.size(); ++i) {
    const Image& im = images[i];
    if (im.width == 0 || im.height == 0 || im.pixels.size() != im.width * im.height * 3) {
      return base::Status::invalid_argument(
          fmt::format("inception: image {} is {}x{} with {} bytes; expected a non-empty RGB image "
                      "of height*width*3 bytes",
                      i, im.height, im.width, im.pixels.size()));
    }
  }
  network_->set_threads(options_.threads > 0 ? options_.threads
                                             : static_cast<int>(available_cpus()));

  const std::size_t image_floats = 3 * options_.input_size * options_.input_size;
  Features result{images.size(), dims, std::vector<double>(images.size() * dims)};
  std::vector<float> input;
  std::vector<float> batch_features;
  for (std::size_t first = 0; first < images.size(); first += options_.batch_size) {
    const std::size_t count = std::min(options_.batch_size, images.size() - first);
    input.resize(count * image_floats);
    for (std::size_t i = 0; i < count; ++i) {
      to_inception_input(images[first + i], options_.input_size,
                         std::span<float>(input).subspan(i * image_floats, image_floats));
    }
    batch_features.resize(count * dims);
    QTUNE_RETURN_IF_ERROR(network_->forward(input, count, stage_count, batch_features));
    // pytorch-fid stores its float32 activations in a float64 array.
    std::transform(batch_features.begin(), batch_features.end(),
                   result.values.begin() + static_cast<std::ptrdiff_t>(first * dims),
                   [](float v) { return static_cast<double>(v); });
  }
  return result;
}

}  // namespace qtune::metrics
