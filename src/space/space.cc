#include "qtune/space/space.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <set>
#include <utility>

#include "qtune/base/result.h"
#include "qtune/space/space_config.h"

namespace qtune::space {
namespace {

bool valid_name(std::string_view name) {
  auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (name.empty() || !letter(name.front())) return false;
  for (char c : name) {
    if (!letter(c) && !digit(c)) return false;
  }
  return true;
}

double as_double(const Value& value) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) return static_cast<double>(*i);
  return std::get<double>(value);
}

bool strictly_increasing(const Dimension& dimension) {
  if (!dimension.numeric()) return false;
  for (std::size_t i = 1; i < dimension.size(); ++i) {
    if (!(as_double(dimension.values[i - 1]) < as_double(dimension.values[i]))) return false;
  }
  return true;
}

}  // namespace

std::string format_value(const Value& value) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) return fmt::format("{}", *i);
  if (const auto* d = std::get_if<double>(&value)) return fmt::format("{}", *d);
  return std::get<std::string>(value);
}

base::Status validate_dimension(const Dimension& dimension) {
  const std::string where = fmt::format("dimension \"{}\"", dimension.name);
  if (!valid_name(dimension.name)) {
    return base::Status::invalid_argument(fmt::format(
        "{}: invalid name; use letters, digits and _, not starting with a digit", where));
  }
  if (dimension.values.empty()) {
    return base::Status::invalid_argument(
        fmt::format("{}: has no values; give at least one", where));
  }
  if (dimension.size() > kMaxDimensionSize) {
    return base::Status::invalid_argument(fmt::format(
        "{}: {} values; at most {} are allowed per dimension (use a larger step or fewer values)",
        where, dimension.size(), kMaxDimensionSize));
  }
  for (const Value& value : dimension.values) {
    const bool is_string = std::holds_alternative<std::string>(value);
    if (is_string != (dimension.kind == DimensionKind::kCategorical)) {
      return base::Status::invalid_argument(
          fmt::format("{}: mixes strings and numbers; use all numbers or all strings", where));
    }
  }
  if (dimension.fidelity && dimension.kind == DimensionKind::kCategorical) {
    return base::Status::invalid_argument(fmt::format(
        "{}: a fidelity must be numeric (a cost that grows with its value, e.g. maxiter); "
        "remove fidelity = true or give numbers",
        where));
  }
  // Generated ranges are strictly increasing, hence free of duplicates: skip the costlier
  // comparison of formatted texts (which is what find_state and command lines see).
  if (strictly_increasing(dimension)) return base::Status::ok();
  std::set<std::string> seen;
  for (const Value& value : dimension.values) {
    if (!seen.insert(format_value(value)).second) {
      return base::Status::invalid_argument(fmt::format(
          "{}: value {} appears twice; list each value once", where, format_value(value)));
    }
  }
  return base::Status::ok();
}

base::Result<Space> Space::create(std::vector<Dimension> dimensions) {
  if (dimensions.empty()) {
    return base::Status::invalid_argument(
        "space: no dimensions; declare at least one, e.g. K = { range = [2, 10] }");
  }
  std::set<std::string_view> names;
  std::uint64_t size = 1;
  const Dimension* fidelity = nullptr;
  for (const Dimension& dimension : dimensions) {
    QTUNE_RETURN_IF_ERROR(validate_dimension(dimension));
    if (dimension.fidelity) {
      if (fidelity != nullptr) {
        return base::Status::invalid_argument(fmt::format(
            "dimension \"{}\": a second fidelity (\"{}\" is one); declare one fidelity = true",
            dimension.name, fidelity->name));
      }
      fidelity = &dimension;
    }
    if (!names.insert(dimension.name).second) {
      return base::Status::invalid_argument(fmt::format(
          "dimension \"{}\": declared twice; give each dimension one name", dimension.name));
    }
    if (size > std::numeric_limits<std::uint64_t>::max() / dimension.size()) {
      return base::Status::invalid_argument(fmt::format(
          "dimension \"{}\": the space has more than 2^64 states from this dimension on; "
          "use fewer dimensions or fewer values",
          dimension.name));
    }
    size *= dimension.size();
  }
  return Space(std::move(dimensions));
}

