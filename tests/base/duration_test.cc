#include "qtune/base/duration.h"

#include <gtest/gtest.h>

namespace qtune::base {
namespace {

using std::chrono::milliseconds;

TEST(DurationTest, ParsesUnitsAndSeconds) {
  const std::vector<std::pair<std::string, long long>> cases = {
      {"90s", 90'000},     {"15m", 900'000},     {"2h", 7'200'000},
      {"1d", 86'400'000},  {"1h30m", 5'400'000}, {"0.5s", 500},
      {"1.5h", 5'400'000}, {"3", 3'000},         {"0.25", 250},
  };
  for (const auto& [text, ms] : cases) {
    SCOPED_TRACE(text);
    const auto parsed = parse_duration(text);
    ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
    EXPECT_EQ(parsed->count(), ms);
  }
}

TEST(DurationTest, RejectsBadText) {
  for (const std::string text : {"", "2x", "h", "-5s", "0", "1h30", "nan", "inf", "2 h"}) {
    SCOPED_TRACE(text);
    const auto parsed = parse_duration(text);
    ASSERT_FALSE(parsed.is_ok());
    EXPECT_EQ(parsed.status().code(), base::StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find("\"90s\""), std::string::npos);
  }
}

TEST(DurationTest, EachUnitAtMostOnceFromDaysToSeconds) {
  EXPECT_EQ(parse_duration("1d2h3m4s")->count(), 93'784'000);
  for (const std::string text : {"1d1d", "1m1h", "1s1m", "2h2h", "1h1d"}) {
    SCOPED_TRACE(text);
    const auto parsed = parse_duration(text);
    ASSERT_FALSE(parsed.is_ok());
    EXPECT_NE(parsed.status().message().find("at most once, in the order d, h, m, s"),
              std::string::npos)
        << parsed.status().message();
  }
}

TEST(DurationTest, Formats) {
  EXPECT_EQ(format_duration(milliseconds(12'400)), "12s");
  EXPECT_EQ(format_duration(milliseconds(245'000)), "4m05s");
  EXPECT_EQ(format_duration(milliseconds(3'723'000)), "1h02m03s");
}

}  // namespace
}  // namespace qtune::base
