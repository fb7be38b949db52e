// Reading a whole file into memory, with errors that name the file. Shared by the image,
// npz and weights readers, which all parse from an in-memory buffer.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

#include "qtune/base/result.h"
#include "qtune/base/status.h"

namespace qtune::metrics {

// kNotFound if `path` does not exist, kIoError if it is not a readable regular file.
base::Result<std::string> read_file_bytes(const std::filesystem::path& path);

// A read-only memory map of a whole file (large inputs such as 95 MB weights, parsed in
// place without a copy). Movable, not copyable; unmaps on destruction. If another process
// truncates the file while it is mapped, reads past the new end raise SIGBUS: inputs are
// assumed not to change while they are read.
class MappedFile {
 public:
  // kNotFound / kIoError naming the file.
  static base::Result<MappedFile> open(const std::filesystem::path& path);
  MappedFile(MappedFile&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  MappedFile& operator=(MappedFile&&) = delete;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::string_view bytes() const { return {static_cast<const char*>(data_), size_}; }

 private:
  MappedFile(void* data, std::size_t size) : data_(data), size_(size) {}
  void* data_ = nullptr;  // nullptr for an empty file
  std::size_t size_ = 0;
};

// Writes `bytes` to `path` (truncating); kIoError naming the file on failure.
base::Status write_file_bytes(const std::filesystem::path& path, std::string_view bytes);

}  // namespace qtune::metrics
