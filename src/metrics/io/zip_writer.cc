#include "metrics/io/zip_writer.h"

#include <fmt/format.h>
#include <zlib.h>

#include <limits>

namespace qtune::metrics {
namespace {

constexpr std::uint16_t kVersion = 20;  // 2.0: deflate
constexpr std::uint16_t kDeflate = 8;
constexpr std::uint16_t kDosDate1980 = (0 << 9) | (1 << 5) | 1;  // 1980-01-01

void put16(std::string& out, std::uint32_t v) {
  out += static_cast<char>(v & 0xff);
  out += static_cast<char>((v >> 8) & 0xff);
}
void put32(std::string& out, std::uint32_t v) {
  put16(out, v & 0xffff);
  put16(out, v >> 16);
}

}  // namespace

base::Status ZipWriter::add(std::string_view name, std::string_view contents) {
  constexpr std::size_t kLimit = std::numeric_limits<std::uint32_t>::max() - 1;
  if (contents.size() > kLimit || name.size() > 0xffff) {
    return base::Status::invalid_argument(
        fmt::format("zip entry \"{}\": {} bytes need zip64; at most {} supported", name,
                    contents.size(), kLimit));
  }
  std::string deflated(compressBound(static_cast<uLong>(contents.size())) + 64, '\0');
  z_stream zs{};
  // Raw deflate (no zlib header), level 6 as Python's zipfile (zlib's default).
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return base::Status::internal("zlib deflateInit2 failed");
  }
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(contents.data()));
  zs.avail_in = static_cast<uInt>(contents.size());
  zs.next_out = reinterpret_cast<Bytef*>(deflated.data());
  zs.avail_out = static_cast<uInt>(deflated.size());
  const int rc = deflate(&zs, Z_FINISH);
  deflated.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END)
    return base::Status::internal(fmt::format("zip entry \"{}\": deflate failed ({})", name, rc));

  const Central c{std::string(name),
                  static_cast<std::uint32_t>(
                      crc32_z(0, reinterpret_cast<const Bytef*>(contents.data()), contents.size())),
                  static_cast<std::uint32_t>(deflated.size()),
                  static_cast<std::uint32_t>(contents.size()),
                  static_cast<std::uint32_t>(out_.size())};
  if (out_.size() + deflated.size() + 30 + name.size() > kLimit) {
    return base::Status::invalid_argument(
        fmt::format("zip entry \"{}\": the archive would need zip64", name));
  }
  put32(out_, 0x04034b50);  // local file header
  put16(out_, kVersion);
  put16(out_, 0);  // flags
  put16(out_, kDeflate);
  put16(out_, 0);  // time
  put16(out_, kDosDate1980);
  put32(out_, c.crc32);
  put32(out_, c.compressed_size);
  put32(out_, c.size);
  put16(out_, static_cast<std::uint32_t>(name.size()));
  put16(out_, 0);  // extra length
  out_ += name;
  out_ += deflated;
  central_.push_back(c);
  return base::Status::ok();
}

std::string ZipWriter::finish() && {
  const auto cd_offset = static_cast<std::uint32_t>(out_.size());
  for (const Central& c : central_) {
    put32(out_, 0x02014b50);
    put16(out_, kVersion);  // made by
    put16(out_, kVersion);  // needed
    put16(out_, 0);
    put16(out_, kDeflate);
    put16(out_, 0);
    put16(out_, kDosDate1980);
    put32(out_, c.crc32);
    put32(out_, c.compressed_size);
    put32(out_, c.size);
    put16(out_, static_cast<std::uint32_t>(c.name.size()));
    put16(out_, 0);  // extra
    put16(out_, 0);  // comment
    put16(out_, 0);  // disk
    put16(out_, 0);  // internal attributes
    put32(out_, 0);  // external attributes
    put32(out_, c.offset);
    out_ += c.name;
  }
  const auto cd_size = static_cast<std::uint32_t>(out_.size() - cd_offset);
  put32(out_, 0x06054b50);
  put16(out_, 0);
  put16(out_, 0);
  put16(out_, static_cast<std::uint32_t>(central_.size()));
  put16(out_, static_cast<std::uint32_t>(central_.size()));
  put32(out_, cd_size);
  put32(out_, cd_offset);
  put16(out_, 0);  // comment length
  return std::move(out_);
}

}  // namespace qtune::metrics
