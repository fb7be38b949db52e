// The one TOML reading layer of study files. Each part reads its own table ([space] space,
// [strategy] agent, [trial] exec, [study] and [budget] study) through these helpers, so a
// syntax error, a wrong type or a bad value reads alike wherever it is:
//   study.toml:7:3: expected '=' ...          (parse_toml)
//   study.toml:4: [trial] timeout: ...        (toml_error, the line of the node)
// toml++ is seen only here and in those parsers' .cc files; no public header includes it:
// the public entry points take the study file's text (space::parse_space,
// agent::parse_strategy, exec::parse_trial, study::parse_study_config).
#pragma once

#include <toml++/toml.h>

#include <optional>
#include <string_view>

#include "qtune/base/result.h"

namespace qtune::base {

// The document, or kInvalidArgument "file:line:column: what toml++ says".
Result<toml::table> parse_toml(std::string_view text, std::string_view file);

// The table `name` of `root`: nullptr when absent, kInvalidArgument "file:line: [name] is
// <type>; use a table" when it is not a table.
Result<const toml::table*> toml_table(const toml::table& root, std::string_view name,
                                      std::string_view file);

// "a string", "an integer", "a float", "a boolean", "an array", "a table", "a date or time":
// how every message names a value's type.
std::string_view toml_type_name(const toml::node& node);

// The line a node starts on (1-based).
std::int64_t toml_line(const toml::node& node);

// kInvalidArgument "file:line: what", at the line of `node`.
Status toml_error(std::string_view file, const toml::node& node, std::string_view what);

}  // namespace qtune::base
