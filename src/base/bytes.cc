#include "base/bytes.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>

namespace qtune::base {
namespace {

template <typename T>
void put_le(std::string& out, T v) {
  static_assert(std::endian::native == std::endian::little, "qtune snapshots assume little endian");
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out.append(buf, sizeof(T));
}

}  // namespace

void ByteWriter::u8(std::uint8_t v) { put_le(out_, v); }
void ByteWriter::u32(std::uint32_t v) { put_le(out_, v); }
void ByteWriter::u64(std::uint64_t v) { put_le(out_, v); }
void ByteWriter::i64(std::int64_t v) { put_le(out_, v); }
void ByteWriter::f64(double v) { put_le(out_, v); }
void ByteWriter::str(std::string_view s) {
  u64(s.size());
  out_.append(s);
}
void ByteWriter::f64s(std::span<const double> v) {
  u64(v.size());
  for (double x : v) f64(x);
}
void ByteWriter::u64s(std::span<const std::uint64_t> v) {
  u64(v.size());
  for (std::uint64_t x : v) u64(x);
}

Status ByteReader::take(std::size_t n, const char*& out) {
  if (n > remaining()) {
    return Status::corrupt(fmt::format("{}: truncated at byte {}: {} bytes needed, {} left", what_,
                                       pos_, n, remaining()));
  }
  out = data_.data() + pos_;
  pos_ += n;
  return Status::ok();
}

template <typename T>
Result<T> ByteReader::read_le() {
  const char* p = nullptr;
  QTUNE_RETURN_IF_ERROR(take(sizeof(T), p));
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

Result<std::uint8_t> ByteReader::u8() { return read_le<std::uint8_t>(); }
Result<std::uint32_t> ByteReader::u32() { return read_le<std::uint32_t>(); }
Result<std::uint64_t> ByteReader::u64() { return read_le<std::uint64_t>(); }
Result<std::int64_t> ByteReader::i64() { return read_le<std::int64_t>(); }
Result<double> ByteReader::f64() { return read_le<double>(); }

Result<std::string> ByteReader::str() {
  QTUNE_ASSIGN_OR_RETURN(std::uint64_t n, u64());
  const char* p = nullptr;
  QTUNE_RETURN_IF_ERROR(take(n, p));
  return std::string(p, n);
}

Result<std::vector<double>> ByteReader::f64s() {
  QTUNE_ASSIGN_OR_RETURN(std::uint64_t n, u64());
  if (n > remaining() / sizeof(double)) {
    return Status::corrupt(fmt::format("{}: {} doubles declared at byte {}, {} bytes left", what_,
                                       n, pos_, remaining()));
  }
  std::vector<double> v(n);
  for (auto& x : v) x = f64().value();
  return v;
}

Result<std::vector<std::uint64_t>> ByteReader::u64s() {
  QTUNE_ASSIGN_OR_RETURN(std::uint64_t n, u64());
  if (n > remaining() / sizeof(std::uint64_t)) {
    return Status::corrupt(fmt::format("{}: {} integers declared at byte {}, {} bytes left", what_,
                                       n, pos_, remaining()));
  }
  std::vector<std::uint64_t> v(n);
  for (auto& x : v) x = u64().value();
  return v;
}

Status ByteReader::expect_end() const {
  if (remaining() == 0) return Status::ok();
  return Status::corrupt(fmt::format("{}: {} unexpected trailing bytes", what_, remaining()));
}

void ByteWriter::flag(bool v) { u8(v ? 1 : 0); }
void ByteWriter::opt_u32(const std::optional<std::uint32_t>& v) {
  flag(v.has_value());
  u32(v.value_or(0));
}
void ByteWriter::opt_u64(const std::optional<std::uint64_t>& v) {
  flag(v.has_value());
  u64(v.value_or(0));
}
void ByteWriter::opt_f64(const std::optional<double>& v) {
  flag(v.has_value());
  f64(v.value_or(0.0));
}

Result<bool> ByteReader::flag() {
  QTUNE_ASSIGN_OR_RETURN(const std::uint8_t v, u8());
  return v != 0;
}

namespace {

// flag, then the value: the value is read either way (it is written either way).
template <typename T, typename Read>
Result<std::optional<T>> read_optional(ByteReader& in, Read read) {
  QTUNE_ASSIGN_OR_RETURN(const bool has, in.flag());
  QTUNE_ASSIGN_OR_RETURN(const T value, read());
  return has ? std::optional<T>(value) : std::nullopt;
}

}  // namespace

Result<std::optional<std::uint32_t>> ByteReader::opt_u32() {
  return read_optional<std::uint32_t>(*this, [this] { return u32(); });
}
Result<std::optional<std::uint64_t>> ByteReader::opt_u64() {
  return read_optional<std::uint64_t>(*this, [this] { return u64(); });
}
Result<std::optional<double>> ByteReader::opt_f64() {
  return read_optional<double>(*this, [this] { return f64(); });
}

}  // namespace qtune::base
