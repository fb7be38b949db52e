#include "qtune/space/space_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "base/toml_reader.h"

namespace qtune::space {
namespace {

constexpr std::string_view kForms =
    "{ range = [lo, hi], step = s }, { values = [...] }, { pow2 = [lo, hi] } or "
    "{ log = [lo, hi], num = n }";

// Rounds to 12 significant digits, so that 0.1 + 2 * 0.1 reads 0.3 and 10^-3 reads 0.001.
double tidy(double v) { return std::stod(fmt::format("{:.12g}", v)); }

bool is_power_of_two(std::int64_t v) { return v >= 1 && (v & (v - 1)) == 0; }

// Parses one dimension; every message starts with "file:line: dimension "name": ".
class DimensionParser {
 public:
  DimensionParser(std::string_view file, std::string_view name, const toml::node& node)
      : name_(name),
        node_(node),
        file_line_(fmt::format("{}:{}", file, node.source().begin.line)),
        where_(fmt::format("{}: dimension \"{}\"", file_line_, name)) {}

  base::Result<Dimension> parse() {
    Dimension dimension;
    dimension.name = name_;
    QTUNE_RETURN_IF_ERROR(read(dimension));
    QTUNE_RETURN_IF_ERROR(validate_dimension(dimension).with_context(file_line_));
    return dimension;
  }

  // The number of values parse() would make (at most kMaxDimensionSize), computed from
  // the bounds, step and num without making them: a space's size is checked first.
  base::Result<std::uint64_t> size() {
    sizing_ = true;
    Dimension dimension;
    QTUNE_RETURN_IF_ERROR(read(dimension));
    return size_;
  }

  std::string_view file_line() const { return file_line_; }

 private:
  base::Status read(Dimension& dimension) const {
    if (const toml::array* values = node_.as_array()) return read_values(*values, dimension);
    if (const toml::table* table = node_.as_table()) return read_table(*table, dimension);
    return fail(fmt::format("is {}; use one of {}", base::toml_type_name(node_), kForms));
  }

  // Records a dimension's size; true when only the size was asked for (size()).
  bool sized(std::uint64_t count) const {
    size_ = count;
    return sizing_;
  }

  // A bound or step as a double; an integer beyond 2^53 has none exactly.
  base::Result<double> real(std::string_view what, const toml::node& node) const {
    const base::Result<double> value = base::toml_real(node, what, "");
    if (!value.is_ok()) {
      return fail(
          fmt::format("{} {} is too large to read exactly; use a float or an integer "
                      "of at most 2^53",
                      what, node.as_integer()->get()));
    }
    return *value;
  }
  base::Status fail(std::string_view what) const {
    return base::Status::invalid_argument(fmt::format("{}: {}", where_, what));
  }

  base::Status read_table(const toml::table& table, Dimension& dimension) const {
    const toml::node* form = nullptr;
    std::string_view form_name;
    for (auto&& [key, value] : table) {
      const std::string_view k = key.str();
      if (k == "range" || k == "values" || k == "pow2" || k == "log") {
        if (form != nullptr) {
          return fail(fmt::format("both \"{}\" and \"{}\" given; use exactly one of {}", form_name,
                                  k, kForms));
        }
        form = &value;
        form_name = k;
      } else if (k == "fidelity") {
        const toml::value<bool>* flag = value.as_boolean();
        if (flag == nullptr) {
          return fail(fmt::format("fidelity is {}; use fidelity = true or false",
                                  base::toml_type_name(value)));
        }
        dimension.fidelity = flag->get();
      } else if (k != "step" && k != "num") {
        return fail(
            fmt::format("unknown key \"{}\"; valid keys are range, step, values, pow2, "
                        "log, num and fidelity",
                        k));
      }
    }
    if (form == nullptr)
      return fail(fmt::format("no range, values, pow2 or log; use one of {}", kForms));
    if (table.contains("step") && form_name != "range") {
      return fail(
          "\"step\" applies only to range; remove it or use { range = [lo, hi], step = s }");
    }
    if (table.contains("num") && form_name != "log") {
      return fail("\"num\" applies only to log; remove it or use { log = [lo, hi], num = n }");
    }
    if (form_name == "values") {
      const toml::array* values = form->as_array();
      if (values == nullptr)
        return fail(fmt::format("values is {}; use values = [...]", base::toml_type_name(*form)));
      return read_values(*values, dimension);
    }
    if (form_name == "range") return read_range(*form, table.get("step"), dimension);
    if (form_name == "pow2") return read_pow2(*form, dimension);
    return read_log(*form, table.get("num"), dimension);
  }

