#include "metrics/io/zip_reader.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "metrics/io/little_endian.h"

namespace qtune::metrics {
namespace {

// Record layouts (APPNOTE.TXT 4.3): signatures and fixed sizes.
constexpr std::uint32_t kLocalHeaderSig = 0x04034b50;
constexpr std::uint32_t kCentralHeaderSig = 0x02014b50;
constexpr std::uint32_t kEndSig = 0x06054b50;
constexpr std::uint32_t kZip64EndSig = 0x06064b50;
constexpr std::uint32_t kZip64LocatorSig = 0x07064b50;
constexpr std::size_t kLocalHeaderSize = 30;
constexpr std::size_t kCentralHeaderSize = 46;
constexpr std::size_t kEndSize = 22;
constexpr std::size_t kZip64EndSize = 56;
constexpr std::size_t kZip64LocatorSize = 20;
constexpr std::uint16_t kZip64ExtraId = 0x0001;
constexpr std::uint32_t kZip64Marker32 = 0xffffffff;
constexpr std::uint64_t kDeflateMaxRatio = 1032;
// Deflated entries are inflated in memory: .npz statistics (sigma at 2048 dims is 32 MiB) and
// small pickles. PyTorch stores tensor data uncompressed (read in place, no limit).
constexpr std::uint64_t kMaxInflatedSize = std::uint64_t{1} << 30;

// True if [offset, offset + length) lies within a buffer of `size` bytes (overflow-safe).
bool in_bounds(std::uint64_t offset, std::uint64_t length, std::size_t size) {
  return offset <= size && length <= size - offset;
}

}  // namespace

base::Result<ZipReader> ZipReader::open(std::string_view bytes, std::string archive_name) {
  ZipReader reader(bytes, std::move(archive_name));
  QTUNE_RETURN_IF_ERROR(reader.read_central_directory());
  return reader;
}

base::Status ZipReader::read_central_directory() {
  auto corrupt = [&](std::string_view what) {
    return base::Status::corrupt(
        fmt::format("{}: {}; expected a valid zip archive", archive_name_, what));
  };
  if (bytes_.size() < kEndSize) return corrupt("too short for a zip end record (truncated?)");
  // The end record is last, followed only by a comment of at most 64 KiB.
  std::size_t end_pos = bytes_.size() - kEndSize;
  const std::size_t search_floor = end_pos > 0xffff ? end_pos - 0xffff : 0;
  while (load_le<std::uint32_t>(bytes_, end_pos) != kEndSig) {
    if (end_pos == search_floor)
      return corrupt("no zip end-of-central-directory record (truncated?)");
    --end_pos;
  }
  std::uint64_t count = load_le<std::uint16_t>(bytes_, end_pos + 10);
  std::uint64_t cd_size = load_le<std::uint32_t>(bytes_, end_pos + 12);
  std::uint64_t cd_offset = load_le<std::uint32_t>(bytes_, end_pos + 16);
  if (load_le<std::uint16_t>(bytes_, end_pos + 4) != 0 &&
      load_le<std::uint16_t>(bytes_, end_pos + 4) != 0xffff) {
    return corrupt("multi-disk archive");
  }
  if (count == 0xffff || cd_size == kZip64Marker32 || cd_offset == kZip64Marker32) {
    if (end_pos < kZip64LocatorSize ||
        load_le<std::uint32_t>(bytes_, end_pos - kZip64LocatorSize) != kZip64LocatorSig) {
      return corrupt("zip64 sizes without a zip64 locator");
    }
    const std::uint64_t z64_pos = load_le<std::uint64_t>(bytes_, end_pos - kZip64LocatorSize + 8);
    if (!in_bounds(z64_pos, kZip64EndSize, bytes_.size()) ||
        load_le<std::uint32_t>(bytes_, z64_pos) != kZip64EndSig) {
      return corrupt(fmt::format("zip64 end record offset {} is invalid", z64_pos));
    }
    count = load_le<std::uint64_t>(bytes_, z64_pos + 32);
    cd_size = load_le<std::uint64_t>(bytes_, z64_pos + 40);
    cd_offset = load_le<std::uint64_t>(bytes_, z64_pos + 48);
  }
  if (!in_bounds(cd_offset, cd_size, bytes_.size())) {
    return corrupt(fmt::format(
        "central directory ({} bytes at offset {}) lies past the end of the {}-byte file", cd_size,
        cd_offset, bytes_.size()));
  }
  if (count > cd_size / kCentralHeaderSize) {
    return corrupt(fmt::format("{} entries declared but the central directory has only {} bytes",
                               count, cd_size));
  }
  entries_.reserve(static_cast<std::size_t>(count));
  std::uint64_t pos = cd_offset;
  const std::uint64_t cd_end = cd_offset + cd_size;
  for (std::uint64_t i = 0; i < count; ++i) {
    if (!in_bounds(pos, kCentralHeaderSize, static_cast<std::size_t>(cd_end)) ||
        load_le<std::uint32_t>(bytes_, pos) != kCentralHeaderSig) {
      return corrupt(fmt::format("central directory entry {} at offset {} is malformed", i, pos));
    }
    const auto at = static_cast<std::size_t>(pos);
    Entry entry;
    const std::uint16_t flags = load_le<std::uint16_t>(bytes_, at + 8);
    entry.method = load_le<std::uint16_t>(bytes_, at + 10);
    entry.crc32 = load_le<std::uint32_t>(bytes_, at + 16);
    entry.compressed_size = load_le<std::uint32_t>(bytes_, at + 20);
    entry.size = load_le<std::uint32_t>(bytes_, at + 24);
    const std::size_t name_len = load_le<std::uint16_t>(bytes_, at + 28);
    const std::size_t extra_len = load_le<std::uint16_t>(bytes_, at + 30);
    const std::size_t comment_len = load_le<std::uint16_t>(bytes_, at + 32);
    std::uint64_t local_offset = load_le<std::uint32_t>(bytes_, at + 42);
    if (!in_bounds(pos + kCentralHeaderSize, name_len + extra_len + comment_len,
                   static_cast<std::size_t>(cd_end))) {
      return corrupt(fmt::format("central directory entry {} runs past the directory", i));
    }
    entry.name = std::string(bytes_.substr(at + kCentralHeaderSize, name_len));
    // Zip64 extra field: 64-bit values for exactly the fields that hold 0xffffffff.
    std::size_t extra = at + kCentralHeaderSize + name_len;
    const std::size_t extra_end = extra + extra_len;
    while (extra + 4 <= extra_end) {
      const std::uint16_t id = load_le<std::uint16_t>(bytes_, extra);
      const std::size_t len = load_le<std::uint16_t>(bytes_, extra + 2);
      if (len > extra_end - extra - 4)
        return corrupt(fmt::format("entry \"{}\": malformed extra field", entry.name));
      if (id == kZip64ExtraId) {
        std::size_t field = extra + 4;
        for (std::uint64_t* value : {&entry.size, &entry.compressed_size, &local_offset}) {
          if (*value != kZip64Marker32) continue;
          if (field + 8 > extra + 4 + len)
            return corrupt(fmt::format("entry \"{}\": short zip64 field", entry.name));
          *value = load_le<std::uint64_t>(bytes_, field);
          field += 8;
        }
      }
      extra += 4 + len;
    }
    if ((flags & 1u) != 0) return corrupt(fmt::format("entry \"{}\" is encrypted", entry.name));
    if (entry.method != 0 && entry.method != 8) {
      return corrupt(fmt::format(
          "entry \"{}\": compression method {} is not supported (only stored and deflate)",
          entry.name, entry.method));
    }
    if (!in_bounds(local_offset, kLocalHeaderSize, bytes_.size()) ||
        load_le<std::uint32_t>(bytes_, static_cast<std::size_t>(local_offset)) != kLocalHeaderSig) {
      return corrupt(
          fmt::format("entry \"{}\": local header offset {} is invalid", entry.name, local_offset));
    }
    const auto local = static_cast<std::size_t>(local_offset);
    entry.data_offset = local_offset + kLocalHeaderSize +
                        load_le<std::uint16_t>(bytes_, local + 26) +
                        load_le<std::uint16_t>(bytes_, local + 28);
    if (!in_bounds(entry.data_offset, entry.compressed_size, bytes_.size())) {
      return corrupt(
          fmt::format("entry \"{}\": {} bytes declared at offset {}, the file has {} (truncated?)",
                      entry.name, entry.compressed_size, entry.data_offset, bytes_.size()));
    }
    pos += kCentralHeaderSize + name_len + extra_len + comment_len;
    entries_.push_back(std::move(entry));
  }
  return base::Status::ok();
}

const ZipReader::Entry* ZipReader::find(std::string_view name) const {
  const auto it = std::find_if(entries_.begin(), entries_.end(),
                               [&](const Entry& e) { return e.name == name; });
  return it == entries_.end() ? nullptr : &*it;
}

base::Result<std::string_view> ZipReader::read(const Entry& entry, std::string& scratch) const {
  auto corrupt = [&](std::string_view what) {
    return base::Status::corrupt(
        fmt::format("{}: entry \"{}\": {}", archive_name_, entry.name, what));
  };
  const std::string_view stored = bytes_.substr(static_cast<std::size_t>(entry.data_offset),
                                                static_cast<std::size_t>(entry.compressed_size));
  std::string_view contents;
  if (entry.method == 0) {
    if (entry.size != entry.compressed_size) {
      return corrupt(fmt::format("stored entry of {} bytes declares size {}", entry.compressed_size,
                                 entry.size));
    }
    contents = stored;
  } else {
    if (entry.size > kMaxInflatedSize) {
      return corrupt(fmt::format("declares {} bytes inflated; at most {} are accepted", entry.size,
                                 kMaxInflatedSize));
    }
    if (entry.size / kDeflateMaxRatio > entry.compressed_size) {
      return corrupt(fmt::format("{} bytes cannot inflate to the declared {}",
                                 entry.compressed_size, entry.size));
    }
    scratch.assign(static_cast<std::size_t>(entry.size), '\0');
    z_stream zs{};
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return corrupt("zlib inflateInit2 failed");
    // Inflates in chunks of at most 1 GiB: zlib's counters are 32-bit.
    constexpr std::size_t kChunk = std::size_t{1} << 30;
    std::size_t in_pos = 0;
    std::size_t out_pos = 0;
    int rc = Z_OK;
    while (rc == Z_OK) {
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(stored.data() + in_pos));
      zs.avail_in = static_cast<uInt>(std::min(kChunk, stored.size() - in_pos));
      zs.next_out = reinterpret_cast<Bytef*>(scratch.data() + out_pos);
      zs.avail_out = static_cast<uInt>(std::min(kChunk, scratch.size() - out_pos));
      const uInt in_before = zs.avail_in;
      const uInt out_before = zs.avail_out;
      rc = inflate(&zs, Z_NO_FLUSH);
      in_pos += in_before - zs.avail_in;
      out_pos += out_before - zs.avail_out;
      if (rc == Z_OK && in_before == zs.avail_in && out_before == zs.avail_out) rc = Z_BUF_ERROR;
    }
    inflateEnd(&zs);
    if (rc != Z_STREAM_END || out_pos != scratch.size()) {
      return corrupt(fmt::format("deflate data is corrupt or truncated ({} of {} bytes inflated)",
                                 out_pos, scratch.size()));
    }
    contents = scratch;
  }
  // zlib's crc32_z takes a size_t length.
  const auto crc = static_cast<std::uint32_t>(
      crc32_z(0, reinterpret_cast<const Bytef*>(contents.data()), contents.size()));
  if (crc != entry.crc32)
    return corrupt(
        fmt::format("CRC-32 {:08x} does not match the declared {:08x}", crc, entry.crc32));
  return contents;
}

}  // namespace qtune::metrics
