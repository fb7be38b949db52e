#include "qtune/space/moves.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace qtune::space {
namespace {

Space make_space(std::vector<std::size_t> sizes) {
  std::vector<Dimension> dims;
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    Dimension d{std::string(1, static_cast<char>('a' + k)), DimensionKind::kRange, {}};
    for (std::size_t v = 0; v < sizes[k]; ++v) d.values.emplace_back(static_cast<std::int64_t>(v));
    dims.push_back(std::move(d));
  }
  return Space::create(std::move(dims)).value();
}

TEST(Moves, JointNumberingIsBase3WithDimensionZeroMostSignificant) {
  const Space space = make_space({3, 3});
  auto moves = Moves::create(space, MoveSet::kJoint);
  ASSERT_TRUE(moves.is_ok());
  EXPECT_EQ(moves->count(), 9u);
  EXPECT_EQ(moves->stay(), 4u);
  // The table of moves.h: a=0 (-1,-1), 1 (-1,0), 2 (-1,+1), 3 (0,-1), ..., 8 (+1,+1).
  const int expected[9][2] = {{-1, -1}, {-1, 0}, {-1, 1}, {0, -1}, {0, 0},
                              {0, 1},   {1, -1}, {1, 0},  {1, 1}};
  for (Action a = 0; a < 9; ++a) {
    EXPECT_EQ(moves->step(a, 0), expected[a][0]) << a;
    EXPECT_EQ(moves->step(a, 1), expected[a][1]) << a;
  }
  EXPECT_EQ(moves->describe(4), "stay");
  EXPECT_EQ(moves->describe(2), "a-1 b+1");
  EXPECT_EQ(moves->describe(7), "a+1");
}

TEST(Moves, JointCountAndStayForFourDimensions) {
  const Space space = make_space({9, 3, 3, 3});
  auto moves = Moves::create(space, MoveSet::kJoint);
  ASSERT_TRUE(moves.is_ok());
  EXPECT_EQ(moves->count(), 81u);
  EXPECT_EQ(moves->stay(), 40u);
  for (std::size_t k = 0; k < 4; ++k) EXPECT_EQ(moves->step(40, k), 0);
  // a = 0: all dimensions down; a = 80: all up; a = 27 * 2 + 13 = 67: +1, 0, 0, 0.
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(moves->step(0, k), -1);
    EXPECT_EQ(moves->step(80, k), 1);
  }
  EXPECT_EQ(moves->describe(67), "a+1");
}

TEST(Moves, SingleNumbering) {
  const Space space = make_space({3, 3, 3});
  auto moves = Moves::create(space, MoveSet::kSingle);
  ASSERT_TRUE(moves.is_ok());
  EXPECT_EQ(moves->count(), 7u);
  EXPECT_EQ(moves->stay(), 0u);
  const std::vector<std::string> names{"stay", "a-1", "a+1", "b-1", "b+1", "c-1", "c+1"};
  for (Action a = 0; a < 7; ++a) EXPECT_EQ(moves->describe(a), names[a]);
  EXPECT_EQ(moves->step(3, 1), -1);
  EXPECT_EQ(moves->step(3, 0), 0);
  EXPECT_EQ(moves->step(6, 2), 1);
}

TEST(Moves, ClampAtTheEdges) {
  // intermediate_dim {64, 128, 256}: up from 64 is 128, up from 256 stays.
  Dimension dim{"intermediate_dim",
                DimensionKind::kValues,
                {std::int64_t{64}, std::int64_t{128}, std::int64_t{256}}};
  Dimension k{"K", DimensionKind::kRange, {std::int64_t{2}, std::int64_t{3}}};
  const Space space = Space::create({k, dim}).value();
  const Moves joint = Moves::create(space, MoveSet::kJoint).value();
  const Moves single = Moves::create(space, MoveSet::kSingle).value();
  EXPECT_EQ(space.describe(joint.apply(0, 5)), "K=2 intermediate_dim=128");   // (0,+1)
  EXPECT_EQ(space.describe(joint.apply(2, 5)), "K=2 intermediate_dim=256");   // clamped
  EXPECT_EQ(space.describe(joint.apply(0, 0)), "K=2 intermediate_dim=64");    // both clamped
  EXPECT_EQ(space.describe(joint.apply(5, 8)), "K=3 intermediate_dim=256");   // corner stays
  EXPECT_EQ(space.describe(joint.apply(2, 6)), "K=3 intermediate_dim=128");   // (+1,-1)
  EXPECT_EQ(space.describe(single.apply(0, 1)), "K=2 intermediate_dim=64");   // K-1 clamped
  EXPECT_EQ(space.describe(single.apply(0, 4)), "K=2 intermediate_dim=128");  // dim+1
  std::vector<Index> idx{1, 2};
  joint.apply(idx, 8);
  EXPECT_EQ(idx, (std::vector<Index>{1, 2}));
  joint.apply(idx, 0);
  EXPECT_EQ(idx, (std::vector<Index>{0, 1}));
}

TEST(Moves, IdAndIndexFormsAgreeEverywhere) {
  const Space space = make_space({4, 1, 3, 2});
  for (MoveSet set : {MoveSet::kJoint, MoveSet::kSingle}) {
    const Moves moves = Moves::create(space, set).value();
    for (StateId s = 0; s < space.size(); ++s) {
      for (Action a = 0; a < moves.count(); ++a) {
        std::vector<Index> idx = space.decode(s);
        moves.apply(idx, a);
        ASSERT_EQ(moves.apply(s, a), space.encode(idx)) << s << " " << a;
      }
    }
  }
}

TEST(Moves, JointRejectsMoreThanTwelveDimensions) {
  const Space space = make_space(std::vector<std::size_t>(13, 2));
  auto moves = Moves::create(space, MoveSet::kJoint);
  ASSERT_FALSE(moves.is_ok());
  EXPECT_EQ(moves.status().message(),
            "actions \"joint\": 13 dimensions give 3^13 actions, more than the limit 3^12; use "
            "actions = \"single\"");
  EXPECT_TRUE(Moves::create(space, MoveSet::kSingle).is_ok());
}

TEST(Moves, ParseMoveSet) {
  EXPECT_EQ(parse_move_set("joint").value(), MoveSet::kJoint);
  EXPECT_EQ(parse_move_set("single").value(), MoveSet::kSingle);
  EXPECT_EQ(parse_move_set("both").status().message(),
            "actions \"both\" is unknown; use \"joint\" or \"single\"");
  EXPECT_EQ(move_set_name(MoveSet::kSingle), "single");
}

}  // namespace
}  // namespace qtune::space
