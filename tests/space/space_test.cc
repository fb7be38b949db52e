#include "qtune/space/space.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

namespace qtune::space {
namespace {

Dimension ints(std::string name, std::vector<std::int64_t> values) {
  Dimension d{std::move(name), DimensionKind::kValues, {}};
  for (auto v : values) d.values.emplace_back(v);
  return d;
}

Dimension range(std::string name, std::int64_t n) {
  Dimension d{std::move(name), DimensionKind::kRange, {}};
  for (std::int64_t v = 0; v < n; ++v) d.values.emplace_back(v);
  return d;
}

TEST(FormatValue, IntegersFloatsAndStrings) {
  EXPECT_EQ(format_value(Value{std::int64_t{64}}), "64");
  EXPECT_EQ(format_value(Value{std::int64_t{-3}}), "-3");
  EXPECT_EQ(format_value(Value{0.001}), "0.001");
  EXPECT_EQ(format_value(Value{0.1 + 0.2}), "0.30000000000000004");  // round-trips exactly
  EXPECT_EQ(format_value(Value{16.0}), "16");
  EXPECT_EQ(format_value(Value{1e-5}), "1e-05");
  EXPECT_EQ(format_value(Value{std::string("relu")}), "relu");
}

TEST(Space, EncodingIsRowMajorWithFirstDimensionMostSignificant) {
  auto space = Space::create({ints("K", {2, 3}), ints("batch", {8, 16, 32})});
  ASSERT_TRUE(space.is_ok()) << space.status().to_string();
  EXPECT_EQ(space->size(), 6u);
  EXPECT_EQ(space->stride(0), 3u);
  EXPECT_EQ(space->stride(1), 1u);
  // The worked example of space.h.
  EXPECT_EQ(space->describe(0), "K=2 batch=8");
  EXPECT_EQ(space->describe(2), "K=2 batch=32");
  EXPECT_EQ(space->describe(3), "K=3 batch=8");
  EXPECT_EQ(space->describe(5), "K=3 batch=32");
  const std::vector<Index> idx{1, 1};
  EXPECT_EQ(space->encode(idx), 4u);
  EXPECT_EQ(space->decode(4), idx);
  EXPECT_EQ(space->index(4, 0), 1u);
  EXPECT_EQ(space->index(5, 1), 2u);
  EXPECT_EQ(std::get<std::int64_t>(space->value(5, 1)), 32);
}

TEST(Space, RoundTripsEveryIdOfAMillionStateSpace) {
  auto space = Space::create({range("a", 10), range("b", 100), range("c", 1000)});
  ASSERT_TRUE(space.is_ok());
  ASSERT_EQ(space->size(), 1'000'000u);
  std::vector<Index> idx(3);
  for (StateId id = 0; id < space->size(); ++id) {
    space->decode(id, idx);
    ASSERT_EQ(idx[0], id / 100'000);
    ASSERT_EQ(idx[1], (id / 1000) % 100);
    ASSERT_EQ(idx[2], id % 1000);
    ASSERT_EQ(space->encode(idx), id);
  }
}

TEST(Space, LargestIdsOfA64BitSpaceRoundTrip) {
  // 2^16 values in 4 dimensions: 2^64 states do not fit, 2^63 (one dimension halved) do.
  auto space = Space::create(
      {range("a", 1 << 16), range("b", 1 << 16), range("c", 1 << 16), range("d", 1 << 15)});
  ASSERT_TRUE(space.is_ok());
  EXPECT_EQ(space->size(), std::uint64_t{1} << 63);
  const StateId last = space->size() - 1;
  const std::vector<Index> idx{65535, 65535, 65535, 32767};
  EXPECT_EQ(space->decode(last), idx);
  EXPECT_EQ(space->encode(idx), last);
}

TEST(Space, OverflowingProductIsAnErrorNamingTheDimension) {
  auto space = Space::create(
      {range("a", 1 << 16), range("b", 1 << 16), range("c", 1 << 16), range("d", 1 << 16)});
  ASSERT_FALSE(space.is_ok());
  EXPECT_EQ(space.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_EQ(space.status().message(),
            "dimension \"d\": the space has more than 2^64 states from this dimension on; use "
            "fewer dimensions or fewer values");
}

TEST(Space, RejectsInvalidDimensions) {
  struct Case {
    std::vector<Dimension> dims;
    std::string message;
  };
  Dimension mixed{"act", DimensionKind::kCategorical, {std::string("relu"), std::int64_t{1}}};
  Dimension twice{"lr", DimensionKind::kValues, {0.5, 0.5}};
  const std::vector<Case> cases = {
      {{}, "space: no dimensions; declare at least one, e.g. K = { range = [2, 10] }"},
      {{ints("K", {})}, "dimension \"K\": has no values; give at least one"},
      {{ints("2K", {1})},
       "dimension \"2K\": invalid name; use letters, digits and _, not starting with a digit"},
      {{ints("a-b", {1})},
       "dimension \"a-b\": invalid name; use letters, digits and _, not starting with a digit"},
      {{ints("K", {1}), ints("K", {2})},
       "dimension \"K\": declared twice; give each dimension one name"},
      {{ints("K", {1, 2, 1})}, "dimension \"K\": value 1 appears twice; list each value once"},
      {{twice}, "dimension \"lr\": value 0.5 appears twice; list each value once"},
      {{mixed}, "dimension \"act\": mixes strings and numbers; use all numbers or all strings"},
      {{range("big", kMaxDimensionSize + 1)},
       "dimension \"big\": 1000001 values; at most 1000000 are allowed per dimension (use a "
       "larger step or fewer values)"},
  };
  for (const Case& c : cases) {
    auto space = Space::create(c.dims);
    ASSERT_FALSE(space.is_ok()) << c.message;
    EXPECT_EQ(space.status().code(), base::StatusCode::kInvalidArgument);
    EXPECT_EQ(space.status().message(), c.message);
  }
}

TEST(Space, FindsDimensionsAndStatesByText) {
  Dimension act{"act", DimensionKind::kCategorical, {std::string("relu"), std::string("elu")}};
  auto space = Space::create({ints("K", {2, 3, 4}), act});
  ASSERT_TRUE(space.is_ok());
  EXPECT_EQ(space->find("act"), 1u);
  EXPECT_EQ(space->find("nope"), std::nullopt);
  const std::vector<std::string> texts{"4", "elu"};
  auto id = space->find_state(texts);
  ASSERT_TRUE(id.is_ok());
  EXPECT_EQ(*id, 5u);
  // A number is matched by value, as import and replay match it: "4.0" and "4e0" are K = 4.
  EXPECT_EQ(space->find_state(std::vector<std::string>{"4.0", "elu"}).value(), 5u);
  EXPECT_EQ(space->find_state(std::vector<std::string>{"4e0", "elu"}).value(), 5u);
  const std::vector<std::string> bad{"5", "elu"};
  auto missing = space->find_state(bad);
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), base::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "dimension \"K\": \"5\" is not one of its values; use one of 2, 3, 4");
  const std::vector<std::string> short_texts{"4"};
  EXPECT_EQ(space->find_state(short_texts).status().message(),
            "space: 1 values given for 2 dimensions; give one per dimension");
}

}  // namespace
}  // namespace qtune::space
