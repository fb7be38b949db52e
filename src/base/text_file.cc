#include "base/text_file.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace qtune::base {

Result<std::string> read_text_file(const std::filesystem::path& file, std::string_view what) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::string message = fmt::format("{}: cannot open the {}; check the path and its permissions",
                                      file.string(), what);
    std::error_code error;
    return std::filesystem::exists(file, error) ? Status::io_error(std::move(message))
                                                : Status::not_found(std::move(message));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

}  // namespace qtune::base
