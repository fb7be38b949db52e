// read_text_file: a whole (small) text file, for the readers of user files (study files,
// result tables, imports). A path that is not there is the user's input (kNotFound, exit 2);
// one that exists but cannot be read is kIoError. The message names the file and `what` it
// is: "runs.csv: cannot open the results file; check the path and its permissions".
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "qtune/base/result.h"

namespace qtune::base {

Result<std::string> read_text_file(const std::filesystem::path& file, std::string_view what);

}  // namespace qtune::base
