// ZipReader: the entries of a zip archive held in memory (PyTorch `.pth`, NumPy `.npz`).
// Only what those writers produce: one disk, stored (0) or deflated (8) entries, no
// encryption; zip64 sizes and offsets are understood (numpy forces zip64 local headers).
// Every offset and length from the file is checked against the buffer before use, the CRC-32
// of every entry read is verified, and a deflated entry may not claim more than deflate's
// maximum ratio (1032:1) allows
// nor more than 1 GiB. Errors are kCorrupt and name the archive (and entry).
// The reader keeps a view of `bytes`, which must outlive it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/base/result.h"

namespace qtune::metrics {

class ZipReader {
 public:
  struct Entry {
    std::string name;
    std::uint16_t method = 0;  // 0 stored, 8 deflated
    std::uint32_t crc32 = 0;
    std::uint64_t compressed_size = 0;
    std::uint64_t size = 0;
    std::uint64_t data_offset = 0;  // of the entry's data in the archive (checked in bounds)
  };

  // `archive_name` is used in messages (the file path).
  static base::Result<ZipReader> open(std::string_view bytes, std::string archive_name);

  const std::vector<Entry>& entries() const { return entries_; }
  // nullptr if no entry has that exact name.
  const Entry* find(std::string_view name) const;
  // The uncompressed contents: a view into the archive for a stored entry, or the entry
  // inflated into `scratch` (and a view of it) for a deflated one.
  base::Result<std::string_view> read(const Entry& entry, std::string& scratch) const;

 private:
  ZipReader(std::string_view bytes, std::string archive_name)
      : bytes_(bytes), archive_name_(std::move(archive_name)) {}
  base::Status read_central_directory();

  std::string_view bytes_;
  std::string archive_name_;
  std::vector<Entry> entries_;
};

}  // namespace qtune::metrics
