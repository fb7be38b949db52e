#include "metrics/weights/storage_convert.h"

#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "metrics/io/little_endian.h"

namespace qtune::metrics {
namespace {

// IEEE 754 binary16 -> float (exact: every half is a float).
float half_to_float(std::uint16_t h) {
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  const float sign = (h & 0x8000) != 0 ? -1.0f : 1.0f;
  if (exponent == 0) return sign * std::ldexp(static_cast<float>(mantissa), -24);
  if (exponent == 31) return mantissa == 0 ? sign * std::numeric_limits<float>::infinity()
                                           : std::numeric_limits<float>::quiet_NaN();
  return sign * std::ldexp(static_cast<float>(mantissa + 1024), exponent - 25);
}

float element_at(std::string_view bytes, StorageType type, std::size_t index) {
  switch (type) {
    case StorageType::kFloat: return load_le<float>(bytes, index * 4);
    case StorageType::kDouble: return static_cast<float>(load_le<double>(bytes, index * 8));
    case StorageType::kHalf: return half_to_float(load_le<std::uint16_t>(bytes, index * 2));
    case StorageType::kLong: return static_cast<float>(load_le<std::int64_t>(bytes, index * 8));
    case StorageType::kInt: return static_cast<float>(load_le<std::int32_t>(bytes, index * 4));
  }
  return 0;
}

}  // namespace

base::Status check_storage_size(const PickleValue& storage, std::size_t bytes, const std::string& file) {
  const std::size_t elem = element_size(storage.storage_type);
  if (static_cast<std::uint64_t>(storage.integer) > std::numeric_limits<std::size_t>::max() / elem ||
      static_cast<std::size_t>(storage.integer) * elem != bytes) {
    return base::Status::corrupt(fmt::format("{}: storage '{}': {} elements of {} bytes declared, {} bytes present",
                                             file, storage.text, storage.integer, elem, bytes));
  }
  return base::Status::ok();
}

base::Result<Tensor> gather_tensor(const PickleValue& tensor, std::string_view bytes, const std::string& where) {
  const PickleValue& storage = *tensor.storage;
  const auto storage_elems = static_cast<std::uint64_t>(storage.integer);
  // Bounds of the view, in elements, with overflow checks (values come from the file).
  constexpr std::uint64_t kMaxElements = std::uint64_t{1} << 40;
  std::uint64_t count = 1;
  std::uint64_t last = tensor.integer < 0 ? kMaxElements : static_cast<std::uint64_t>(tensor.integer);
  for (std::size_t d = 0; d < tensor.shape.size(); ++d) {
    if (tensor.shape[d] < 0 || tensor.stride[d] < 0 || static_cast<std::uint64_t>(tensor.shape[d]) > kMaxElements ||
        static_cast<std::uint64_t>(tensor.stride[d]) > kMaxElements) {
      return base::Status::corrupt(fmt::format("{}: dimension {} has size {} and stride {}; expected both in [0, 2^40]",
                                               where, d, tensor.shape[d], tensor.stride[d]));
    }
    count *= static_cast<std::uint64_t>(tensor.shape[d]);
    if (count > kMaxElements) return base::Status::corrupt(fmt::format("{}: more than 2^40 elements", where));
    if (tensor.shape[d] > 0) {
      last += static_cast<std::uint64_t>(tensor.shape[d] - 1) * static_cast<std::uint64_t>(tensor.stride[d]);
    }
  }
  if (count > 0 && (last >= storage_elems || last >= kMaxElements)) {
    return base::Status::corrupt(fmt::format(
        "{}: view (offset {}, shape {}, stride {}) reaches element {}, storage '{}' has {}", where, tensor.integer,
        fmt::join(tensor.shape, "x"), fmt::join(tensor.stride, ","), last, storage.text, storage_elems));
  }
  Tensor out;
  out.shape = tensor.shape;
  out.data.resize(static_cast<std::size_t>(count));
  // Row-major walk over the view: index[] counts in `shape`, `source` follows the strides.
  std::vector<std::int64_t> index(tensor.shape.size(), 0);
  auto source = static_cast<std::size_t>(tensor.integer);
  for (std::size_t i = 0; i < out.data.size(); ++i) {
    out.data[i] = element_at(bytes, storage.storage_type, source);
    for (std::size_t d = tensor.shape.size(); d-- > 0;) {
      source += static_cast<std::size_t>(tensor.stride[d]);
      if (++index[d] < tensor.shape[d]) break;
      source -= static_cast<std::size_t>(tensor.stride[d] * tensor.shape[d]);
      index[d] = 0;
    }
  }
  return out;
}

}  // namespace qtune::metrics
