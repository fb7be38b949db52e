#include "qtune/exec/template.h"

#include <algorithm>
#include <cctype>

#include "qtune/base/result.h"

namespace qtune::exec {
namespace {

bool is_identifier_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_';
}
bool is_identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// Length of the identifier at text[pos], or 0.
std::size_t identifier_length(std::string_view text, std::size_t pos) {
  if (pos >= text.size() || !is_identifier_start(text[pos])) return 0;
  std::size_t end = pos + 1;
  while (end < text.size() && is_identifier_char(text[end])) ++end;
  return end - pos;
}

}  // namespace

base::Result<Template> Template::parse(std::string_view text,
                                       const std::vector<std::string>& known) {
  Template result;
  result.text_ = std::string(text);
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) result.pieces_.push_back({false, std::move(literal)});
    literal.clear();
  };
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      literal += c;  // "{{" or "}}"
      i += 2;
      continue;
    }
    if (c == '{') {
      const std::size_t length = identifier_length(text, i + 1);
      if (length > 0 && i + 1 + length < text.size() && text[i + 1 + length] == '}') {
        std::string name(text.substr(i + 1, length));
        if (std::find(known.begin(), known.end(), name) == known.end()) {
          std::string names;
          for (const std::string& k : known) names += (names.empty() ? "{" : ", {") + k + "}";
          return base::Status::invalid_argument("placeholder {" + name +
                                                "} names no dimension; use one of " + names +
                                                " (or {{ }} for literal braces)");
        }
        flush();
        result.pieces_.push_back({true, std::move(name)});
        i += length + 2;
        continue;
      }
    }
    literal += c;
    ++i;
  }
  flush();
  return result;
}

std::string Template::expand(const TemplateValues& values) const { return expand(values, nullptr); }

std::string Template::expand(const TemplateValues& values,
                             std::string (*quote)(std::string_view)) const {
  std::string out;
  for (const Piece& piece : pieces_) {
    if (!piece.placeholder) {
      out += piece.text;
      continue;
    }
    const auto it = values.find(piece.text);
    QTUNE_CHECK(it != values.end());
    out += quote != nullptr ? quote(it->second) : it->second;
  }
  return out;
}

bool Template::has_placeholders() const {
  return std::any_of(pieces_.begin(), pieces_.end(), [](const Piece& p) { return p.placeholder; });
}

std::string shell_quote(std::string_view word) {
  std::string out = "'";
  for (const char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

}  // namespace qtune::exec
