#include "qtune/space/space_config.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <string>
#include <vector>

namespace qtune::space {
namespace {

std::vector<std::string> texts(const Dimension& d) {
  std::vector<std::string> out;
  for (const Value& v : d.values) out.push_back(format_value(v));
  return out;
}

TEST(SpaceConfig, ParsesEveryFormInFileOrder) {
  auto space = parse_space(R"([space]
K = { range = [2, 10] }
lr = { log = [1e-4, 1e-1], num = 4 }
intermediate_dim = { values = [64, 128, 256] }
batch_size = { pow2 = [8, 32] }
activation = { values = ["relu", "elu"] }
maxiter = { range = [10, 40], step = 15 }
dropout = { range = [0.1, 0.5], step = 0.1 }
width = [1.5, 2]
)",
                           "study.toml");
  ASSERT_TRUE(space.is_ok()) << space.status().to_string();
  ASSERT_EQ(space->dims(), 8u);
  const auto& d = space->dimensions();
  EXPECT_EQ(d[0].name, "K");
  EXPECT_EQ(d[0].kind, DimensionKind::kRange);
  EXPECT_EQ(texts(d[0]), (std::vector<std::string>{"2", "3", "4", "5", "6", "7", "8", "9", "10"}));
  EXPECT_EQ(d[1].kind, DimensionKind::kLog);
  EXPECT_EQ(texts(d[1]), (std::vector<std::string>{"0.0001", "0.001", "0.01", "0.1"}));
  EXPECT_EQ(d[2].kind, DimensionKind::kValues);
  EXPECT_EQ(texts(d[2]), (std::vector<std::string>{"64", "128", "256"}));
  EXPECT_EQ(d[3].kind, DimensionKind::kPowerOfTwo);
  EXPECT_EQ(texts(d[3]), (std::vector<std::string>{"8", "16", "32"}));
  EXPECT_EQ(d[4].kind, DimensionKind::kCategorical);
  EXPECT_EQ(texts(d[4]), (std::vector<std::string>{"relu", "elu"}));
  EXPECT_EQ(texts(d[5]), (std::vector<std::string>{"10", "25", "40"}));
  EXPECT_EQ(texts(d[6]), (std::vector<std::string>{"0.1", "0.2", "0.3", "0.4", "0.5"}));
  EXPECT_EQ(texts(d[7]), (std::vector<std::string>{"1.5", "2"}));
  EXPECT_EQ(space->size(), 9u * 4 * 3 * 3 * 2 * 3 * 5 * 2);
}

TEST(SpaceConfig, RangeStepNeedNotReachHi) {
  auto space = parse_space("[space]\nK = { range = [2, 9], step = 3 }\n", "s.toml");
  ASSERT_TRUE(space.is_ok());
  EXPECT_EQ(texts(space->dimension(0)), (std::vector<std::string>{"2", "5", "8"}));
}

TEST(SpaceConfig, RejectsBadInputsNamingFileLineDimensionAndValidForm) {
  struct Case {
    std::string body;  // the lines after "[space]\n"; the bad dimension is on line 2
    std::string message;
  };
  const std::string forms =
      "{ range = [lo, hi], step = s }, { values = [...] }, { pow2 = [lo, hi] } or "
      "{ log = [lo, hi], num = n }";
  const std::vector<Case> cases = {
      {"K = { range = [2, 10], stpe = 2 }",
       "s.toml:2: dimension \"K\": unknown key \"stpe\"; valid keys are range, step, values, "
       "pow2, log, num and fidelity"},
      {"K = 4", "s.toml:2: dimension \"K\": is an integer; use one of " + forms},
      {"K = { range = [2, 10], values = [1] }",
       "s.toml:2: dimension \"K\": both \"range\" and \"values\" given; use exactly one of " +
           forms},
      {"K = { step = 2 }",
       "s.toml:2: dimension \"K\": no range, values, pow2 or log; use one of " + forms},
      {"K = { range = [10, 2] }",
       "s.toml:2: dimension \"K\": range [10, 2] is empty (lo > hi); use lo <= hi"},
      {"K = { range = [2, 10], step = 0 }",
       "s.toml:2: dimension \"K\": step 0 is invalid; use an integer >= 1"},
      {"K = { range = [2, 10], step = -1 }",
       "s.toml:2: dimension \"K\": step -1 is invalid; use an integer >= 1"},
      {"x = { range = [0.1, 1.0], step = 0.0 }",
       "s.toml:2: dimension \"x\": step 0 is invalid; use a number > 0"},
      {"K = { range = [2, \"10\"] }",
       "s.toml:2: dimension \"K\": range must be [lo, hi] with two numbers"},
      {"K = { range = [2, 10], step = \"1\" }",
       "s.toml:2: dimension \"K\": step is a string; use a number > 0"},
      {"K = { range = [0, 10000000] }",
       "s.toml:2: dimension \"K\": 10000001 values; at most 1000000 are allowed per dimension "
       "(use a larger step)"},
      {"K = { values = [] }",
       "s.toml:2: dimension \"K\": values is empty; give at least one value"},
      {"K = { values = 3 }", "s.toml:2: dimension \"K\": values is an integer; use values = [...]"},
      {"K = { values = [1, 2, 1] }",
       "s.toml:2: dimension \"K\": value 1 appears twice; list each value once"},
      {"K = { values = [1, true] }",
       "s.toml:2: dimension \"K\": values[1] is a boolean; use numbers or strings"},
      {"K = { values = [\"a\", 1] }",
       "s.toml:2: dimension \"K\": mixes strings and numbers; use all numbers or all strings"},
      {"K = { values = [1, 2], step = 1 }",
       "s.toml:2: dimension \"K\": \"step\" applies only to range; remove it or use "
       "{ range = [lo, hi], step = s }"},
      {"K = { pow2 = [8, 32], num = 3 }",
       "s.toml:2: dimension \"K\": \"num\" applies only to log; remove it or use "
       "{ log = [lo, hi], num = n }"},
      {"K = { pow2 = [8, 12] }",
       "s.toml:2: dimension \"K\": pow2 bound 12 is not a power of two; use integer powers of two "
       ">= 1, e.g. pow2 = [8, 64]"},
      {"K = { pow2 = [64, 8] }",
       "s.toml:2: dimension \"K\": pow2 [64, 8] is empty (lo > hi); use lo <= hi"},
      {"lr = { log = [0, 1], num = 3 }",
       "s.toml:2: dimension \"lr\": log [0, 1] is invalid; use 0 < lo < hi"},
      {"lr = { log = [0.001, 0.1] }",
       "s.toml:2: dimension \"lr\": log needs num = n, an integer >= 2 (the number of values from "
       "lo to hi)"},
      {"\"2K\" = { range = [1, 2] }",
       "s.toml:2: dimension \"2K\": invalid name; use letters, digits and _, not starting with a "
       "digit"},
  };
  for (const Case& c : cases) {
    auto space = parse_space("[space]\n" + c.body + "\n", "s.toml");
    ASSERT_FALSE(space.is_ok()) << c.body;
    EXPECT_EQ(space.status().code(), base::StatusCode::kInvalidArgument) << c.body;
    EXPECT_EQ(space.status().message(), c.message) << c.body;
  }
}

TEST(SpaceConfig, ErrorsInLaterLinesNameTheirLine) {
  auto space =
      parse_space("[space]\nK = { range = [2, 10] }\n\nbatch = { values = [] }\n", "study.toml");
  ASSERT_FALSE(space.is_ok());
  EXPECT_EQ(space.status().message(),
            "study.toml:4: dimension \"batch\": values is empty; give at least one value");
}

TEST(SpaceConfig, OverflowNamesTheDimension) {
  std::string text = "[space]\n";
  for (char c = 'a'; c <= 'e'; ++c) text += std::string(1, c) + " = { range = [1, 100000] }\n";
  auto space = parse_space(text, "s.toml");
  ASSERT_FALSE(space.is_ok());
  EXPECT_EQ(space.status().message(),
            "s.toml:5: dimension \"d\": the space has more than 2^64 states from this dimension "
            "on; use fewer dimensions or fewer values");
}

TEST(SpaceConfig, MissingTableAndSyntaxErrors) {
  EXPECT_EQ(parse_space("[strategy]\n", "s.toml").status().message(),
            "s.toml: no [space] table; add one, e.g. [space] then K = { range = [2, 10] }");
  auto bad = parse_space("[space]\nK = { range = [2, 10]\n", "s.toml");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().message().rfind("s.toml:2:", 0), 0u) << bad.status().message();
}

