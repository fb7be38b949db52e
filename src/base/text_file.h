// read_text_file: a whole text file of the user's (study files, result tables, imports).
// A path that is not there is the user's input (kNotFound, exit 2); one that is not a
// regular file (a folder, /dev/zero, a FIFO) or holds more than `max_bytes` is refused
// unread (kInvalidArgument), so no such file can exhaust qtune; one that exists but cannot
// be read is kIoError. The message names the file and `what` it is: "runs.csv: cannot open
// the results file; check the path and its permissions".
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "qtune/base/result.h"

namespace qtune::base {

// Result tables and imports: far above any real one (a million lines of 256 bytes).
inline constexpr std::size_t kMaxTableBytes = std::size_t{256} << 20;

Result<std::string> read_text_file(const std::filesystem::path& file, std::string_view what,
                                   std::size_t max_bytes = kMaxTableBytes);

}  // namespace qtune::base
