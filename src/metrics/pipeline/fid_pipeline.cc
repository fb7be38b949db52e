#include "qtune/metrics/fid_pipeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <span>
#include <utility>

#include "metrics/nn/inception.h"
#include "metrics/weights/state_dict.h"
#include "qtune/metrics/image.h"
#include "qtune/metrics/stats_cache.h"

namespace qtune::metrics {
namespace {

bool is_npz(const std::filesystem::path& path) { return path.extension() == ".npz"; }

}  // namespace

FidPipeline::FidPipeline(const FidOptions& options) : options_(options) {}
FidPipeline::FidPipeline(FidPipeline&&) noexcept = default;
FidPipeline& FidPipeline::operator=(FidPipeline&&) noexcept = default;
FidPipeline::~FidPipeline() = default;

base::Result<FidPipeline> FidPipeline::create(const FidOptions& options) {
  const std::size_t d = options.dims;
  if (d != 64 && d != 192 && d != 768 && d != 2048) {
    return base::Status::invalid_argument(
        fmt::format("fid: dims {} is not supported; use 64, 192, 768 or 2048", d));
  }
  if (options.batch_size == 0) {
    return base::Status::invalid_argument("fid: batch size 0; use a batch size of at least 1");
  }
  if (options.threads < 0) {
    return base::Status::invalid_argument(
        fmt::format("fid: threads {}; use 0 (the CPUs this process may use) or a positive count",
                    options.threads));
  }
  // The weights are looked for when a folder needs them (weights_path): two .npz files
  // need none.
  return FidPipeline(options);
}

base::Result<std::filesystem::path> FidPipeline::weights_path() {
  if (options_.weights.empty()) {
    QTUNE_ASSIGN_OR_RETURN(options_.weights, default_weights_path());
  }
  return options_.weights;
}

base::Result<std::uint64_t> FidPipeline::weights_hash() {
  if (!weights_hash_) {
    QTUNE_ASSIGN_OR_RETURN(const std::filesystem::path path, weights_path());
    QTUNE_ASSIGN_OR_RETURN(weights_hash_, hash_file(path));
  }
  return *weights_hash_;
}

base::Result<InceptionFid*> FidPipeline::network() {
  if (!network_) {
    QTUNE_ASSIGN_OR_RETURN(const std::filesystem::path path, weights_path());
    QTUNE_ASSIGN_OR_RETURN(const StateDict weights, load_state_dict(path));
    InceptionOptions inception;
    inception.threads = options_.threads;
    QTUNE_ASSIGN_OR_RETURN(InceptionFid network, InceptionFid::create(weights, inception));
    network_ = std::make_unique<InceptionFid>(std::move(network));
  }
  return network_.get();
}

base::Result<Features> FidPipeline::compute_features(
    const std::vector<std::filesystem::path>& files) {
  QTUNE_ASSIGN_OR_RETURN(InceptionFid * net, network());
  Features all{.count = 0, .dims = options_.dims, .values = {}};
  all.values.reserve(files.size() * options_.dims);
  for (std::size_t begin = 0; begin < files.size(); begin += options_.batch_size) {
    const std::size_t end = std::min(files.size(), begin + options_.batch_size);
    std::vector<Image> batch;
    batch.reserve(end - begin);
    for (std::size_t i = begin; i < end; ++i) {
      QTUNE_ASSIGN_OR_RETURN(Image image, read_image(files[i]));
      batch.push_back(std::move(image));
    }
    QTUNE_ASSIGN_OR_RETURN(const Features part,
                           net->features(std::span<const Image>(batch), options_.dims));
    all.values.insert(all.values.end(), part.values.begin(), part.values.end());
    all.count += part.count;
  }
  return all;
}

base::Result<Features> FidPipeline::features(std::span<const Image> images) {
  QTUNE_ASSIGN_OR_RETURN(InceptionFid * net, network());
  Features all{.count = 0, .dims = options_.dims, .values = {}};
  all.values.reserve(images.size() * options_.dims);
  for (std::size_t begin = 0; begin < images.size(); begin += options_.batch_size) {
    const std::size_t count = std::min(images.size() - begin, options_.batch_size);
    QTUNE_ASSIGN_OR_RETURN(const Features part,
                           net->features(images.subspan(begin, count), options_.dims));
    all.values.insert(all.values.end(), part.values.begin(), part.values.end());
    all.count += part.count;
  }
  return all;
}

base::Result<FidSide> FidPipeline::side(std::span<const Image> images, std::string_view what) {
  QTUNE_ASSIGN_OR_RETURN(Features features, features(images));
  QTUNE_ASSIGN_OR_RETURN(FeatureStats stats, compute_stats(features, std::string(what)));
  return FidSide{std::move(stats), std::move(features)};
}

base::Result<FidSide> FidPipeline::folder_side(const std::filesystem::path& folder,
                                               Caching caching) {
  QTUNE_ASSIGN_OR_RETURN(const std::vector<std::filesystem::path> files, list_image_files(folder));
  std::optional<StatsCache> cache;
  std::string key;
  if (options_.cache_dir && caching == Caching::kUse) {
    cache.emplace(*options_.cache_dir);
    QTUNE_ASSIGN_OR_RETURN(const std::uint64_t hash, weights_hash());
    QTUNE_ASSIGN_OR_RETURN(key, StatsCache::key(files, options_.dims, hash));
    if (std::optional<FidSide> hit = cache->load(key)) return std::move(*hit);
  }
  QTUNE_ASSIGN_OR_RETURN(Features features, compute_features(files));
  QTUNE_ASSIGN_OR_RETURN(FeatureStats stats, compute_stats(features, folder.string()));
  FidSide side{std::move(stats), std::move(features)};
  if (cache) QTUNE_RETURN_IF_ERROR(cache->store(key, side));
  return side;
}

base::Result<FidSide> FidPipeline::side(const std::filesystem::path& path, Caching caching) {
  if (is_npz(path)) {
    QTUNE_ASSIGN_OR_RETURN(FeatureStats npz, read_npz_statistics(path));
    return FidSide{std::move(npz), std::nullopt};
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) {
    return base::Status::not_found(fmt::format(
        "{}: not a folder of images nor an .npz of statistics; give one of those", path.string()));
  }
  return folder_side(path, caching);
}

base::Result<Features> FidPipeline::features(const std::filesystem::path& folder, Caching caching) {
  std::error_code ec;
  if (std::filesystem::is_directory(folder, ec)) {
    // One image has features but no covariance: its caller (KID) says what it needs.
    QTUNE_ASSIGN_OR_RETURN(const std::vector<std::filesystem::path> files,
                           list_image_files(folder));
    if (files.size() < 2) return compute_features(files);
  }
  QTUNE_ASSIGN_OR_RETURN(FidSide side, side(folder, caching));
  if (side.features) return std::move(*side.features);
  // A cache entry of a large folder keeps only statistics: compute the features again.
  QTUNE_ASSIGN_OR_RETURN(const std::vector<std::filesystem::path> files, list_image_files(folder));
  return compute_features(files);
}

base::Result<double> fid(const FidSide& a, const FidSide& b) { return frechet_distance(a, b); }

std::optional<std::string> few_images_note(std::size_t count, std::size_t dims,
                                           std::string_view what) {
  if (count == 0 || count >= dims) return std::nullopt;
  return fmt::format(
      "note: {}: {} images for {} dims: the covariance has rank {} < {}, so FID is rank-deficient "
      "and "
      "dominated by the sample size (at N = 10 it measures mostly N); compare only runs with the "
      "same N, "
      "or use KID (qtune metrics --metrics kid){}",
      what, count, dims, count - 1, dims,
      dims > 192  ? " or --dims 64/192"
      : dims > 64 ? " or --dims 64"
                  : "");
}

}  // namespace qtune::metrics
