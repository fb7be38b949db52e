// base::parse_toml refuses what would crash toml++ (issue 11, case 5): nesting deep enough
// to overflow its recursive parser, or a text too large to be a study file, before parsing;
// base::toml_real refuses integers that no double holds (case 4).
#include "base/toml_reader.h"

#include <gtest/gtest.h>

#include <string>

namespace qtune::base {
namespace {

std::string repeat(std::string_view piece, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += piece;
  return out;
}

void expect_refused(const std::string& text, std::string_view expected) {
  const auto parsed = parse_toml(text, "deep.toml");
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find(expected), std::string::npos)
      << parsed.status().message();
}

TEST(TomlReader, RefusesFiftyThousandLevelDottedKeysNamingTheLine) {
  expect_refused("[study]\nname = \"x\"\n" + repeat("a.", 50'000) + "b = 1\n",
                 "deep.toml:3: a dotted key nests deeper than 64 levels");
}

TEST(TomlReader, RefusesFiftyThousandLevelTableHeaders) {
  expect_refused("\n[" + repeat("a.", 50'000) + "b]\n", "deep.toml:2: a dotted key");
}

TEST(TomlReader, RefusesDeepArraysAndInlineTables) {
  expect_refused("x = " + repeat("[", 50'000) + repeat("]", 50'000) + "\n",
                 "deep.toml:1: an array or inline table nests deeper than 64");
  expect_refused("x = " + repeat("{a=", 50'000) + "1" + repeat("}", 50'000) + "\n",
                 "deep.toml:1: an array or inline table");
}

TEST(TomlReader, AcceptsSixtyFourLevelsAndDotsInStringsValuesAndComments) {
  const std::string text = repeat("a.", 63) + "b = 1\n" + "s = \"" + repeat(".", 500) + "\"\n" +
                           "m = '''\n" + repeat("[{.", 500) + "\n'''\n" +
                           "f = [1.5, 2.5, 3.5]\n# " + repeat("[.", 500) + "\n";
  const auto parsed = parse_toml(text, "ok.toml");
  EXPECT_TRUE(parsed.is_ok()) << parsed.status().to_string();
}

TEST(TomlReader, RefusesAFileOverOneMebibyteBeforeParsing) {
  expect_refused("# " + std::string(kMaxTomlBytes, 'x') + "\n", "deep.toml: 1048579 bytes");
}

TEST(TomlReader, RealRefusesIntegersNoDoubleHoldsNamingFileLineAndKey) {
  const auto parsed =
      parse_toml("a = 1\nbig = 9007199254740993\nok = 9007199254740992\n", "s.toml");
  ASSERT_TRUE(parsed.is_ok());
  const auto big = toml_real(*parsed->get("big"), "big", "s.toml");
  ASSERT_FALSE(big.is_ok());
  EXPECT_NE(big.status().message().find("s.toml:2: big: 9007199254740993"), std::string::npos)
      << big.status().message();
  EXPECT_EQ(toml_real(*parsed->get("ok"), "ok", "s.toml").value(), 9007199254740992.0);
  EXPECT_EQ(toml_real(*parsed->get("a"), "a", "s.toml").value(), 1.0);
}

}  // namespace
}  // namespace qtune::base