// Issue 11, case 4: integers beyond what a double holds in a bound were an unchecked
// optional (std::bad_optional_access, exit 134); now each is a file:line error.
TEST(SpaceConfig, HugeIntegerBoundsAreErrorsNamingFileAndLine) {
  for (const std::string form :
       {"{ range = [0, 9223372036854775807] }", "{ pow2 = [1, 9223372036854775807] }",
        "{ range = [0, 9223372036854775807], step = 0.5 }",
        "{ log = [1, 9007199254740993], num = 3 }", "{ range = [9007199254740993, 1.5] }"}) {
    const auto space = parse_space("[space]\nA = [1, 2]\nK = " + form + "\n", "s.toml");
    ASSERT_FALSE(space.is_ok()) << form;
    EXPECT_EQ(space.status().code(), base::StatusCode::kInvalidArgument) << form;
    EXPECT_NE(space.status().message().find("s.toml:3: dimension \"K\""), std::string::npos)
        << space.status().message();
  }
  const auto inf = parse_space("[space]\nK = { range = [0.0, inf] }\n", "s.toml");
  ASSERT_FALSE(inf.is_ok());
  EXPECT_NE(inf.status().message().find("not finite"), std::string::npos) << inf.status().message();
}

// Issue 11, case 8: the space's size is checked from the bounds before any value is made:
// 64 dimensions of 10^6 values were 64 * 10^6 values (2.5 GB) before the error.
TEST(SpaceConfig, TooLargeSpaceIsRefusedBeforeItsValuesAreMade) {
  std::string text = "[space]\n";
  for (int k = 0; k < 64; ++k) text += "d" + std::to_string(k) + " = { range = [1, 1000000] }\n";
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  const auto space = parse_space(text, "s.toml");
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  ASSERT_FALSE(space.is_ok());
  // The fourth dimension takes the product past 2^64 (10^18 < 2^64 < 10^24).
  EXPECT_NE(space.status().message().find("s.toml:5: dimension \"d3\": the space has more than "
                                          "2^64 states"),
            std::string::npos)
      << space.status().message();
  // Peak resident memory (KiB) grew by less than 3 dimensions' worth of values would take.
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 200 * 1024);
}

TEST(SpaceConfig, OneDimensionOverTheCapIsRefusedWithoutMakingItsValues) {
  const auto space = parse_space("[space]\nK = { range = [0, 1000000] }\n", "s.toml");
  ASSERT_FALSE(space.is_ok());
  EXPECT_NE(space.status().message().find("s.toml:2: dimension \"K\": 1000001 values; at most "
                                          "1000000"),
            std::string::npos)
      << space.status().message();
}

}  // namespace
}  // namespace qtune::space