Space::Space(std::vector<Dimension> dimensions)
    : dimensions_(std::move(dimensions)), strides_(dimensions_.size()) {
  for (std::size_t k = dimensions_.size(); k-- > 0;) {
    strides_[k] = size_;
    size_ *= dimensions_[k].size();
    if (dimensions_[k].fidelity) fidelity_ = k;
  }
}

namespace {
double numeric_value(const Value& value) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) return static_cast<double>(*i);
  return std::get<double>(value);
}
}  // namespace

std::vector<Index> Space::fidelity_order() const {
  QTUNE_CHECK(fidelity_.has_value());
  const Dimension& dim = dimensions_[*fidelity_];
  std::vector<Index> order(dim.size());
  for (Index i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](Index a, Index b) {
    return numeric_value(dim.values[a]) < numeric_value(dim.values[b]);
  });
  return order;
}

StateId Space::at_fidelity(StateId id, Index level) const {
  QTUNE_CHECK(fidelity_.has_value() && level < dimensions_[*fidelity_].size());
  const std::size_t k = *fidelity_;
  return id - index(id, k) * strides_[k] + level * strides_[k];
}

std::optional<std::size_t> Space::find(std::string_view name) const {
  for (std::size_t k = 0; k < dimensions_.size(); ++k) {
    if (dimensions_[k].name == name) return k;
  }
  return std::nullopt;
}

StateId Space::encode(std::span<const Index> indices) const {
  QTUNE_CHECK(indices.size() == dims());
  StateId id = 0;
  for (std::size_t k = 0; k < indices.size(); ++k) {
    QTUNE_CHECK(indices[k] < dimensions_[k].size());
    id += indices[k] * strides_[k];
  }
  return id;
}

void Space::decode(StateId id, std::span<Index> out) const {
  QTUNE_CHECK(id < size_);
  QTUNE_CHECK(out.size() == dims());
  for (std::size_t k = 0; k < out.size(); ++k) {
    out[k] = static_cast<Index>(id / strides_[k]);
    id %= strides_[k];
  }
}

std::vector<Index> Space::decode(StateId id) const {
  std::vector<Index> out(dims());
  decode(id, out);
  return out;
}

Index Space::index(StateId id, std::size_t k) const {
  QTUNE_CHECK(id < size_);
  return static_cast<Index>((id / strides_[k]) % dimensions_[k].size());
}

const Value& Space::value(StateId id, std::size_t k) const {
  return dimensions_[k].values[index(id, k)];
}

std::string Space::describe(StateId id) const {
  std::string out;
  for (std::size_t k = 0; k < dims(); ++k) {
    if (k > 0) out += ' ';
    out += fmt::format("{}={}", dimensions_[k].name, format_value(value(id, k)));
  }
  return out;
}

base::Result<StateId> Space::find_state(std::span<const std::string> texts) const {
  if (texts.size() != dims()) {
    return base::Status::invalid_argument(fmt::format(
        "space: {} values given for {} dimensions; give one per dimension", texts.size(), dims()));
  }
  StateId id = 0;
  for (std::size_t k = 0; k < dims(); ++k) {
    const Dimension& dimension = dimensions_[k];
    // The same matching as import and replay: a number by value (1e-9 relative), not by text.
    const std::optional<Index> found = find_value(dimension, texts[k]);
    if (!found) {
      return base::Status::not_found(
          fmt::format("dimension \"{}\": \"{}\" is not one of its values; use one of {}",
                      dimension.name, texts[k], list_values(dimension, 8)));
    }
    id += *found * strides_[k];
  }
  return id;
}

}  // namespace qtune::space
