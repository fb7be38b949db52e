// load_state_dict on bytes already in memory (the tests feed it truncated and corrupted
// copies of valid files without touching the disk). `file` names the source in errors.
#pragma once

#include <string>
#include <string_view>

#include "metrics/weights/state_dict.h"
#include "qtune/base/result.h"

namespace qtune::metrics {

base::Result<StateDict> parse_state_dict(std::string_view bytes, const std::string& file);

}  // namespace qtune::metrics
