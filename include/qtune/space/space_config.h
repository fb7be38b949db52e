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

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/base/result.h"
#include "qtune/space/space.h"

namespace qtune::space {

// Parses TOML text and reads its [space] table.
base::Result<Space> parse_space(std::string_view toml_text, std::string_view file);

// Reading measured results as text: the one CSV reader and the one match of a cell's text
// to a value of a dimension, shared by `qtune replay` (replay::ReplayTable) and
// `qtune import` (study::import_results). It lives in space, the lowest part both use.
//
// CSV: fields separated by commas and trimmed; a field may be double-quoted ("a,b"; "" is a
// quote). Blank lines are skipped. Each row keeps its 1-based line number, and each field
// the 1-based column where it starts, for "file:line:column" messages.
//
// Key patterns: the training script's own FID_Results.csv packs a configuration into one
// key, `8_128_16_40,40.2`. The pattern `{K}_{intermediate_dim}_{batch_size}_{maxiter}` names
// the parameters (placeholders are dimension names) and the literal separators between
// them; a key is split at the first occurrence of each separator after its placeholder, so
// a value may not contain the separator that follows it.
struct CsvField {
  std::string text;
  std::size_t column = 1;  // 1-based character position where the field starts
};

struct CsvRow {
  std::size_t line = 0;
  std::vector<CsvField> fields;
  std::size_t end_column = 1;  // one past the last character of the line
};

// Every non-blank line of `text` split into fields. kInvalidArgument "name:line:column: ..."
// for an unterminated quote or text after a closing quote. An empty table is not an error
// here (the caller knows whether it needs a header).
base::Result<std::vector<CsvRow>> split_csv(std::string_view name, std::string_view text);

// Index of a cell's text in `dim`: numbers match numerically (to 1e-9 relative, so a
// table's "0.1" meets a [space] range's 0.1 computed by steps), strings exactly.
std::optional<Index> find_value(const Dimension& dim, std::string_view text);
// "2, 3, 4" - the values of a dimension, for messages; at most `limit`, then ", ...".
std::string list_values(const Dimension& dim, std::size_t limit = kMaxDimensionSize);
// A finite number, or nullopt.
std::optional<double> parse_finite(std::string_view text);
// Any number (NaN and infinities included), or nullopt.
std::optional<double> parse_number(std::string_view text);

class KeyPattern {
 public:
  // kInvalidArgument for a pattern without placeholders, an unclosed or empty `{}`, two
  // placeholders with nothing between them, or a name used twice. When `names` is not
  // empty, every placeholder must be one of them (the message lists them).
  static base::Result<KeyPattern> parse(std::string_view pattern,
                                        const std::vector<std::string>& names = {});

  const std::string& text() const { return text_; }
  // The placeholders in pattern order.
  const std::vector<std::string>& names() const { return names_; }
  // The values of the placeholders in `key`, in names() order; nullopt when the key does
  // not follow the pattern: too few fields, or too many (the last value may not hold the
  // separator before it).
  std::optional<std::vector<std::string>> split(std::string_view key) const;

 private:
  std::string text_;
  std::string prefix_;  // literal text before the first placeholder
  std::vector<std::string> names_;
  std::vector<std::string> separators_;  // after each placeholder ("" after the last)
};

// A headerless KEY,VALUE file (the training script's FID_Results.csv) as rows of fields: the
// key's values in `key`'s placeholder order (each with the key's column), then the value.
// kInvalidArgument "name:line:column: ..." for a line that is not KEY,VALUE or a key that
// does not follow the pattern. Import and replay read such files through it.
base::Result<std::vector<CsvRow>> split_keyed(std::string_view name, std::string_view text,
                                              const KeyPattern& key);
}  // namespace qtune::space
