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

#include <cstddef>
#include <optional>
#include <string_view>

#include "qtune/base/result.h"

namespace qtune::base {

// A study file's limits, checked before toml++ sees the text (its parser and its tables'
// destructors recurse once per level: 50,000 nested levels overflow the stack).
inline constexpr std::size_t kMaxTomlBytes = std::size_t{1} << 20;  // 1 MiB
inline constexpr int kMaxTomlDepth = 64;  // dots in one key or header; [ and { nesting

// The document, or kInvalidArgument "file:line:column: what toml++ says". A text over
// kMaxTomlBytes, or a line nesting deeper than kMaxTomlDepth, is refused first ("file:line:
// ...") without being parsed.
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

// A number node as a double: a float, or an integer that a double holds exactly (|v| <=
// 2^53); otherwise kInvalidArgument "file:line: key: ..." (never an unchecked optional).
Result<double> toml_real(const toml::node& node, std::string_view key, std::string_view file);

// kInvalidArgument "file:line: what", at the line of `node`.
Status toml_error(std::string_view file, const toml::node& node, std::string_view what);

}  // namespace qtune::base
