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

#include <toml++/toml.h>

#include <string_view>

#include "qtune/base/result.h"
#include "qtune/space/space.h"

namespace qtune::space {

// `space` is the [space] table; `file` names the source in messages.
base::Result<Space> space_from_toml(const toml::table& space, std::string_view file);
// Parses TOML text and reads its [space] table.
base::Result<Space> parse_space(std::string_view toml_text, std::string_view file);

// "a string", "an integer", ...: how every study-file parser names a TOML value's type in
// its messages (the other parsers of the study file all sit above space).
std::string_view toml_type_name(const toml::node& node);

}  // namespace qtune::space
