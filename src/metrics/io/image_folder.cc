// pytorch-fid's file set (fid_score.py, compute_statistics_of_path):
//   files = sorted(file for ext in IMAGE_EXTENSIONS for file in path.glob(f"*.{ext}"))
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string_view>
#include <system_error>

#include "qtune/metrics/image.h"

namespace qtune::metrics {
namespace {

constexpr std::array<std::string_view, 9> kExtensions = {"bmp", "jpg", "jpeg", "pgm", "png",
                                                         "ppm", "tif", "tiff", "webp"};

// The extension pytorch-fid's glob "*.<ext>" matches (case-sensitive), or "" for none.
std::string_view matched_extension(std::string_view file_name) {
  const std::size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos) return {};
  const std::string_view ext = file_name.substr(dot + 1);
  return std::find(kExtensions.begin(), kExtensions.end(), ext) != kExtensions.end()
             ? ext
             : std::string_view{};
}

}  // namespace

base::Result<std::vector<std::filesystem::path>> list_image_files(
    const std::filesystem::path& folder) {
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) {
    return base::Status::not_found(
        fmt::format("{}: not a directory; expected a folder of images", folder.string()));
  }
  std::vector<std::filesystem::path> files;
  std::filesystem::directory_iterator it(folder, ec);
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const std::string_view ext = matched_extension(name);
    if (ext.empty()) continue;
    files.push_back(it->path());
  }
  if (ec)
    return base::Status::io_error(
        fmt::format("{}: cannot list: {}", folder.string(), ec.message()));
  if (files.empty()) {
    return base::Status::invalid_argument(
        fmt::format("{}: no images (files ending in .bmp, .jpg, .jpeg, .pgm, .png, .ppm, .tif, "
                    ".tiff or .webp, lower case); expected at least one",
                    folder.string()));
  }
  // Python compares str by code point; for UTF-8 names that is byte order.
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.native() < b.native(); });
  return files;
}

base::Result<std::vector<Image>> read_image_folder(const std::filesystem::path& folder) {
  QTUNE_ASSIGN_OR_RETURN(const auto files, list_image_files(folder));
  std::vector<Image> images;
  images.reserve(files.size());
  for (const auto& file : files) {
    QTUNE_ASSIGN_OR_RETURN(Image image, read_image(file));
    images.push_back(std::move(image));
  }
  return images;
}

}  // namespace qtune::metrics
