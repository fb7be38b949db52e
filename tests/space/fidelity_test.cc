// A fidelity dimension (`{ values = [...], fidelity = true }`): parsed, ordered by value,
// refused when categorical (with file:line) or declared twice.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "qtune/space/space.h"
#include "qtune/space/space_config.h"

namespace qtune::space {
namespace {

TEST(Fidelity, ParsedAndOrderedByValue) {
  auto space = parse_space(R"([space]
K = { range = [2, 4] }
maxiter = { values = [40, 10, 20], fidelity = true }
)",
                           "study.toml");
  ASSERT_TRUE(space.is_ok()) << space.status().to_string();
  ASSERT_EQ(space->fidelity(), std::optional<std::size_t>(1));
  EXPECT_TRUE(space->dimension(1).fidelity);
  EXPECT_FALSE(space->dimension(0).fidelity);
  // Values 40, 10, 20: the cheapest is index 1, then 2, then 0.
  EXPECT_EQ(space->fidelity_order(), (std::vector<Index>{1, 2, 0}));
  const std::vector<Index> k3_m10{1, 1};
  const StateId s = space->encode(k3_m10);
  EXPECT_EQ(space->describe(space->at_fidelity(s, 0)), "K=3 maxiter=40");
  EXPECT_EQ(space->at_fidelity(s, 1), s);
}

TEST(Fidelity, FalseOrAbsentDeclaresNone) {
  auto space = parse_space("[space]\nK = { range = [2, 4], fidelity = false }\n", "s.toml");
  ASSERT_TRUE(space.is_ok()) << space.status().to_string();
  EXPECT_EQ(space->fidelity(), std::nullopt);
}

TEST(Fidelity, CategoricalIsRefusedAtParseTimeWithFileAndLine) {
  auto space = parse_space(R"([space]
K = { range = [2, 4] }
optimizer = { values = ["adam", "sgd"], fidelity = true }
)",
                           "study.toml");
  ASSERT_FALSE(space.is_ok());
  EXPECT_EQ(space.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(space.status().message().find("study.toml:3"), std::string::npos)
      << space.status().message();
  EXPECT_NE(space.status().message().find("fidelity must be numeric"), std::string::npos)
      << space.status().message();
}

TEST(Fidelity, NotABooleanOrTwiceIsRefused) {
  auto flag = parse_space("[space]\nmaxiter = { values = [1, 2], fidelity = 1 }\n", "s.toml");
  ASSERT_FALSE(flag.is_ok());
  EXPECT_NE(flag.status().message().find("s.toml:2"), std::string::npos);
  EXPECT_NE(flag.status().message().find("fidelity = true or false"), std::string::npos)
      << flag.status().message();
  auto twice = parse_space(
      "[space]\na = { values = [1, 2], fidelity = true }\nb = { values = [1, 2], fidelity = "
      "true }\n",
      "s.toml");
  ASSERT_FALSE(twice.is_ok());
  EXPECT_NE(twice.status().message().find("second fidelity"), std::string::npos)
      << twice.status().message();
}

}  // namespace
}  // namespace qtune::space
