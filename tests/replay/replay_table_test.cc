#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "qtune/replay/replay.h"
#include "qtune/space/space_config.h"
#include "support/temp_dir.h"

namespace qtune::replay {
namespace {

using space::StateId;

// A 3x3 grid, rows deliberately out of order; a = 2, b = 20 is missing, a = 3, b = 30 failed.
constexpr const char* kTableGrid =
    "b,a,y,status\n"
    "30,1,3.0,ok\n"
    "10,1,1.0,ok\n"
    "20,1,2.0,ok\n"
    "10,2,4.0,ok\n"
    "\n"
    "30,2,6.0,ok\n"
    "10,3,7.0,ok\n"
    "20,3,8.0,ok\n"
    "30,3,,diverged\n";

ReplayTable parse_ok(const std::vector<TableText>& tables, const TableSpec& spec) {
  auto table = ReplayTable::parse(tables, spec);
  EXPECT_TRUE(table.is_ok()) << table.status().to_string();
  return std::move(table).value();
}

TEST(ReplayTable, DerivesSortedGridAndMarksFailedAndMissingConfigurations) {
  const ReplayTable table =
      parse_ok({{"g.csv", kTableGrid}}, {"y", {"a", "b"}, std::nullopt, std::nullopt});
  const space::Space& grid = table.space();
  ASSERT_EQ(grid.dims(), 2u);
  EXPECT_EQ(grid.dimension(0).name, "a");
  EXPECT_EQ(grid.dimension(0).values,
            (std::vector<space::Value>{std::int64_t{1}, std::int64_t{2}, std::int64_t{3}}));
  EXPECT_EQ(grid.dimension(1).values,
            (std::vector<space::Value>{std::int64_t{10}, std::int64_t{20}, std::int64_t{30}}));
  ASSERT_EQ(table.table_count(), 1u);
  // id = i_a * 3 + i_b
  const std::vector<std::optional<double>> expected = {1, 2, 3, 4,           std::nullopt,
                                                       6, 7, 8, std::nullopt};
  for (StateId s = 0; s < 9; ++s) {
    EXPECT_EQ(table.value(0, s), expected[s]) << grid.describe(s);
    EXPECT_EQ(table.mean(s), expected[s]) << grid.describe(s);
  }
  EXPECT_EQ(table.min_mean(), 1.0);
  EXPECT_EQ(table.max_mean(), 8.0);
}

TEST(ReplayTable, CoverageCountsListedConfigurationsFailedOnesIncluded) {
  const ReplayTable table =
      parse_ok({{"g.csv", kTableGrid}}, {"y", {"a", "b"}, std::nullopt, std::nullopt});
  EXPECT_EQ(table.listed_count(), 8u);  // a = 2, b = 20 missing; a = 3, b = 30 failed but listed
  EXPECT_FALSE(table.listed(4));
  EXPECT_TRUE(table.listed(8));
}

TEST(ReplayTable, HeaderlessKeyValueTablesSplitTheirKeysByThePattern) {
  auto key = space::KeyPattern::parse("{K}_{dim}_{bs}");
  ASSERT_TRUE(key.is_ok()) << key.status().to_string();
  TableSpec spec{"FID", {}, std::nullopt, *key};
  const ReplayTable table = parse_ok(
      {{"FID_Results.csv", "2_64_16,40.5\n3_64_16,30\n2_128_16,20\n3_128_16,nan\n"}}, spec);
  const space::Space& grid = table.space();
  ASSERT_EQ(grid.dims(), 3u);
  EXPECT_EQ(grid.dimension(0).name, "K");
  EXPECT_EQ(grid.dimension(1).name, "dim");
  EXPECT_EQ(grid.size(), 4u);
  EXPECT_EQ(table.listed_count(), 4u);
  EXPECT_EQ(table.mean(grid.encode(std::vector<space::Index>{0, 0, 0})), 40.5);
  EXPECT_EQ(table.mean(grid.encode(std::vector<space::Index>{1, 1, 0})), std::nullopt);

  auto bad = ReplayTable::parse({{"F.csv", "2_64_16,1\n2_64,2\n"}}, spec);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("F.csv:2:1: key \"2_64\" does not follow --key"),
            std::string::npos)
      << bad.status().message();
  // One field too many is refused as well, not read as bs = "16_9".
  auto too_long = ReplayTable::parse({{"F.csv", "2_64_16,1\n2_64_16_9,2\n"}}, spec);
  ASSERT_FALSE(too_long.is_ok());
  EXPECT_NE(too_long.status().message().find("F.csv:2:1: key \"2_64_16_9\" does not follow --key"),
            std::string::npos)
      << too_long.status().message();
}

TEST(ReplayTable, DefaultParametersAreTheColumnsLeftOfTheObjectiveExceptStatus) {
  const ReplayTable table =
      parse_ok({{"t.csv", "status,lr,act,loss,seconds\nok,0.1,relu,2,9\nok,0.01,elu,1,9\n"}},
               {"loss", {}, std::nullopt, std::nullopt});
  const space::Space& grid = table.space();
  ASSERT_EQ(grid.dims(), 2u);
  EXPECT_EQ(grid.dimension(0).name, "lr");
  EXPECT_EQ(grid.dimension(0).values, (std::vector<space::Value>{0.01, 0.1}));  // numeric order
  EXPECT_EQ(grid.dimension(1).name, "act");
  EXPECT_FALSE(grid.dimension(1).numeric());
  EXPECT_EQ(grid.dimension(1).values, (std::vector<space::Value>{"elu", "relu"}));  // string order
  EXPECT_EQ(table.value(0, 0), 1.0);           // lr=0.01 act=elu
  EXPECT_EQ(table.value(0, 3), 2.0);           // lr=0.1 act=relu
  EXPECT_EQ(table.value(0, 1), std::nullopt);  // lr=0.01 act=relu is not listed
}

TEST(ReplayTable, SeveralTablesAverageTheirSuccessfulValues) {
  const ReplayTable table = parse_ok({{"s0.csv", "x,v\n1,1.0\n2,4.0\n3,nan\n"},
                                      {"s1.csv", "x,v\n3,5\n2,6\n1,2\n"},
                                      {"s2.csv", "x,v\n1,3\n2,inf\n3,7\n"}},
                                     {"v", {"x"}, std::nullopt, std::nullopt});
  EXPECT_EQ(table.table_count(), 3u);
  EXPECT_EQ(table.mean(0), 2.0);  // (1 + 2 + 3) / 3
  EXPECT_EQ(table.mean(1), 5.0);  // (4 + 6) / 2: inf is a failed trial
  EXPECT_EQ(table.mean(2), 6.0);  // (5 + 7) / 2: NaN is a failed trial
  EXPECT_EQ(table.value(2, 1), std::nullopt);
  EXPECT_EQ(table.value(1, 2), 5.0);
  EXPECT_EQ(table.min_mean(), 2.0);
  EXPECT_EQ(table.max_mean(), 6.0);
}

TEST(ReplayTable, ConfigSpaceGivesTheGridAndUnlistedConfigurationsFail) {
  auto grid = space::parse_space("[space]\na = { range = [1, 4] }\nb = { values = [0.1, 0.2] }\n",
                                 "study.toml");
  ASSERT_TRUE(grid.is_ok()) << grid.status().to_string();
  const ReplayTable table =
      parse_ok({{"t.csv", "b,a,y\n0.1,1,5\n0.2,3,6\n"}}, {"y", {}, *grid, std::nullopt});
  EXPECT_EQ(table.space().size(), 8u);
  EXPECT_EQ(table.value(0, 0), 5.0);  // a=1 b=0.1
  EXPECT_EQ(table.value(0, 5), 6.0);  // a=3 b=0.2
  EXPECT_EQ(table.value(0, 1), std::nullopt);
}

TEST(ReplayTable, QuotedFieldsAndCrLf) {
  const ReplayTable table =
      parse_ok({{"q.csv", "name,\"score\"\r\n\"a,b\",1\r\n\"say \"\"hi\"\"\",2\r\n"}},
               {"score", {"name"}, std::nullopt, std::nullopt});
  EXPECT_EQ(table.space().dimension(0).values, (std::vector<space::Value>{"a,b", "say \"hi\""}));
}

TEST(ReplayTable, LoadsFilesAndNamesAMissingOne) {
  testing::TempDir dir;
  const auto path = dir.write("t.csv", "x,y\n1,2\n");
  auto table = ReplayTable::load({path}, {"y", {}, std::nullopt, std::nullopt});
  ASSERT_TRUE(table.is_ok()) << table.status().to_string();
  EXPECT_EQ(table->mean(0), 2.0);
  auto missing = ReplayTable::load({dir / "none.csv"}, {"y", {}, std::nullopt, std::nullopt});
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), base::StatusCode::kNotFound);
  EXPECT_EQ(
      missing.status().message(),
      (dir / "none.csv").string() + ": cannot open the table; check the path and its permissions");
}

