// ZipWriter: builds a zip archive in memory with deflated entries, as Python's zipfile does
// for np.savez_compressed (no zip64: entries and archive below 4 GiB, checked). Entry times
// are fixed at 1980-01-01 00:00 so that the same contents give the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/base/status.h"

namespace qtune::metrics {

class ZipWriter {
 public:
  // Appends a deflated entry; kInvalidArgument if it would need zip64.
  base::Status add(std::string_view name, std::string_view contents);
  // The archive: entries, central directory, end record.
  std::string finish() &&;

 private:
  struct Central {
    std::string name;
    std::uint32_t crc32;
    std::uint32_t compressed_size;
    std::uint32_t size;
    std::uint32_t offset;
  };
  std::string out_;
  std::vector<Central> central_;
};

}  // namespace qtune::metrics
