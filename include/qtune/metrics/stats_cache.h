// StatsCache: the features or statistics of image folders that do not change (the study's
// stimulus folder), kept on disk so that each later FID costs only the other side.
//
// An entry is valid for one exact input: its key lists every image file's name, size and
// modification time (nanoseconds), the dims and a 64-bit hash of the weights file's bytes.
// Any change (a file added, removed, rewritten or touched, other weights, other dims) gives
// another key, so a stale entry is never used; stale entries are simply not read again.
// Entry = one file `<dir>/fid-<16 hex digits of the key's hash>.bin` written with
// base::ByteWriter:  str "qtune-fid-cache-1" | str key | u8 kind | u64 count | u64 dims |
// kind 0: f64s features (count x dims, row-major)   kind 1: f64s mu | f64s sigma.
// Features are kept when count < dims (small, and they enable the exact low-rank FID and
// KID); statistics otherwise (sigma is then smaller than the features). The full key is
// stored and compared on load, so a hash collision is a miss, not a wrong value.
//
// Files are written to a temporary name and renamed: concurrent trials that store the same
// entry do not see a half-written file. A corrupt or truncated entry is a miss (it is
// recomputed and overwritten). Errors: the cache folder cannot be created or written
// (kIoError naming it); an image file that cannot be stat'ed (kIoError naming it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "qtune/base/result.h"
#include "qtune/base/status.h"
#include "qtune/metrics/feature_stats.h"

namespace qtune::metrics {

class StatsCache {
 public:
  explicit StatsCache(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // $XDG_CACHE_HOME/qtune, else $HOME/.cache/qtune; kNotFound when neither is set.
  static base::Result<std::filesystem::path> default_dir();

  // The key of `files` (a folder's images, in order) as they are now on disk.
  static base::Result<std::string> key(const std::vector<std::filesystem::path>& files,
                                       std::size_t dims, std::uint64_t weights_hash);

  // The entry stored under `key`, or nullopt if there is none (or it is unreadable).
  std::optional<FidSide> load(const std::string& key) const;
  base::Status store(const std::string& key, const FidSide& side) const;

  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path entry_path(const std::string& key) const;

  std::filesystem::path dir_;
};

// A 64-bit hash of the bytes of `path` (FNV-1a over 8-byte little-endian words): identifies
// a weights file in cache keys without keeping it. kIoError naming the file.
base::Result<std::uint64_t> hash_file(const std::filesystem::path& path);

// FID statistics files (`.npz` with `mu` and `sigma`), the format pytorch-fid writes with
// `np.savez_compressed(path, mu=mu, sigma=sigma)` and reads with `np.load(path)`.
//
// Format: a zip archive whose entries `mu.npy` and `sigma.npy` are NumPy `.npy` files
// (magic "\x93NUMPY", version 1.0/2.0/3.0, a little-endian header length, then a Python dict
// literal such as {'descr': '<f8', 'fortran_order': False, 'shape': (2048, 2048), } padded
// with spaces to a multiple of 64 bytes and ending in '\n', then the raw data).
// We write deflated entries (savez_compressed) in .npy version 1.0; we read deflated or stored
// entries (np.savez too), requiring dtype '<f8', C order, `mu` of shape (d,) and `sigma` of
// shape (d, d). Other arrays in the archive are ignored. Errors name the file and the entry.
// The statistics read have dims = d and count 0 (an .npz does not say how many images).
base::Result<FeatureStats> read_npz_statistics(const std::filesystem::path& path);

// Writes the mu and sigma of `stats` (sigma must hold mu.size()^2 values, else
// kInvalidArgument). Overwrites the file; refusing to overwrite is the caller's policy
// (`qtune fid --save-stats`).
base::Status write_npz_statistics(const std::filesystem::path& path, const FeatureStats& stats);
}  // namespace qtune::metrics
