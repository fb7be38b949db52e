#include "base/toml_reader.h"

#include <fmt/format.h>

namespace qtune::base {

Result<toml::table> parse_toml(std::string_view text, std::string_view file) {
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    return Status::invalid_argument(fmt::format("{}:{}:{}: {}", file, e.source().begin.line,
                                                e.source().begin.column, e.description()));
  }
}

Result<const toml::table*> toml_table(const toml::table& root, std::string_view name,
                                      std::string_view file) {
  const toml::node* node = root.get(name);
  if (node == nullptr) return static_cast<const toml::table*>(nullptr);
  if (!node->is_table()) {
    return toml_error(file, *node,
                      fmt::format("[{}] is {}; use a table", name, toml_type_name(*node)));
  }
  return node->as_table();
}

std::string_view toml_type_name(const toml::node& node) {
  if (node.is_string()) return "a string";
  if (node.is_integer()) return "an integer";
  if (node.is_floating_point()) return "a float";
  if (node.is_boolean()) return "a boolean";
  if (node.is_array()) return "an array";
  if (node.is_table()) return "a table";
  return "a date or time";
}

std::int64_t toml_line(const toml::node& node) {
  return static_cast<std::int64_t>(node.source().begin.line);
}

Status toml_error(std::string_view file, const toml::node& node, std::string_view what) {
  return Status::invalid_argument(fmt::format("{}:{}: {}", file, toml_line(node), what));
}

}  // namespace qtune::base
