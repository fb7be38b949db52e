// FidPipeline: a path -> the features and statistics FID needs, as pytorch-fid's
// compute_statistics_of_path does it, then the distance.
//
// A path ending in ".npz" is read as pytorch-fid statistics (mu, sigma; no features).
// Otherwise it is a folder: its images (pytorch-fid's file set and order) are decoded
// `batch_size` at a time and run through the FID Inception to `dims` features, then mean
// and covariance. With a cache folder, a folder's result is looked up first and stored
// after (StatsCache: keyed by the files' names, sizes and mtimes, dims and the weights
// file's hash), so a fixed stimulus folder is computed once per machine.
// The weights are loaded on the first folder that needs them (never for two .npz files).
//
// fid() uses the exact low-rank Fréchet form whenever a side has fewer images than dims
// and its features are at hand (feature_stats.h). few_images_note() is the warning to show then.
//
// Not thread-safe (the network has scratch buffers); one pipeline per thread. Errors: a
// missing weights file (kNotFound saying where to get it), unsupported dims, batch size
// or a negative thread count (kInvalidArgument), a path that is neither a folder nor an .npz
// (kNotFound), and the errors of image decoding, .npz reading and the cache, each naming its file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "qtune/base/result.h"
#include "qtune/metrics/feature_stats.h"
#include "qtune/metrics/image.h"

namespace qtune::metrics {

struct FidOptions {
  std::size_t dims = 2048;          // 64, 192, 768 or 2048 (pytorch-fid's --dims)
  std::size_t batch_size = 50;      // images decoded and run per step (pytorch-fid's --batch-size)
  std::filesystem::path weights{};  // pytorch-fid's .pth; empty: default_weights_path()
  int threads = 0;                  // compute threads; 0: available_cpus() (threads.h)
  std::optional<std::filesystem::path> cache_dir{};  // nullopt: no cache
};

class InceptionFid;

// Whether a folder goes through the cache: a reference folder that does not change does;
// a folder of freshly generated images (a new one every trial) should not fill it.
enum class Caching { kUse, kSkip };

class FidPipeline {
 public:
  static base::Result<FidPipeline> create(const FidOptions& options);

  FidPipeline(FidPipeline&&) noexcept;
  FidPipeline& operator=(FidPipeline&&) noexcept;
  ~FidPipeline();

  // The statistics of an .npz, or the features and statistics of a folder.
  base::Result<FidSide> side(const std::filesystem::path& path, Caching caching = Caching::kUse);
  // A folder's features (for KID), through the cache like side().
  base::Result<Features> features(const std::filesystem::path& folder,
                                  Caching caching = Caching::kUse);
  // The same for images held in memory (never cached); `what` names them in errors.
  base::Result<FidSide> side(std::span<const Image> images, std::string_view what);
  base::Result<Features> features(std::span<const Image> images);

  const FidOptions& options() const { return options_; }

 private:
  explicit FidPipeline(const FidOptions& options);
  // options_.weights, or default_weights_path() looked up on first use.
  base::Result<std::filesystem::path> weights_path();
  base::Result<std::uint64_t> weights_hash();
  base::Result<InceptionFid*> network();
  base::Result<Features> compute_features(const std::vector<std::filesystem::path>& files);
  base::Result<FidSide> folder_side(const std::filesystem::path& folder, Caching caching);

  FidOptions options_;
  std::optional<std::uint64_t> weights_hash_;
  std::unique_ptr<InceptionFid> network_;  // loaded on first use
};

// The Fréchet distance of two sides, by the cheapest exact form (frechet_distance).
base::Result<double> fid(const FidSide& a, const FidSide& b);

// The few-images warning for a side of `count` images at `dims` (nullopt when count >= dims):
// the covariance is rank-deficient, and FID is dominated by the sample size at N = 10;
// KID and dims 64/192 are the alternatives.
std::optional<std::string> few_images_note(std::size_t count, std::size_t dims,
                                           std::string_view what);

}  // namespace qtune::metrics
