// The search space: named discrete dimensions, each an ordered list of values.
//
// A state is one index per dimension; its id is the mixed-radix encoding of the indices,
// with the FIRST dimension most significant (row-major, as numpy's ravel_multi_index):
//
//   dims K = {2,3} (n=2), batch = {8,16,32} (n=3)      id = i_K * 3 + i_batch
//   id:        0      1       2       3      4       5
//   (K,batch): (2,8)  (2,16)  (2,32)  (3,8)  (3,16)  (3,32)
//
// A Space is immutable after creation and safe to share between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "qtune/base/result.h"

namespace qtune::space {

using StateId = std::uint64_t;
using Index = std::uint32_t;  // index of a value within one dimension

// One value of a dimension: integers stay integers, floats and strings as given.
using Value = std::variant<std::int64_t, double, std::string>;

// How a dimension was declared; the values are always an explicit ordered list.
enum class DimensionKind {
  kRange,        // { range = [lo, hi], step = s }: lo, lo+s, ..., <= hi
  kValues,       // { values = [...] } numbers, in the order given
  kPowerOfTwo,   // { pow2 = [lo, hi] }: powers of two from lo to hi inclusive
  kLog,          // { log = [lo, hi], num = n }: n values geometrically spaced
  kCategorical,  // { values = ["a", "b"] }: strings, order as given
};

struct Dimension {
  std::string name;
  DimensionKind kind = DimensionKind::kValues;
  std::vector<Value> values;
  // The fidelity of a multi-fidelity study (`{ values = [...], fidelity = true }`): a
  // numeric dimension whose larger values cost more and measure better, e.g. maxiter.
  // Multi-fidelity strategies evaluate cheap levels to learn and recommend at the largest
  // value (fidelity_order). At most one per space, never categorical.
  bool fidelity = false;

  std::size_t size() const { return values.size(); }
  bool numeric() const { return kind != DimensionKind::kCategorical; }
};

// The text of a value as it reaches a command line: 64 -> "64", 0.001 -> "0.001" (the
// shortest text that reads back as the same double), strings as given.
std::string format_value(const Value& value);

// Largest number of values in one dimension: values are held explicitly, so a dimension of
// 10^12 values is a configuration mistake, not a search space.
inline constexpr std::size_t kMaxDimensionSize = 1'000'000;

// Checks one dimension on its own: its name is [A-Za-z_][A-Za-z0-9_]*, it has 1 to
// kMaxDimensionSize values, no two values format to the same text, its values are all
// strings (kCategorical) or all numbers (otherwise), and a fidelity is numeric. Messages
// start with `dimension "NAME": `.
base::Status validate_dimension(const Dimension& dimension);

class Space {
 public:
  // kInvalidArgument for: no dimensions, a dimension that validate_dimension() rejects,
  // duplicate names, two fidelity dimensions, or a product of sizes that does not fit in 64 bits
  // (the message names the dimension where it overflows).
  static base::Result<Space> create(std::vector<Dimension> dimensions);

  std::size_t dims() const { return dimensions_.size(); }
  const std::vector<Dimension>& dimensions() const { return dimensions_; }
  const Dimension& dimension(std::size_t k) const { return dimensions_[k]; }
  std::optional<std::size_t> find(std::string_view name) const;
  // The fidelity dimension (Dimension::fidelity), if one was declared.
  std::optional<std::size_t> fidelity() const { return fidelity_; }
  // The fidelity's value indices from the cheapest (smallest value) to the highest level.
  // QTUNE_CHECKs that the space has a fidelity.
  std::vector<Index> fidelity_order() const;
  // The same configuration at fidelity level `level` (a value index of the fidelity).
  StateId at_fidelity(StateId id, Index level) const;
  // Number of states, the product of the dimension sizes (fits in 64 bits).
  std::uint64_t size() const { return size_; }
  // Id distance between neighbours along dimension k: the product of the sizes after k.
  std::uint64_t stride(std::size_t k) const { return strides_[k]; }
  // Index of dimension k in state id, without decoding the others.
  Index index(StateId id, std::size_t k) const;

  // QTUNE_CHECKs that every index is in range and indices.size() == dims().
  StateId encode(std::span<const Index> indices) const;
  // QTUNE_CHECKs id < size(); out.size() must equal dims().
  void decode(StateId id, std::span<Index> out) const;
  std::vector<Index> decode(StateId id) const;

  // Value of dimension k in state id.
  const Value& value(StateId id, std::size_t k) const;
  // "K=4 intermediate_dim=128 ..." for logs and tables.
  std::string describe(StateId id) const;
  // Finds the state whose formatted values equal `texts` (one per dimension, in order);
  // kNotFound names the first dimension whose text is not one of its values.
  base::Result<StateId> find_state(std::span<const std::string> texts) const;

 private:
  explicit Space(std::vector<Dimension> dimensions);
  std::vector<Dimension> dimensions_;
  std::vector<std::uint64_t> strides_;  // strides_[k] = product of sizes after k
  std::optional<std::size_t> fidelity_;
  std::uint64_t size_ = 1;
};

}  // namespace qtune::space