  base::Status read_values(const toml::array& values, Dimension& dimension) const {
    if (values.empty()) return fail("values is empty; give at least one value");
    if (values.size() > kMaxDimensionSize) return too_many(values.size());
    if (sized(values.size())) return base::Status::ok();
    dimension.kind = values[0].is_string() ? DimensionKind::kCategorical : DimensionKind::kValues;
    for (std::size_t i = 0; i < values.size(); ++i) {
      const toml::node& v = values[i];
      if (v.is_integer()) {
        dimension.values.emplace_back(v.as_integer()->get());
      } else if (v.is_floating_point()) {
        dimension.values.emplace_back(v.as_floating_point()->get());
      } else if (v.is_string()) {
        dimension.values.emplace_back(v.as_string()->get());
      } else {
        return fail(
            fmt::format("values[{}] is {}; use numbers or strings", i, base::toml_type_name(v)));
      }
    }
    return base::Status::ok();
  }

  // Reads [lo, hi] of `form` (two numbers) into lo and hi.
  base::Status read_bounds(std::string_view form_name, const toml::node& form,
                           const toml::node*& lo, const toml::node*& hi) const {
    const toml::array* bounds = form.as_array();
    if (bounds == nullptr || bounds->size() != 2 || !(*bounds)[0].is_number() ||
        !(*bounds)[1].is_number()) {
      return fail(fmt::format("{} must be [lo, hi] with two numbers", form_name));
    }
    lo = &(*bounds)[0];
    hi = &(*bounds)[1];
    if (lo->is_integer() && hi->is_integer()) {
      if (lo->as_integer()->get() > hi->as_integer()->get()) {
        return fail(fmt::format("{} [{}, {}] is empty (lo > hi); use lo <= hi", form_name,
                                lo->as_integer()->get(), hi->as_integer()->get()));
      }
      return base::Status::ok();
    }
    QTUNE_ASSIGN_OR_RETURN(const double a, real(fmt::format("{} bound", form_name), *lo));
    QTUNE_ASSIGN_OR_RETURN(const double b, real(fmt::format("{} bound", form_name), *hi));
    if (!std::isfinite(a) || !std::isfinite(b)) {
      return fail(fmt::format("{} [{}, {}] is not finite; use finite numbers", form_name, a, b));
    }
    if (a > b) {
      return fail(fmt::format("{} [{}, {}] is empty (lo > hi); use lo <= hi", form_name, a, b));
    }
    return base::Status::ok();
  }

  base::Status read_range(const toml::node& form, const toml::node* step,
                          Dimension& dimension) const {
    const toml::node* lo = nullptr;
    const toml::node* hi = nullptr;
    QTUNE_RETURN_IF_ERROR(read_bounds("range", form, lo, hi));
    if (step != nullptr && !step->is_number()) {
      return fail(fmt::format("step is {}; use a number > 0", base::toml_type_name(*step)));
    }
    dimension.kind = DimensionKind::kRange;
    const bool integers =
        lo->is_integer() && hi->is_integer() && (step == nullptr || step->is_integer());
    if (integers) {
      const std::int64_t a = lo->as_integer()->get();
      const std::int64_t b = hi->as_integer()->get();
      const std::int64_t s = step == nullptr ? 1 : step->as_integer()->get();
      if (s <= 0) return fail(fmt::format("step {} is invalid; use an integer >= 1", s));
      // Unsigned arithmetic: b - a may not fit in int64.
      const std::uint64_t count = (static_cast<std::uint64_t>(b) - static_cast<std::uint64_t>(a)) /
                                      static_cast<std::uint64_t>(s) +
                                  1;
      if (count > kMaxDimensionSize) return too_many(count);
      if (sized(count)) return base::Status::ok();
      for (std::uint64_t i = 0; i < count; ++i) {
        dimension.values.emplace_back(static_cast<std::int64_t>(static_cast<std::uint64_t>(a) +
                                                                i * static_cast<std::uint64_t>(s)));
      }
      return base::Status::ok();
    }
    QTUNE_ASSIGN_OR_RETURN(const double a, real("range bound", *lo));
    QTUNE_ASSIGN_OR_RETURN(const double b, real("range bound", *hi));
    double s = 1.0;
    if (step != nullptr) {
      QTUNE_ASSIGN_OR_RETURN(s, real("step", *step));
    }
    if (!(s > 0.0) || !std::isfinite(s))
      return fail(fmt::format("step {} is invalid; use a number > 0", s));
    // The 1e-9 tolerance keeps hi when (hi - lo) / step is an integer up to rounding.
    const double count = std::floor((b - a) / s + 1e-9) + 1.0;
    if (!(count <= static_cast<double>(kMaxDimensionSize))) return too_many(count);
    if (sized(static_cast<std::uint64_t>(count))) return base::Status::ok();
    for (double i = 0.0; i < count; i += 1.0) dimension.values.emplace_back(tidy(a + i * s));
    return base::Status::ok();
  }