struct BadCase {
  const char* what;
  std::vector<TableText> tables;
  TableSpec spec;
  const char* message;
};

TEST(ReplayTable, MalformedTablesAreRejectedWithTheirPlace) {
  const std::vector<BadCase> cases = {
      {"too many fields",
       {{"t.csv", "x,y\n1,2\n2,3,4\n"}},
       {"y", {}, std::nullopt, std::nullopt},
       "t.csv:3:5: the row has 3 fields, the header 2; write one value per column"},
      {"too few fields",
       {{"t.csv", "x,y,z\n1,2,3\n2,3\n"}},
       {"y", {"x"}, std::nullopt, std::nullopt},
       "t.csv:3:4: the row has 2 fields, the header 3; write one value per column"},
      {"non-numeric objective",
       {{"t.csv", "x,y\n1,2\n2, abc\n"}},
       {"y", {}, std::nullopt, std::nullopt},
       "t.csv:3:3: objective \"y\" is \"abc\", not a number; write a number, or mark the "
       "row "
       "failed with a status other than \"ok\""},
      {"empty objective",
       {{"t.csv", "x,y,status\n1,,ok\n"}},
       {"y", {}, std::nullopt, std::nullopt},
       "t.csv:2:3: objective \"y\" is \"\", not a number; write a number, or mark the row "
       "failed with a status other than \"ok\""},
      {"duplicate configuration",
       {{"t.csv", "x,z,y\n1,a,2\n2,a,3\n1,a,4\n"}},
       {"y", {}, std::nullopt, std::nullopt},
       "t.csv:4:1: configuration x=1 z=a is listed again (first on line 2); list each "
       "configuration once per table (repeated measurements go into separate tables)"},
      {"parameter missing",
       {{"t.csv", "x,y\n1,2\n"}},
       {"y", {"x", "w"}, std::nullopt, std::nullopt},
       "t.csv:1: parameter \"w\" is missing from the table; the columns are x, y"},
      {"parameter missing from the second table",
       {{"a.csv", "x,w,y\n1,1,2\n"}, {"b.csv", "x,y\n1,2\n"}},
       {"y", {}, std::nullopt, std::nullopt},
       "b.csv:1: parameter \"w\" is missing from the table; the columns are x, y"},
      {"objective missing",
       {{"t.csv", "x,y\n1,2\n"}},
       {"fid", {}, std::nullopt, std::nullopt},
       "t.csv:1: no objective column \"fid\"; the columns are x, y"},
      {"tables disagree",
       {{"a.csv", "x,y\n1,2\n2,3\n"}, {"b.csv", "x,y\n1,2\n3,3\n"}},
       {"y", {}, std::nullopt, std::nullopt},
       "b.csv: parameter \"x\" disagrees with a.csv: values only here [3], only there [2]; "
       "tables of one grid list the same values"},
      {"unterminated quote",
       {{"t.csv", "x,y\n\"1,2\n"}},
       {"y", {}, std::nullopt, std::nullopt},
       "t.csv:2:1: unterminated quote; close the field with \""},
      {"empty",
       {{"t.csv", "\n\n"}},
       {"y", {}, std::nullopt, std::nullopt},
       "t.csv: the table is empty; its first row must name the columns"},
      {"nothing succeeded",
       {{"t.csv", "x,y,status\n1,2,failed\n"}},
       {"y", {}, std::nullopt, std::nullopt},
       "t.csv: no configuration succeeded; replay needs at least one numeric objective"},
      {"duplicate column",
       {{"t.csv", "x,y,x\n1,2,3\n"}},
       {"y", {}, std::nullopt, std::nullopt},
       "t.csv:1:5: column \"x\" appears twice; name each column once"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.what);
    auto table = ReplayTable::parse(c.tables, c.spec);
    ASSERT_FALSE(table.is_ok());
    EXPECT_EQ(table.status().code(), base::StatusCode::kInvalidArgument);
    EXPECT_EQ(table.status().message(), c.message);
  }
}

TEST(ReplayTable, ValueOutsideTheConfigSpaceIsRejected) {
  auto grid = space::parse_space("[space]\nx = { values = [1, 2] }\n", "study.toml");
  ASSERT_TRUE(grid.is_ok()) << grid.status().to_string();
  auto table = ReplayTable::parse({{"t.csv", "x,y\n1,2\n5,3\n"}}, {"y", {}, *grid, std::nullopt});
  ASSERT_FALSE(table.is_ok());
  EXPECT_EQ(table.status().message(),
            "t.csv:3:1: parameter \"x\" is \"5\", not a value of the [space]; its values "
            "are 1, 2");
}

}  // namespace
}  // namespace qtune::replay
