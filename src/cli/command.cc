#include "cli/command.h"

#include <fmt/format.h>

#include <cstdio>

namespace qtune::cli {

int report_error(std::string_view command, const base::Status& status) {
  std::fputs(fmt::format("qtune {}: {}\n", command, status.message()).c_str(), stderr);
  return base::exit_code(status.code());
}

}  // namespace qtune::cli
