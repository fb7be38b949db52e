// FID statistics .npz: a zip of mu.npy and sigma.npy (see qtune/metrics/stats_cache.h).
#include <fmt/format.h>

#include "metrics/io/file_bytes.h"
#include "metrics/io/npy_format.h"
#include "metrics/io/zip_reader.h"
#include "metrics/io/zip_writer.h"
#include "qtune/metrics/stats_cache.h"

namespace qtune::metrics {

base::Result<FeatureStats> read_npz_statistics(const std::filesystem::path& path) {
  QTUNE_ASSIGN_OR_RETURN(const std::string bytes, read_file_bytes(path));
  const std::string file = path.string();
  QTUNE_ASSIGN_OR_RETURN(const ZipReader zip, ZipReader::open(bytes, file));
  NpyArray arrays[2];
  const char* names[2] = {"mu", "sigma"};
  for (int i = 0; i < 2; ++i) {
    const auto* entry = zip.find(std::string(names[i]) + ".npy");
    if (entry == nullptr) {
      return base::Status::corrupt(
          fmt::format("{}: no '{}' array; expected FID statistics with 'mu' and 'sigma' "
                      "(pytorch-fid --save-stats)",
                      file, names[i]));
    }
    std::string scratch;
    QTUNE_ASSIGN_OR_RETURN(const std::string_view npy, zip.read(*entry, scratch));
    QTUNE_ASSIGN_OR_RETURN(arrays[i], parse_npy_f8(npy, fmt::format("{}: {}", file, entry->name)));
  }
  const auto& mu_shape = arrays[0].shape;
  const auto& sigma_shape = arrays[1].shape;
  if (mu_shape.size() != 1 || sigma_shape.size() != 2 || sigma_shape[0] != mu_shape[0] ||
      sigma_shape[1] != mu_shape[0]) {
    return base::Status::corrupt(
        fmt::format("{}: mu has shape ({}) and sigma ({}); expected (d,) and (d, d)", file,
                    fmt::join(mu_shape, ", "), fmt::join(sigma_shape, ", ")));
  }
  const std::size_t d = arrays[0].data.size();
  return FeatureStats{
      .dims = d, .count = 0, .mu = std::move(arrays[0].data), .sigma = std::move(arrays[1].data)};
}

base::Status write_npz_statistics(const std::filesystem::path& path, const FeatureStats& stats) {
  const auto d = static_cast<std::int64_t>(stats.mu.size());
  if (stats.sigma.size() != stats.mu.size() * stats.mu.size()) {
    return base::Status::invalid_argument(
        fmt::format("{}: sigma has {} values for {} dims; expected {}", path.string(),
                    stats.sigma.size(), d, d * d));
  }
  ZipWriter zip;
  const std::int64_t mu_shape[] = {d};
  const std::int64_t sigma_shape[] = {d, d};
  QTUNE_RETURN_IF_ERROR(zip.add("mu.npy", format_npy_f8(stats.mu, mu_shape)));
  QTUNE_RETURN_IF_ERROR(zip.add("sigma.npy", format_npy_f8(stats.sigma, sigma_shape)));
  return write_file_bytes(path, std::move(zip).finish());
}

}  // namespace qtune::metrics
