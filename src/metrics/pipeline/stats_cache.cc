#include "qtune/metrics/stats_cache.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <system_error>

#include "base/bytes.h"

namespace qtune::metrics {
namespace {

constexpr std::string_view kMagic = "qtune-fid-cache-1";
constexpr std::uint8_t kKindFeatures = 0;
constexpr std::uint8_t kKindStats = 1;
constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;

std::uint64_t fnv1a(std::uint64_t h, const char* data, std::size_t n) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, data + i, 8);
    h = (h ^ word) * kFnvPrime;
  }
  for (; i < n; ++i) h = (h ^ static_cast<unsigned char>(data[i])) * kFnvPrime;
  return h;
}

std::optional<FidSide> parse_entry(const std::string& bytes, const std::string& key) {
  base::ByteReader in(bytes, "fid cache entry");
  auto magic = in.str();
  auto stored_key = in.str();
  if (!magic.is_ok() || *magic != kMagic || !stored_key.is_ok() || *stored_key != key)
    return std::nullopt;
  auto kind = in.u8();
  auto count = in.u64();
  auto dims = in.u64();
  if (!kind.is_ok() || !count.is_ok() || !dims.is_ok()) return std::nullopt;
  if (*kind == kKindFeatures) {
    auto values = in.f64s();
    if (!values.is_ok() || !in.expect_end().is_ok()) return std::nullopt;
    Features features{.count = *count, .dims = *dims, .values = std::move(values).value()};
    auto stats = compute_stats(features, "fid cache entry");
    if (!stats.is_ok()) return std::nullopt;
    return FidSide{std::move(stats).value(), std::move(features)};
  }
  auto mu = in.f64s();
  auto sigma = in.f64s();
  if (*kind != kKindStats || !mu.is_ok() || !sigma.is_ok() || !in.expect_end().is_ok())
    return std::nullopt;
  if (mu->size() != *dims || sigma->size() != *dims * *dims) return std::nullopt;
  return FidSide{FeatureStats{.dims = *dims,
                              .count = *count,
                              .mu = std::move(mu).value(),
                              .sigma = std::move(sigma).value()},
                 std::nullopt};
}

}  // namespace

base::Result<std::filesystem::path> StatsCache::default_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::filesystem::path(xdg) / "qtune";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::filesystem::path(home) / ".cache" / "qtune";
  }
  return base::Status::not_found(
      "fid cache: neither XDG_CACHE_HOME nor HOME is set; set one or pass a cache folder");
}

base::Result<std::string> StatsCache::key(const std::vector<std::filesystem::path>& files,
                                          std::size_t dims, std::uint64_t weights_hash) {
  std::string key = fmt::format("dims {}\nweights {:016x}\n", dims, weights_hash);
  for (const auto& file : files) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
      return base::Status::io_error(
          fmt::format("{}: cannot stat: {}", file.string(), std::strerror(errno)));
    }
    const long long mtime_ns =
        static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    key +=
        fmt::format("{}\t{}\t{}\n", std::filesystem::absolute(file).string(), st.st_size, mtime_ns);
  }
  return key;
}

std::filesystem::path StatsCache::entry_path(const std::string& key) const {
  return dir_ / fmt::format("fid-{:016x}.bin", fnv1a(kFnvOffset, key.data(), key.size()));
}

std::optional<FidSide> StatsCache::load(const std::string& key) const {
  std::ifstream in(entry_path(key), std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return parse_entry(bytes.str(), key);
}

base::Status StatsCache::store(const std::string& key, const FidSide& side) const {
  base::ByteWriter out;
  out.str(kMagic);
  out.str(key);
  const bool keep_features =
      side.features.has_value() && side.features->count < side.features->dims;
  out.u8(keep_features ? kKindFeatures : kKindStats);
  out.u64(side.stats.count);
  out.u64(side.stats.dims);
  if (keep_features) {
    out.f64s(side.features->values);
  } else {
    out.f64s(side.stats.mu);
    out.f64s(side.stats.sigma);
  }
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) {
    return base::Status::io_error(
        fmt::format("{}: cannot create the fid cache folder: {}", dir_.string(), ec.message()));
  }
  const std::filesystem::path target = entry_path(key);
  const std::filesystem::path temp = target.string() + fmt::format(".tmp{}", ::getpid());
  {
    std::ofstream file(temp, std::ios::binary | std::ios::trunc);
    file.write(out.bytes().data(), static_cast<std::streamsize>(out.bytes().size()));
    if (!file)
      return base::Status::io_error(
          fmt::format("{}: cannot write the fid cache entry", temp.string()));
  }
  std::filesystem::rename(temp, target, ec);
  if (ec)
    return base::Status::io_error(
        fmt::format("{}: cannot rename into place: {}", target.string(), ec.message()));
  return base::Status::ok();
}

base::Result<std::uint64_t> hash_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return base::Status::io_error(fmt::format("{}: cannot open to hash it", path.string()));
  std::vector<char> buffer(1 << 20);  // a multiple of 8: words never straddle two reads
  std::uint64_t h = kFnvOffset;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    h = fnv1a(h, buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad())
    return base::Status::io_error(fmt::format("{}: read error while hashing", path.string()));
  return h;
}

}  // namespace qtune::metrics
