// Parsing the [space] table of a study file (TOML):
//
//   [space]
//   K = { range = [2, 10] }                       # step defaults to 1
//   lr = { log = [1e-4, 1e-1], num = 4 }
//   intermediate_dim = { values = [64, 128, 256] }
//   batch_size = { pow2 = [8, 32] }
//   activation = { values = ["relu", "elu"] }
//
// Dimensions keep the order of the file. Every error names the file, the line, the
// dimension and the valid form, e.g.
//   study.toml:4: dimension "K": step 0 is invalid; use an integer >= 1
#pragma once

#include <string_view>

#include "qtune/base/result.h"
#include "qtune/space/space.h"

namespace qtune::space {

// Parses TOML text and reads its [space] table.
base::Result<Space> parse_space(std::string_view toml_text, std::string_view file);

}  // namespace qtune::space
