// Reading the end of a trial's files: qtune never reads a trial's log whole (a trial may
// print gigabytes), only its last bytes. Private to exec.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace qtune::exec::detail {

struct FileTail {
  std::string text;  // the last bytes of the file, at most the size asked for
  bool cut = false;  // the file is longer than `text`: its first line may be partial
};

// The last `max_bytes` bytes of `path`, or nullopt when it cannot be read.
std::optional<FileTail> read_file_tail(const std::filesystem::path& path, std::size_t max_bytes);

// At most `max_chars` characters of `text` for a message: control and non-ASCII bytes as
// '?', and "... (N bytes)" when it was longer.
std::string excerpt(std::string_view text, std::size_t max_chars = 80);

}  // namespace qtune::exec::detail
