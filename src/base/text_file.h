// read_text_file: a whole text file of the user's (study files, result tables, imports).
// A path that is not there is the user's input (kNotFound, exit 2); one that is not a
// regular file (a folder, /dev/zero, a FIFO) or holds more than `max_bytes` is refused
// unread (kInvalidArgument), so no such file can exhaust qtune; one that exists but cannot
// be read is kIoError. The message names the file and `what` it is: "runs.csv: cannot open
// the results file; check the path and its permissions".
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "qtune/base/result.h"

namespace qtune::base {

// Result tables and imports: far above any real one (a million lines of 256 bytes).
inline constexpr std::size_t kMaxTableBytes = std::size_t{256} << 20;

Result<std::string> read_text_file(const std::filesystem::path& file, std::string_view what,
                                   std::size_t max_bytes = kMaxTableBytes);

// A small file of qtune's own (a trial's records, a command's output) or of /proc, read
// with read(2) up to `max_bytes`: nullopt when it cannot be opened or a read fails (a /proc
// file of a process that exits while it is read: ESRCH). Never throws, unlike a stream
// whose read fails.
std::optional<std::string> read_small_file(const std::filesystem::path& path,
                                           std::size_t max_bytes = std::size_t{16} << 20);

}  // namespace qtune::base
