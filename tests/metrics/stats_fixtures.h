// Test fixtures for the statistics, Fréchet and KID tests: seeded random features with a
// non-isotropic covariance (so that S1 and S2 differ), and the raw float64 files that
// tests/reference/stats_reference.py reads, and what that script computes from them.
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "qtune/metrics/feature_stats.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace qtune::testing {

// N x d features: non-negative like Inception's pooled ReLU outputs, with per-column scale
// and a shared low-rank component so the covariance is far from a multiple of I.
inline metrics::Features random_features(std::size_t count, std::size_t dims, std::uint64_t seed,
                                         double shift = 0.0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> scale(dims);
  std::vector<double> loading(dims);
  for (std::size_t c = 0; c < dims; ++c) {
    scale[c] = 0.2 + std::fabs(normal(rng));
    loading[c] = normal(rng);
  }
  metrics::Features f{.count = count, .dims = dims, .values = std::vector<double>(count * dims)};
  for (std::size_t r = 0; r < count; ++r) {
    const double common = normal(rng);
    for (std::size_t c = 0; c < dims; ++c) {
      f.values[r * dims + c] =
          std::fabs(scale[c] * normal(rng) + 0.5 * loading[c] * common) + shift;
    }
  }
  return f;
}

inline std::string write_raw(const std::filesystem::path& path, const std::vector<double>& values) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(values.data()),
            static_cast<std::streamsize>(values.size() * sizeof(double)));
  return path.string();
}

inline std::vector<double> read_raw(const std::filesystem::path& path, std::size_t count) {
  std::vector<double> values(count);
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(values.data()),
          static_cast<std::streamsize>(count * sizeof(double)));
  return values;
}

// The value tests/reference/stats_reference.py COMMAND (fid, mmd, ...) prints for features
// a and b.
inline double reference_value(const std::string& command, const metrics::Features& a,
                              const metrics::Features& b) {
  qtune::testing::TempDir dir;
  const auto r = qtune::testing::run_reference_script(
      "stats_reference.py",
      {command, write_raw(dir / "a.bin", a.values), std::to_string(a.count),
       write_raw(dir / "b.bin", b.values), std::to_string(b.count), std::to_string(a.dims)});
  return std::stod(r.out);
}

}  // namespace qtune::testing
