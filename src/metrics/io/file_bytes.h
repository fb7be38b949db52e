// Reading a whole file into memory, with errors that name the file. Shared by the image,
// npz and weights readers, which all parse from an in-memory buffer.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "qtune/base/result.h"
#include "qtune/base/status.h"

namespace qtune::metrics {

// kNotFound if `path` does not exist, kIoError if it is not a readable regular file.
base::Result<std::string> read_file_bytes(const std::filesystem::path& path);

// Writes `bytes` to `path` (truncating); kIoError naming the file on failure.
base::Status write_file_bytes(const std::filesystem::path& path, std::string_view bytes);

}  // namespace qtune::metrics
