#include "metrics/io/file_bytes.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/std.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

namespace qtune::metrics {
namespace {

// not_found if `path` does not exist, io_error if it is no regular file.
base::Status check_regular_file(const std::filesystem::path& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) {
    return base::Status::not_found(fmt::format("{}: no such file", path.string()));
  }
  if (!std::filesystem::is_regular_file(status)) {
    return base::Status::io_error(
        fmt::format("{}: not a regular file; expected a file", path.string()));
  }
  return base::Status::ok();
}

}  // namespace

base::Result<std::string> read_file_bytes(const std::filesystem::path& path) {
  QTUNE_RETURN_IF_ERROR(check_regular_file(path));
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return base::Status::io_error(
        fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
  }
  std::string bytes;
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size < 0)
    return base::Status::io_error(fmt::format("{}: cannot determine its size", path.string()));
  bytes.resize(static_cast<std::size_t>(size));
  in.read(bytes.data(), size);
  if (in.gcount() != size) {
    return base::Status::io_error(
        fmt::format("{}: read {} of {} bytes", path.string(), in.gcount(), size));
  }
  return bytes;
}

base::Result<MappedFile> MappedFile::open(const std::filesystem::path& path) {
  QTUNE_RETURN_IF_ERROR(check_regular_file(path));
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return base::Status::io_error(
        fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return base::Status::io_error(
        fmt::format("{}: cannot stat: {}", path.string(), std::strerror(err)));
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    return MappedFile(nullptr, 0);
  }
  void* data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  const int err = errno;
  ::close(fd);  // the mapping stays valid
  if (data == MAP_FAILED) {
    return base::Status::io_error(
        fmt::format("{}: cannot map: {}", path.string(), std::strerror(err)));
  }
  return MappedFile(data, size);
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(data_, size_);
}

base::Status write_file_bytes(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    return base::Status::io_error(
        fmt::format("{}: cannot write: {}", path.string(), std::strerror(errno)));
  }
  return base::Status::ok();
}

}  // namespace qtune::metrics
