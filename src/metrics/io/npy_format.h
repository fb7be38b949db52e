// NumPy's .npy format for float64 arrays (numpy/lib/format.py):
//   "\x93NUMPY", major, minor, header length (u16 for 1.0; u32 for 2.0 and 3.0), then a
//   Python dict literal, padded with spaces and a final '\n' so the data starts at a multiple
//   of 64 bytes, e.g. (version 1.0, 128-byte header + data):
//     {'descr': '<f8', 'fortran_order': False, 'shape': (3,), }          ...\n
//   then the elements, little-endian, row-major.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/base/result.h"

namespace qtune::metrics {

struct NpyArray {
  std::vector<std::int64_t> shape;
  std::vector<double> data;  // row-major
};

// A version 1.0 .npy of `data` with `shape` (product must equal data.size()).
std::string format_npy_f8(std::span<const double> data, std::span<const std::int64_t> shape);

// Requires dtype '<f8' and fortran_order False; kCorrupt naming `where` otherwise.
base::Result<NpyArray> parse_npy_f8(std::string_view bytes, std::string_view where);

}  // namespace qtune::metrics
