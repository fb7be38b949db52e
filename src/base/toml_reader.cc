#include "base/toml_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace qtune::base {

namespace {

// A linear scan of `text` for its deepest line, before any recursive parser sees it: the
// number of '.' in one key or table header, and the nesting of '[' and '{', outside strings
// and comments. Conservative (a float's '.' in a value counts as well), never recursive.
Status check_depth(std::string_view text, std::string_view file) {
  std::int64_t line = 1;
  int dots = 0;
  int nesting = 0;
  const auto too_deep = [&](std::string_view what) {
    return Status::invalid_argument(
        fmt::format("{}:{}: {} nests deeper than {} levels; a study file needs a few, so "
                    "flatten it",
                    file, line, what, kMaxTomlDepth));
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (c) {
      case '\n':
        ++line;
        dots = 0;
        break;
      case '#':  // a comment, to the end of the line
        while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
        break;
      case '"':
      case '\'': {
        // A string: basic ("...", with escapes) or literal ('...'), one line or multi-line.
        const std::string_view triple = c == '"' ? R"(""")" : "'''";
        const std::string_view close = text.substr(i, 3) == triple ? triple : text.substr(i, 1);
        std::size_t j = i + close.size();
        while (j < text.size() && text.substr(j, close.size()) != close) {
          if (text[j] == '\n') {
            if (close.size() == 1) break;  // an unterminated one-line string: toml++ says so
            ++line;
          }
          if (c == '"' && text[j] == '\\') ++j;  // skips the escaped character
          ++j;
        }
        if (j < text.size() && text[j] == '\n') {
          i = j - 1;  // the newline is counted above
        } else {
          i = std::min(text.size(), j + close.size()) - 1;
        }
        break;
      }
      case '.':
        if (++dots > kMaxTomlDepth) return too_deep("a dotted key");
        break;
      case '[':
      case '{':
        if (++nesting > kMaxTomlDepth) return too_deep("an array or inline table");
        break;
      case ']':
      case '}':
        nesting = std::max(0, nesting - 1);
        if (c == '}') dots = 0;
        break;
      case '=':
      case ',':
        dots = 0;
        break;
      default:
        break;
    }
  }
  return Status::ok();
}

}  // namespace

Result<toml::table> parse_toml(std::string_view text, std::string_view file) {
  if (text.size() > kMaxTomlBytes) {
    return Status::invalid_argument(
        fmt::format("{}: {} bytes; a study file may have at most {} (1 MiB)", file, text.size(),
                    kMaxTomlBytes));
  }
  QTUNE_RETURN_IF_ERROR(check_depth(text, file));
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

Result<double> toml_real(const toml::node& node, std::string_view key, std::string_view file) {
  if (const auto* real = node.as_floating_point()) return real->get();
  if (const auto* integer = node.as_integer()) {
    constexpr std::int64_t kExact = std::int64_t{1} << 53;
    const std::int64_t v = integer->get();
    if (v >= -kExact && v <= kExact) return static_cast<double>(v);
    return toml_error(file, node,
                      fmt::format("{}: {} is too large to read exactly as a number; use a "
                                  "float such as {:e} or a smaller integer",
                                  key, v, static_cast<double>(v)));
  }
  return toml_error(file, node, fmt::format("{} is {}; use a number", key, toml_type_name(node)));
}

Status toml_error(std::string_view file, const toml::node& node, std::string_view what) {
  return Status::invalid_argument(fmt::format("{}:{}: {}", file, toml_line(node), what));
}

}  // namespace qtune::base
