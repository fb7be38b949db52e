#include "base/text_file.h"

#include <fmt/format.h>

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

}  // namespace qtune::base
