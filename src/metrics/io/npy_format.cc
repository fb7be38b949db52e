#include "metrics/io/npy_format.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <bit>
#include <cstring>

#include "metrics/io/little_endian.h"
#include "qtune/base/result.h"

namespace qtune::metrics {
namespace {

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr std::size_t kAlign = 64;

// A tiny reader for the header's dict literal: string keys; values that are strings,
// True/False or tuples of non-negative integers (all numpy writes).
class HeaderParser {
 public:
  explicit HeaderParser(std::string_view text) : text_(text) {}

  bool parse(std::string& descr, bool& fortran_order, std::vector<std::int64_t>& shape,
             bool& has_all) {
    int seen = 0;
    if (!consume('{')) return false;
    while (!consume('}')) {
      std::string key;
      if (!parse_string(key) || !consume(':')) return false;
      if (key == "descr") {
        if (!parse_string(descr)) return false;
        seen |= 1;
      } else if (key == "fortran_order") {
        if (!parse_bool(fortran_order)) return false;
        seen |= 2;
      } else if (key == "shape") {
        if (!parse_shape(shape)) return false;
        seen |= 4;
      } else {
        return false;
      }
      if (!consume(',') && !peek('}')) return false;
    }
    has_all = seen == 7;
    skip_space();
    return pos_ == text_.size();
  }

 private:
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n')) ++pos_;
  }
  bool peek(char c) {
    skip_space();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  bool consume(char c) {
    if (!peek(c)) return false;
    ++pos_;
    return true;
  }
  bool parse_string(std::string& out) {
    skip_space();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) return false;
    const char quote = text_[pos_++];
    const std::size_t end = text_.find(quote, pos_);
    if (end == std::string_view::npos) return false;
    out = std::string(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return true;
  }
  bool parse_bool(bool& out) {
    skip_space();
    for (const auto& [word, value] :
         {std::pair{std::string_view("True"), true}, std::pair{std::string_view("False"), false}}) {
      if (text_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        out = value;
        return true;
      }
    }
    return false;
  }
  bool parse_shape(std::vector<std::int64_t>& out) {
    out.clear();
    if (!consume('(')) return false;
    while (!consume(')')) {
      skip_space();
      std::int64_t v = 0;
      const std::size_t start = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9' && pos_ - start < 12) {
        v = v * 10 + (text_[pos_++] - '0');
      }
      if (pos_ == start) return false;
      out.push_back(v);
      if (!consume(',') && !peek(')')) return false;
    }
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string format_npy_f8(std::span<const double> data, std::span<const std::int64_t> shape) {
  std::int64_t count = 1;
  for (std::int64_t d : shape) count *= d;
  QTUNE_CHECK(static_cast<std::size_t>(count) == data.size());
  // Python's repr of a tuple: "(3,)" for one dimension, "(3, 3)" for two.
  const std::string shape_repr = shape.size() == 1 ? fmt::format("({},)", shape[0])
                                                   : fmt::format("({})", fmt::join(shape, ", "));
  std::string header =
      fmt::format("{{'descr': '<f8', 'fortran_order': False, 'shape': {}, }}", shape_repr);
  const std::size_t unpadded = kMagic.size() + 2 + 2 + header.size() + 1;
  header.append((kAlign - unpadded % kAlign) % kAlign, ' ');
  header += '\n';
  std::string out(kMagic);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  const std::size_t data_start = out.size();
  out.resize(data_start + data.size() * 8);
  for (std::size_t i = 0; i < data.size(); ++i) {
    const auto bits = std::bit_cast<std::uint64_t>(data[i]);
    for (std::size_t b = 0; b < 8; ++b)
      out[data_start + 8 * i + b] = static_cast<char>((bits >> (8 * b)) & 0xff);
  }
  return out;
}

base::Result<NpyArray> parse_npy_f8(std::string_view bytes, std::string_view where) {
  auto corrupt = [&](std::string_view what) {
    return base::Status::corrupt(fmt::format("{}: {}", where, what));
  };
  if (bytes.size() < kMagic.size() + 4 || bytes.substr(0, kMagic.size()) != kMagic) {
    return corrupt("not a .npy array (no \\x93NUMPY magic)");
  }
  const auto major = static_cast<unsigned char>(bytes[6]);
  std::size_t header_len = 0;
  std::size_t header_start = 0;
  if (major == 1) {
    header_len = load_le<std::uint16_t>(bytes, 8);
    header_start = 10;
  } else if ((major == 2 || major == 3) && bytes.size() >= 12) {
    header_len = load_le<std::uint32_t>(bytes, 8);
    header_start = 12;
  } else {
    return corrupt(
        fmt::format(".npy format version {} is not supported; expected 1.0, 2.0 or 3.0", major));
  }
  if (header_len > bytes.size() - header_start)
    return corrupt("the .npy header runs past the end (truncated?)");
  std::string descr;
  bool fortran_order = true;
  bool has_all = false;
  NpyArray array;
  if (!HeaderParser(bytes.substr(header_start, header_len))
           .parse(descr, fortran_order, array.shape, has_all) ||
      !has_all) {
    return corrupt(fmt::format(
        "malformed .npy header {:?}; expected {{'descr': ..., 'fortran_order': ..., 'shape': ...}}",
        std::string(bytes.substr(header_start, header_len))));
  }
  if (descr != "<f8")
    return corrupt(fmt::format("dtype '{}' is not supported; expected '<f8' (float64)", descr));
  if (fortran_order)
    return corrupt("Fortran-ordered array; expected C order (fortran_order False)");
  std::uint64_t count = 1;
  for (std::int64_t d : array.shape) {
    count *= static_cast<std::uint64_t>(d);
    if (count > bytes.size()) break;
  }
  const std::string_view data = bytes.substr(header_start + header_len);
  if (count > data.size() / 8 || count * 8 != data.size()) {
    return corrupt(fmt::format("shape ({}) needs {} bytes of float64, {} present",
                               fmt::join(array.shape, ", "), count * 8, data.size()));
  }
  array.data.resize(static_cast<std::size_t>(count));
  for (std::size_t i = 0; i < array.data.size(); ++i) array.data[i] = load_le<double>(data, 8 * i);
  return array;
}

}  // namespace qtune::metrics
