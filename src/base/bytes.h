// ByteWriter / ByteReader: little-endian binary serialisation for opaque snapshots
// (agent state kept by the store). The reader checks every length against what remains
// and reports truncation or trailing garbage as kCorrupt, never reading out of bounds.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/base/result.h"

namespace qtune::base {

class ByteWriter {
 public:
  void u8(std::uint8_t v);
  void u32(std::uint32_t v);
  void u64(std::uint64_t v);
  void i64(std::int64_t v);
  void f64(double v);
  void str(std::string_view s);          // u64 length + bytes
  void f64s(std::span<const double> v);  // u64 count + values
  void u64s(std::span<const std::uint64_t> v);
  // One byte, 1 or 0.
  void flag(bool v);
  // flag(has value), then the value (0 when absent): every optional in a snapshot.
  void opt_u32(const std::optional<std::uint32_t>& v);
  void opt_u64(const std::optional<std::uint64_t>& v);
  void opt_f64(const std::optional<double>& v);

  const std::string& bytes() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class ByteReader {
 public:
  // `what` names the blob in error messages ("q-learning snapshot").
  ByteReader(std::string_view data, std::string_view what) : data_(data), what_(what) {}

  Result<std::uint8_t> u8();
  Result<std::uint32_t> u32();
  Result<std::uint64_t> u64();
  Result<std::int64_t> i64();
  Result<double> f64();
  Result<std::string> str();
  Result<std::vector<double>> f64s();
  Result<std::vector<std::uint64_t>> u64s();
  Result<bool> flag();  // any non-zero byte is true, as written by older snapshots
  Result<std::optional<std::uint32_t>> opt_u32();
  Result<std::optional<std::uint64_t>> opt_u64();
  Result<std::optional<double>> opt_f64();

  std::size_t remaining() const { return data_.size() - pos_; }
  // kCorrupt unless every byte was consumed.
  Status expect_end() const;

 private:
  Status take(std::size_t n, const char*& out);
  template <typename T>
  Result<T> read_le();
  std::string_view data_;
  std::string what_;
  std::size_t pos_ = 0;
};

}  // namespace qtune::base
