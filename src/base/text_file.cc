#include "base/text_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>

namespace qtune::base {

Result<std::string> read_text_file(const std::filesystem::path& file, std::string_view what,
                                   std::size_t max_bytes) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(file, error);
  if (!std::filesystem::exists(status)) {
    return Status::not_found(fmt::format(
        "{}: cannot open the {}; check the path and its permissions", file.string(), what));
  }
  if (!std::filesystem::is_regular_file(status)) {
    return Status::invalid_argument(
        fmt::format("{}: the {} is not a regular file; give a file", file.string(), what));
  }
  const std::uintmax_t size = std::filesystem::file_size(file, error);
  if (!error && size > max_bytes) {
    return Status::invalid_argument(
        fmt::format("{}: the {} is {} bytes, over the limit of {} bytes", file.string(), what, size,
                    max_bytes));
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return Status::io_error(fmt::format(
        "{}: cannot open the {}; check the path and its permissions", file.string(), what));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

std::optional<std::string> read_small_file(const std::filesystem::path& path,
                                           std::size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string out;
  char buffer[8192];
  while (out.size() < max_bytes) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    out.append(buffer, std::min(static_cast<std::size_t>(n), max_bytes - out.size()));
  }
  ::close(fd);
  return out;
}

}  // namespace qtune::base
