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
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

#include "qtune/base/result.h"
#include "qtune/base/status.h"

namespace qtune::metrics {

struct FidStatistics {
  std::vector<double> mu;     // d values
  std::vector<double> sigma;  // d*d values, row-major (symmetric in practice)
  std::size_t dims() const { return mu.size(); }
};

base::Result<FidStatistics> read_npz_statistics(const std::filesystem::path& path);

// Writes `stats` (sigma.size() must be dims()^2, else kInvalidArgument). Overwrites the file;
// refusing to overwrite is the caller's policy (`qtune fid --save-stats`).
base::Status write_npz_statistics(const std::filesystem::path& path, const FidStatistics& stats);

}  // namespace qtune::metrics