  base::Status read_pow2(const toml::node& form, Dimension& dimension) const {
    const toml::node* lo = nullptr;
    const toml::node* hi = nullptr;
    QTUNE_RETURN_IF_ERROR(read_bounds("pow2", form, lo, hi));
    for (const toml::node* bound : {lo, hi}) {
      if (!bound->is_integer() || !is_power_of_two(bound->as_integer()->get())) {
        return fail(fmt::format(
            "pow2 bound {} is not a power of two; use integer powers of two "
            ">= 1, e.g. pow2 = [8, 64]",
            bound->is_integer() ? fmt::format("{}", bound->as_integer()->get())
                                : fmt::format("{}", bound->as_floating_point()->get())));
      }
    }
    dimension.kind = DimensionKind::kPowerOfTwo;
    const std::int64_t a = lo->as_integer()->get();
    const std::int64_t b = hi->as_integer()->get();
    if (sized(static_cast<std::uint64_t>(std::countr_zero(static_cast<std::uint64_t>(b)) -
                                         std::countr_zero(static_cast<std::uint64_t>(a)) + 1))) {
      return base::Status::ok();
    }
    for (std::int64_t v = a; v <= b; v *= 2) {
      dimension.values.emplace_back(v);
      if (v > b / 2) break;  // the next doubling could overflow
    }
    return base::Status::ok();
  }

  base::Status read_log(const toml::node& form, const toml::node* num, Dimension& dimension) const {
    const toml::node* lo = nullptr;
    const toml::node* hi = nullptr;
    QTUNE_RETURN_IF_ERROR(read_bounds("log", form, lo, hi));
    QTUNE_ASSIGN_OR_RETURN(const double a, real("log bound", *lo));
    QTUNE_ASSIGN_OR_RETURN(const double b, real("log bound", *hi));
    if (!(a > 0.0) || !(b > a)) {
      return fail(fmt::format("log [{}, {}] is invalid; use 0 < lo < hi", a, b));
    }
    if (num == nullptr || !num->is_integer() || num->as_integer()->get() < 2) {
      return fail("log needs num = n, an integer >= 2 (the number of values from lo to hi)");
    }
    const std::int64_t n = num->as_integer()->get();
    if (static_cast<std::uint64_t>(n) > kMaxDimensionSize) return too_many(n);
    if (sized(static_cast<std::uint64_t>(n))) return base::Status::ok();
    dimension.kind = DimensionKind::kLog;
    const double la = std::log10(a);
    const double lb = std::log10(b);
    for (std::int64_t i = 0; i < n; ++i) {
      const double t = static_cast<double>(i) / static_cast<double>(n - 1);
      dimension.values.emplace_back(tidy(std::pow(10.0, la + t * (lb - la))));
    }
    return base::Status::ok();
  }

  template <typename Count>
  base::Status too_many(Count count) const {
    return fail(fmt::format("{} values; at most {} are allowed per dimension (use a larger step)",
                            count, kMaxDimensionSize));
  }

  std::string_view name_;
  const toml::node& node_;
  std::string file_line_;  // "study.toml:4"
  std::string where_;      // "study.toml:4: dimension \"K\""
  bool sizing_ = false;
  mutable std::uint64_t size_ = 0;
};

base::Result<Space> space_from_toml(const toml::table& space, std::string_view file) {
  // toml::table orders its keys by name; dimensions keep the order of the file.
  std::vector<std::pair<std::string_view, const toml::node*>> entries;
  for (auto&& [key, node] : space) entries.emplace_back(key.str(), &node);
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    const toml::source_position pa = a.second->source().begin;
    const toml::source_position pb = b.second->source().begin;
    return std::pair(pa.line, pa.column) < std::pair(pb.line, pb.column);
  });
  // The space's size first, from each dimension's bounds: 64 dimensions of 10^6 values are
  // refused before 64 * 10^6 values are made.
  std::uint64_t states = 1;
  for (const auto& [name, node] : entries) {
    DimensionParser parser(file, name, *node);
    QTUNE_ASSIGN_OR_RETURN(const std::uint64_t size, parser.size());
    if (size != 0 && states > std::numeric_limits<std::uint64_t>::max() / size) {
      return base::Status::invalid_argument(
          fmt::format("{}: dimension \"{}\": the space has more than 2^64 states from this "
                      "dimension on; use fewer dimensions or fewer values",
                      parser.file_line(), name));
    }
    states *= size;
  }
  std::vector<Dimension> dimensions;
  for (const auto& [name, node] : entries) {
    QTUNE_ASSIGN_OR_RETURN(Dimension dimension, DimensionParser(file, name, *node).parse());
    dimensions.push_back(std::move(dimension));
  }
  auto created = Space::create(std::move(dimensions));
  if (!created.is_ok()) {
    return created.status().with_context(fmt::format("{}:{}", file, space.source().begin.line));
  }
  return created;
}

}  // namespace

base::Result<Space> parse_space(std::string_view toml_text, std::string_view file) {
  QTUNE_ASSIGN_OR_RETURN(const toml::table root, base::parse_toml(toml_text, file));
  const toml::node* space = root.get("space");
  if (space == nullptr || !space->is_table()) {
    return base::Status::invalid_argument(fmt::format(
        "{}: no [space] table; add one, e.g. [space] then K = {{ range = [2, 10] }}", file));
  }
  return space_from_toml(*space->as_table(), file);
}

}  // namespace qtune::space
