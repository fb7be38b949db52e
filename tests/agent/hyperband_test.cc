// Hyperband (agent/hyperband.h): its brackets and promotions by hand, the recommendation at
// the top level, and its refusal without a fidelity. The Strategy contract itself is
// checked by strategy_conformance_test.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "qtune/agent/strategy_config.h"

namespace qtune::agent {
namespace {

// a = 0..8; maxiter = 40, 10, 20 (the fidelity, written out of order on purpose).
space::Space hb_space() {
  space::Dimension a{"a", space::DimensionKind::kRange, {}};
  for (std::int64_t v = 0; v < 9; ++v) a.values.emplace_back(v);
  space::Dimension m{"maxiter", space::DimensionKind::kValues, {}};
  for (std::int64_t v : {40, 10, 20}) m.values.emplace_back(v);
  m.fidelity = true;
  return space::Space::create({a, m}).value();
}

std::int64_t hb_maxiter(const space::Space& space, space::StateId s) {
  return std::get<std::int64_t>(space.value(s, 1));
}
std::int64_t hb_a(const space::Space& space, space::StateId s) {
  return std::get<std::int64_t>(space.value(s, 0));
}

// Lower with a closer to 6, and lower at a higher fidelity.
double hb_loss(const space::Space& space, space::StateId s) {
  return std::abs(static_cast<double>(hb_a(space, s)) - 6.0) +
         10.0 / static_cast<double>(hb_maxiter(space, s));
}

TEST(Hyperband, SuccessiveHalvingPromotesTheBestOfEachRung) {
  const space::Space space = hb_space();
  StrategyConfig config;
  config.kind = StrategyKind::kHyperband;
  config.eta = 2.0;
  auto made = make_strategy(space, config, 11);
  ASSERT_TRUE(made.is_ok()) << made.status().to_string();
  Strategy& s = **made;
  EXPECT_EQ(s.name(), "hyperband");
  std::vector<space::StateId> proposed;
  while (auto p = s.ask()) {
    proposed.push_back(p->state);
    s.tell(*p, {hb_loss(space, p->state)});
    if (proposed.size() == 7) break;
  }
  ASSERT_EQ(proposed.size(), 7u);
  // Bracket s = 2 of s_max = 2: n = ceil(3 / 3 * 2^2) = 4 configurations at maxiter 10,
  // the best 2 at maxiter 20, the best 1 at maxiter 40.
  std::vector<std::pair<double, std::int64_t>> first;
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(hb_maxiter(space, proposed[i]), 10) << i;
    first.emplace_back(hb_loss(space, proposed[i]), hb_a(space, proposed[i]));
  }
  std::sort(first.begin(), first.end());
  EXPECT_EQ(std::set<std::int64_t>({hb_a(space, proposed[4]), hb_a(space, proposed[5])}),
            std::set<std::int64_t>({first[0].second, first[1].second}));
  EXPECT_EQ(hb_maxiter(space, proposed[4]), 20);
  EXPECT_EQ(hb_maxiter(space, proposed[5]), 20);
  EXPECT_EQ(hb_maxiter(space, proposed[6]), 40);
  EXPECT_EQ(hb_a(space, proposed[6]), first[0].second);
  // The recommendation is the top-level configuration, though maxiter 10 and 20 were
  // measured too.
  EXPECT_EQ(s.recommend(), proposed[6]);
  // Bracket s = 1: n = ceil(3 / 2 * 2) = 3 new configurations at maxiter 20.
  for (std::size_t i = 0; i < 3; ++i) {
    const auto p = s.ask();
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(hb_maxiter(space, p->state), 20);
    EXPECT_EQ(
        std::count_if(proposed.begin(), proposed.end(),
                      [&](space::StateId q) { return hb_a(space, q) == hb_a(space, p->state); }),
        0);
    proposed.push_back(p->state);
    s.tell(*p, {hb_loss(space, p->state)});
  }
}

TEST(Hyperband, EndsAfterEveryConfigurationWasDrawn) {
  const space::Space space = hb_space();
  StrategyConfig config;
  config.kind = StrategyKind::kHyperband;
  auto s = make_strategy(space, config, 3).value();
  std::set<space::StateId> seen;
  while (auto p = s->ask()) {
    EXPECT_TRUE(seen.insert(p->state).second);
    s->tell(*p, {hb_loss(space, p->state)});
  }
  std::set<std::int64_t> configurations;
  for (space::StateId q : seen) configurations.insert(hb_a(space, q));
  EXPECT_EQ(configurations.size(), 9u);
  ASSERT_TRUE(s->recommend().has_value());
  EXPECT_EQ(hb_maxiter(space, *s->recommend()), 40);
}

TEST(Hyperband, NeedsAFidelity) {
  space::Dimension a{"a", space::DimensionKind::kRange, {}};
  for (std::int64_t v = 0; v < 3; ++v) a.values.emplace_back(v);
  const space::Space plain = space::Space::create({a}).value();
  StrategyConfig config;
  config.kind = StrategyKind::kHyperband;
  auto s = make_strategy(plain, config, 1);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.status().message().find("fidelity"), std::string::npos) << s.status().message();
}

TEST(Hyperband, ParsedFromTheStrategyTable) {
  const space::Space space = hb_space();
  auto config = parse_strategy("[strategy]\nkind = \"hyperband\"\neta = 2\n", space, "s.toml");
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  EXPECT_EQ(config->kind, StrategyKind::kHyperband);
  EXPECT_EQ(config->eta, 2.0);
  auto bad = parse_strategy("[strategy]\nkind = \"hyperband\"\neta = 1\n", space, "s.toml");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("s.toml:3"), std::string::npos) << bad.status().message();
}

}  // namespace
}  // namespace qtune::agent
