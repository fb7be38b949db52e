#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>
#include <variant>

#include "qtune/space/space_config.h"

namespace qtune::space {
namespace {

using base::Result;
using base::Status;

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

// One CSV line into fields; quotes may wrap a field (and "" inside is a quote).
Result<CsvRow> split_line(std::string_view line, std::size_t line_number, std::string_view name) {
  CsvRow row{line_number, {}, line.size() + 1};
  std::size_t pos = 0;
  while (true) {
    CsvField field;
    field.column = pos + 1;
    const auto start = line.find_first_not_of(" \t", pos);
    if (start != std::string_view::npos && line[start] == '"') {
      std::string text;
      std::size_t i = start + 1;
      while (true) {
        if (i >= line.size()) {
          return Status::invalid_argument(
              fmt::format("{}:{}:{}: unterminated quote; close the field with \"", name,
                          line_number, start + 1));
        }
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            text += '"';
            i += 2;
            continue;
          }
          break;
        }
        text += line[i++];
      }
      const auto comma = line.find(',', i + 1);
      if (!trim(line.substr(i + 1, comma == std::string_view::npos ? comma : comma - i - 1))
               .empty()) {
        return Status::invalid_argument(fmt::format(
            "{}:{}:{}: text after a closing quote; put the whole field inside the quotes", name,
            line_number, i + 2));
      }
      field.text = std::move(text);
      row.fields.push_back(std::move(field));
      if (comma == std::string_view::npos) break;
      pos = comma + 1;
      continue;
    }
    const auto comma = line.find(',', pos);
    field.text =
        std::string(trim(line.substr(pos, comma == std::string_view::npos ? comma : comma - pos)));
    row.fields.push_back(std::move(field));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return row;
}

double number_of(const Value& value) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) return static_cast<double>(*i);
  return std::get<double>(value);
}

bool is_parameter_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

}  // namespace

Result<std::vector<CsvRow>> split_csv(std::string_view name, std::string_view text) {
  std::vector<CsvRow> rows;
  std::size_t line_number = 0;
  std::size_t begin = 0;
  while (begin < text.size()) {
    auto end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++line_number;
    begin = end + 1;
    if (trim(line).empty()) continue;
    QTUNE_ASSIGN_OR_RETURN(CsvRow row, split_line(line, line_number, name));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::optional<double> parse_number(std::string_view text) {
  double v = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

std::optional<double> parse_finite(std::string_view text) {
  auto v = parse_number(text);
  if (v && !std::isfinite(*v)) return std::nullopt;
  return v;
}

std::optional<Index> find_value(const Dimension& dim, std::string_view text) {
  if (dim.numeric()) {
    const auto v = parse_finite(text);
    if (!v) return std::nullopt;
    for (std::size_t i = 0; i < dim.values.size(); ++i) {
      const double w = number_of(dim.values[i]);
      if (std::abs(*v - w) <= 1e-9 * std::max(std::abs(*v), std::abs(w))) {
        return static_cast<Index>(i);
      }
    }
    return std::nullopt;
  }
  for (std::size_t i = 0; i < dim.values.size(); ++i) {
    if (std::get<std::string>(dim.values[i]) == text) return static_cast<Index>(i);
  }
  return std::nullopt;
}

std::string list_values(const Dimension& dim, std::size_t limit) {
  std::string out;
  for (std::size_t i = 0; i < dim.size() && i < limit; ++i) {
    if (i > 0) out += ", ";
    out += format_value(dim.values[i]);
  }
  if (dim.size() > limit) out += ", ...";
  return out;
}

Result<KeyPattern> KeyPattern::parse(std::string_view pattern,
                                     const std::vector<std::string>& names) {
  const auto bad = [&](std::string_view what) {
    return Status::invalid_argument(fmt::format(
        "--key \"{}\": {}; write the parameters as {{name}} with literal separators between "
        "them, e.g. {{K}}_{{batch_size}}",
        pattern, what));
  };
  KeyPattern out;
  out.text_ = std::string(pattern);
  std::string literal;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '}') return bad(fmt::format("a '}}' at character {} closes nothing", i + 1));
    if (pattern[i] != '{') {
      literal += pattern[i];
      continue;
    }
    const auto close = pattern.find('}', i);
    if (close == std::string_view::npos) {
      return bad(fmt::format("the '{{' at character {} is not closed", i + 1));
    }
    const std::string name(pattern.substr(i + 1, close - i - 1));
    if (!is_parameter_name(name))
      return bad(fmt::format("\"{{{}}}\" is not a parameter name", name));
    if (!names.empty() && std::find(names.begin(), names.end(), name) == names.end()) {
      return Status::invalid_argument(
          fmt::format("--key \"{}\": {{{}}} is not a parameter of the study; its parameters are {}",
                      pattern, name, fmt::join(names, ", ")));
    }
    if (!seen.insert(name).second) return bad(fmt::format("{{{}}} appears twice", name));
    if (out.names_.empty()) {
      out.prefix_ = literal;
    } else {
      if (literal.empty()) {
        return bad(fmt::format("{{{}}} and {{{}}} have no separator between them",
                               out.names_.back(), name));
      }
      out.separators_.push_back(literal);
    }
    literal.clear();
    out.names_.push_back(name);
    i = close;
  }
  if (out.names_.empty()) return bad("it names no parameter");
  out.separators_.push_back(literal);  // the suffix
  return out;
}

std::optional<std::vector<std::string>> KeyPattern::split(std::string_view key) const {
  if (key.substr(0, prefix_.size()) != prefix_) return std::nullopt;
  key.remove_prefix(prefix_.size());
  std::vector<std::string> values;
  for (std::size_t k = 0; k < names_.size(); ++k) {
    const std::string& sep = separators_[k];
    std::size_t end = 0;
    if (k + 1 == names_.size()) {
      if (key.size() < sep.size() || key.substr(key.size() - sep.size()) != sep) {
        return std::nullopt;
      }
      end = key.size() - sep.size();
      // A key with more fields than the pattern ("3_64_16_20_99" for four) would leave the
      // extra ones in the last value: it does not follow the pattern.
      if (k > 0 && key.substr(0, end).find(separators_[k - 1]) != std::string_view::npos) {
        return std::nullopt;
      }
    } else {
      end = key.find(sep);
      if (end == std::string_view::npos) return std::nullopt;
    }
    if (end == 0) return std::nullopt;  // an empty value
    values.emplace_back(key.substr(0, end));
    key.remove_prefix(end + sep.size());
  }
  return values;
}

base::Result<std::vector<CsvRow>> split_keyed(std::string_view name, std::string_view text,
                                              const KeyPattern& key) {
  QTUNE_ASSIGN_OR_RETURN(std::vector<CsvRow> rows, split_csv(name, text));
  for (CsvRow& row : rows) {
    if (row.fields.size() != 2) {
      return base::Status::invalid_argument(
          fmt::format("{}:{}: the line has {} fields; with --key each line is KEY,VALUE", name,
                      row.line, row.fields.size()));
    }
    const auto values = key.split(row.fields[0].text);
    if (!values) {
      return base::Status::invalid_argument(
          fmt::format("{}:{}:{}: key \"{}\" does not follow --key \"{}\"", name, row.line,
                      row.fields[0].column, row.fields[0].text, key.text()));
    }
    std::vector<CsvField> fields;
    for (const std::string& v : *values) fields.push_back({v, row.fields[0].column});
    fields.push_back(std::move(row.fields[1]));
    row.fields = std::move(fields);
  }
  return rows;
}

}  // namespace qtune::space
