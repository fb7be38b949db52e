#include "metrics/weights/storage_convert.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "metrics/io/little_endian.h"

namespace qtune::metrics {
namespace {

// IEEE 754 binary16 -> float (exact: every half is a float).
float half_to_float(std::uint16_t h) {
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  const float sign = (h & 0x8000) != 0 ? -1.0f : 1.0f;
  if (exponent == 0) return sign * std::ldexp(static_cast<float>(mantissa), -24);
  if (exponent == 31)
    return mantissa == 0 ? sign * std::numeric_limits<float>::infinity()
                         : std::numeric_limits<float>::quiet_NaN();
  return sign * std::ldexp(static_cast<float>(mantissa + 1024), exponent - 25);
}

float element_at(std::string_view bytes, StorageType type, std::size_t index) {
  switch (type) {
    case StorageType::kFloat:
      return load_le<float>(bytes, index * 4);
    case StorageType::kDouble:
      return static_cast<float>(load_le<double>(bytes, index * 8));
    case StorageType::kHalf:
      return half_to_float(load_le<std::uint16_t>(bytes, index * 2));
    case StorageType::kLong:
      return static_cast<float>(load_le<std::int64_t>(bytes, index * 8));
    case StorageType::kInt:
      return static_cast<float>(load_le<std::int32_t>(bytes, index * 4));
  }
  return 0;
}

// True if `stride` is the row-major stride of `shape` (dimensions of size 1 may have any stride).
bool is_row_major(const std::vector<std::int64_t>& shape, const std::vector<std::int64_t>& stride) {
  std::int64_t expected = 1;
  for (std::size_t d = shape.size(); d-- > 0;) {
    if (shape[d] != 1 && stride[d] != expected) return false;
    expected *= shape[d];
  }
  return true;
}

}  // namespace

base::Status check_storage_size(const PickleValue& storage, std::size_t bytes,
                                const std::string& file) {
  const std::size_t elem = element_size(storage.storage_type);
  if (static_cast<std::uint64_t>(storage.integer) >
          std::numeric_limits<std::size_t>::max() / elem ||
      static_cast<std::size_t>(storage.integer) * elem != bytes) {
    return base::Status::corrupt(
        fmt::format("{}: storage '{}': {} elements of {} bytes declared, {} bytes present", file,
                    storage.text, storage.integer, elem, bytes));
  }
  return base::Status::ok();
}

base::Result<Tensor> gather_tensor(const PickleValue& tensor, std::string_view bytes,
                                   const std::string& where) {
  const PickleValue& storage = *tensor.storage;
  const auto storage_elems = static_cast<std::uint64_t>(storage.integer);
  // Bounds of the view, in elements, with overflow checks (values come from the file). A
  // view may not have more elements than its storage: that bounds what we allocate by what
  // the file holds (broadcast views with stride 0 are refused; a state dict has none).
  std::uint64_t count = 1;
  if (tensor.integer < 0 || static_cast<std::uint64_t>(tensor.integer) > storage_elems) {
    return base::Status::corrupt(
        fmt::format("{}: storage offset {} lies outside storage '{}' of {} elements", where,
                    tensor.integer, storage.text, storage_elems));
  }
  std::uint64_t last = static_cast<std::uint64_t>(tensor.integer);
  for (std::size_t d = 0; d < tensor.shape.size(); ++d) {
    if (tensor.shape[d] < 0 || tensor.stride[d] < 0) {
      return base::Status::corrupt(
          fmt::format("{}: dimension {} has size {} and stride {}; expected both >= 0", where, d,
                      tensor.shape[d], tensor.stride[d]));
    }
    const auto size = static_cast<std::uint64_t>(tensor.shape[d]);
    const auto stride = static_cast<std::uint64_t>(tensor.stride[d]);
    if (size == 0) {
      count = 0;
      continue;
    }
    if (count != 0) count = size > storage_elems / count ? storage_elems + 1 : count * size;
    // last += (size - 1) * stride, saturating far past any storage end instead of wrapping.
    constexpr std::uint64_t kSaturated = std::numeric_limits<std::uint64_t>::max() / 2;
    last = stride != 0 && size - 1 > (kSaturated - last) / stride ? kSaturated
                                                                  : last + (size - 1) * stride;
  }
  if (count > storage_elems) {
    return base::Status::corrupt(
        fmt::format("{}: view of shape [{}] has more elements than storage '{}' ({}); "
                    "expected a tensor saved from contiguous memory",
                    where, fmt::join(tensor.shape, ", "), storage.text, storage_elems));
  }
  if (count > 0 && last >= storage_elems) {
    return base::Status::corrupt(fmt::format(
        "{}: view (offset {}, shape [{}], stride [{}]) reaches element {}, storage '{}' has {}",
        where, tensor.integer, fmt::join(tensor.shape, ", "), fmt::join(tensor.stride, ", "), last,
        storage.text, storage_elems));
  }
  Tensor out;
  out.shape = tensor.shape;
  out.data.resize(static_cast<std::size_t>(count));
  if (storage.storage_type == StorageType::kFloat && std::endian::native == std::endian::little &&
      is_row_major(tensor.shape, tensor.stride) && count > 0) {
    // The common case (every weight of a state dict): one copy of contiguous floats.
    std::memcpy(out.data.data(), bytes.data() + static_cast<std::size_t>(tensor.integer) * 4,
                out.data.size() * 4);
    return out;
  }
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
