// Names: an enum's names as study files, stores and messages spell them, in one table that
// is read both ways. Every enum with a spelled form keeps its names in one of these, so a
// name cannot be printed one way and parsed another.
//
//   constexpr base::Names<Direction, 2> kDirections{{{Direction::kMinimize, "minimize"},
//                                                   {Direction::kMaximize, "maximize"}}};
//   kDirections.name(Direction::kMaximize)   // "maximize"
//   kDirections.parse("max")                 // nullopt
//   kDirections.list()                       // "\"minimize\" or \"maximize\""
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace qtune::base {

template <typename Enum, std::size_t N>
struct Names {
  std::array<std::pair<Enum, std::string_view>, N> entries;

  // The value's name; "unknown" for a value outside the table (a programmer error).
  constexpr std::string_view name(Enum value) const {
    for (const auto& [e, text] : entries) {
      if (e == value) return text;
    }
    return "unknown";
  }

  constexpr std::optional<Enum> parse(std::string_view text) const {
    for (const auto& [e, name] : entries) {
      if (name == text) return e;
    }
    return std::nullopt;
  }

  // The names for a message, each between `quote`s: "\"a\", \"b\" or \"c\"".
  std::string list(std::string_view quote = "\"") const {
    std::string out;
    for (std::size_t i = 0; i < N; ++i) {
      if (i > 0) out += i + 1 == N ? " or " : ", ";
      out.append(quote).append(entries[i].second).append(quote);
    }
    return out;
  }
};

}  // namespace qtune::base
