// The set of images pytorch-fid takes from a folder, and loading them.
// pytorch-fid globs `*.{ext}` for ext in bmp jpg jpeg pgm png ppm tif tiff webp: lower-case
// extensions only (IMG.PNG is skipped), not recursive, then sorts the paths as Python sorts
// str (by code point, i.e. byte order of the UTF-8 names). Images may differ in size.
// Errors name the folder or file: an empty folder (no matching file) is kInvalidArgument;
// a file with an extension we do not decode (bmp, tif, tiff, webp) is kInvalidArgument naming
// it and the supported set (png, jpg, jpeg, ppm, pgm).
#pragma once

#include <filesystem>
#include <vector>

#include "qtune/base/result.h"
#include "qtune/metrics/image.h"

namespace qtune::metrics {

// The image files of `folder`, in pytorch-fid's order. Checks only names, not contents.
base::Result<std::vector<std::filesystem::path>> list_image_files(
    const std::filesystem::path& folder);

// list_image_files + read_image for each, in the same order.
base::Result<std::vector<Image>> read_image_folder(const std::filesystem::path& folder);

}  // namespace qtune::metrics
