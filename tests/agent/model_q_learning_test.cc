// The model-based q-learning strategy through the Strategy interface: determinism,
// snapshot/restore, finding the optimum of a smooth grid, parallel trajectories,
// re-measurement under noise, failures, exhaustion, windowed planning and option checks.
#include "agent/model/model_q_learning.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <vector>

namespace qtune::agent {
namespace {

space::Space grid(std::vector<std::size_t> levels) {
  std::vector<space::Dimension> dims;
  for (std::size_t k = 0; k < levels.size(); ++k) {
    space::Dimension d;
    d.name = "x" + std::to_string(k);
    for (std::size_t i = 0; i < levels[k]; ++i) d.values.emplace_back(static_cast<std::int64_t>(i));
    dims.push_back(d);
  }
  return space::Space::create(dims).value();
}

using Loss = std::function<std::optional<double>(const std::vector<space::Index>&)>;

// A smooth bowl with its minimum at (6, 2) on a 9×7 grid.
std::optional<double> bowl(const std::vector<space::Index>& i) {
  return std::pow(i[0] - 6.0, 2) + 0.5 * std::pow(i[1] - 2.0, 2) + 0.3 * i[0] * (i[1] - 2.0) / 6.0;
}

std::unique_ptr<Strategy> make_model_q(const space::Space& space, StrategyConfig config = {},
                                       std::uint64_t seed = 7) {
  auto s = make_model_q_learning(space, config, seed);
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  return std::move(s).value();
}

// Asks and tells one proposal at a time; returns the proposals.
std::vector<Proposal> drive_proposals(Strategy& s, const space::Space& space, const Loss& loss,
                                      int n) {
  std::vector<Proposal> out;
  for (int e = 0; e < n; ++e) {
    const auto p = s.ask();
    if (!p) break;
    out.push_back(*p);
    s.tell(*p, {loss(space.decode(p->state))});
  }
  return out;
}

bool same(const std::vector<Proposal>& a, const std::vector<Proposal>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].state != b[i].state || a[i].remeasure != b[i].remeasure ||
        a[i].trajectory != b[i].trajectory) {
      return false;
    }
  }
  return true;
}

TEST(ModelQLearning, BeliefsAreTheRewardModelsPredictionsInLossUnits) {
  const space::Space space = grid({9, 7});
  auto s = make_model_q(space);
  const space::StateId optimum = space.encode(std::vector<space::Index>{6, 2});
  const space::StateId corner = space.encode(std::vector<space::Index>{0, 6});
  EXPECT_TRUE(s->beliefs(std::vector{optimum}).empty());  // nothing told yet
  const auto proposals = drive_proposals(*s, space, bowl, 20);
  const auto beliefs = s->beliefs(std::vector{optimum, corner});
  ASSERT_EQ(beliefs.size(), 2u);
  // The losses span 0 .. about 45: the model puts the optimum near 0 and the corner high.
  EXPECT_LT(std::abs(beliefs[0].mean - *bowl({6, 2})), 2.0);
  EXPECT_GT(beliefs[1].mean, 20.0);
  EXPECT_GE(beliefs[0].sd, 0.0);
  // A measured state is more certain than one far from every measurement, or equal.
  bool corner_measured = false;
  for (const Proposal& p : proposals) corner_measured = corner_measured || p.state == corner;
  if (!corner_measured) {
    EXPECT_LE(beliefs[0].sd, beliefs[1].sd);
  }
}

TEST(ModelQLearning, FindsTheOptimumOfASmoothGridInFewEvaluations) {
  const space::Space space = grid({9, 7});
  auto s = make_model_q(space);
  const auto proposals = drive_proposals(*s, space, bowl, 15);
  ASSERT_EQ(proposals.size(), 15u);
  std::set<space::StateId> distinct;
  for (const auto& p : proposals) distinct.insert(p.state);
  EXPECT_EQ(distinct.size(), 15u) << "noise-free: no state is proposed twice";
  const space::StateId optimum = space.encode(std::vector<space::Index>{6, 2});
  EXPECT_TRUE(distinct.contains(optimum));
  EXPECT_EQ(s->recommend(), optimum);
  EXPECT_EQ(s->start_state(), optimum);
}

TEST(ModelQLearning, IsDeterministicForASeed) {
  const space::Space space = grid({9, 7});
  auto a = make_model_q(space, {}, 11);
  auto b = make_model_q(space, {}, 11);
  auto c = make_model_q(space, {}, 12);
  const auto pa = drive_proposals(*a, space, bowl, 12);
  EXPECT_TRUE(same(pa, drive_proposals(*b, space, bowl, 12)));
  EXPECT_FALSE(same(pa, drive_proposals(*c, space, bowl, 12)));
}

TEST(ModelQLearning, RestoredSnapshotMakesTheSameProposals) {
  const space::Space space = grid({9, 7});
  StrategyConfig config;
  config.trajectories = 2;
  auto original = make_model_q(space, config);
  drive_proposals(*original, space, bowl, 9);
  const auto held = original->ask();  // a pending proposal travels in the snapshot
  ASSERT_TRUE(held.has_value());
  const std::string bytes = original->snapshot();
  auto restored = make_model_q(space, config);
  ASSERT_TRUE(restored->restore(bytes).is_ok());
  EXPECT_EQ(restored->snapshot(), bytes);
  EXPECT_EQ(restored->q_table().size(), original->q_table().size());
  for (Strategy* s : {original.get(), restored.get()})
    s->tell(*held, {bowl(space.decode(held->state))});
  EXPECT_TRUE(
      same(drive_proposals(*original, space, bowl, 8), drive_proposals(*restored, space, bowl, 8)));
  EXPECT_EQ(original->recommend(), restored->recommend());

  EXPECT_FALSE(restored->restore(bytes.substr(0, bytes.size() - 3)).is_ok());
  EXPECT_FALSE(restored->restore(bytes + "x").is_ok());
}

TEST(ModelQLearning, ParallelTrajectoriesGetDistinctProposals) {
  const space::Space space = grid({9, 7});
  StrategyConfig config;
  config.trajectories = 3;
  auto s = make_model_q(space, config);
  drive_proposals(*s, space, bowl, 6);  // past the exploring starts, one at a time
  std::set<space::StateId> handed;
  std::set<std::uint32_t> trajectories;
  std::vector<Proposal> pending;
  for (int i = 0; i < 3; ++i) {
    const auto p = s->ask();
    ASSERT_TRUE(p.has_value());
    handed.insert(p->state);
    trajectories.insert(p->trajectory);
    pending.push_back(*p);
  }
  EXPECT_EQ(handed.size(), 3u);
  EXPECT_EQ(trajectories.size(), 3u);
  EXPECT_FALSE(s->ask().has_value()) << "every trajectory waits for its tell";
  s->tell(pending[1], {bowl(space.decode(pending[1].state))});
  const auto next = s->ask();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->trajectory, pending[1].trajectory);
  EXPECT_FALSE(handed.contains(next->state));
}

TEST(ModelQLearning, QTableIsThePlannedValueOfTheReachedState) {
  const space::Space space = grid({9, 7});
  auto s = make_model_q(space);
  drive_proposals(*s, space, bowl, 8);
  ASSERT_NE(s->moves(), nullptr);
  const auto rows = s->q_table();
  ASSERT_GE(rows.size(), 8u);
  for (const QRow& row : rows) {
    ASSERT_EQ(row.q.size(), 9u);
    for (space::Action a = 0; a < 9; ++a) {
      // Actions that clamp onto the same state share the same Q.
      for (space::Action b = 0; b < 9; ++b) {
        if (s->moves()->apply(row.state, a) == s->moves()->apply(row.state, b)) {
          EXPECT_EQ(row.q[a], row.q[b]);
        }
      }
      EXPECT_GE(row.q[a], 0.0) << "expected improvement is never negative";
    }
  }
}

TEST(ModelQLearning, RemeasuresOnlyMeasuredStatesAndWithoutNoiseOnlyTheProbe) {
  const space::Space space = grid({9, 7});
  std::mt19937_64 rng(3);
  std::normal_distribution<double> noise(0.0, 20.0);
  const Loss noisy = [&](const std::vector<space::Index>& i) { return *bowl(i) + noise(rng); };
  auto s = make_model_q(space);
  const auto proposals = drive_proposals(*s, space, noisy, 30);
  std::set<space::StateId> seen;
  int remeasures = 0;
  for (const auto& p : proposals) {
    if (p.remeasure) {
      ++remeasures;
      EXPECT_TRUE(seen.contains(p.state)) << "a re-measurement is of a measured state";
    } else {
      EXPECT_FALSE(seen.contains(p.state));
    }
    seen.insert(p.state);
  }
  // How often it fires depends on the noise the fit and the repeats show; what must hold is
  // the cap.
  EXPECT_LE(remeasures, 30 / 4);

  auto clean = make_model_q(space);
  // Noise-free: the one probe (after 5 x 3 exploring starts) repeats a value exactly, and
  // nothing is re-measured again.
  int clean_remeasures = 0;
  for (const auto& p : drive_proposals(*clean, space, bowl, 40)) clean_remeasures += p.remeasure;
  EXPECT_EQ(clean_remeasures, 1);
}

// The bowl on first measurement; each repeat of a state reads 5 higher than the last (about a
// third of the losses' standard deviation). `calls` counts the measurements per state.
Loss drifting_bowl(const space::Space& space, std::map<space::StateId, int>& calls) {
  return [&space, &calls](const std::vector<space::Index>& i) {
    return *bowl(i) + 5.0 * calls[space.encode(i)]++;
  };
}

TEST(ModelQLearning, TheProbesRepeatRevealsNoiseTheFitCannotSee) {
  // Every first measurement lies on the smooth bowl, so the GP fits next to no noise; only a
  // repeat shows the spread. Without the probe nothing would ever be measured twice.
  const space::Space space = grid({9, 7});
  std::map<space::StateId, int> calls;
  const Loss drifting = drifting_bowl(space, calls);
  auto s = make_model_q(space);
  const auto proposals = drive_proposals(*s, space, drifting, 40);
  std::vector<std::size_t> at;
  for (std::size_t e = 0; e < proposals.size(); ++e) {
    if (proposals[e].remeasure) at.push_back(e);
  }
  ASSERT_FALSE(at.empty());
  EXPECT_EQ(at.front(), 15u) << "the probe follows 5 x 3 exploring starts' worth of trials";
  // After the probe the measured spread exceeds the incumbents' leads: they are re-measured.
  EXPECT_GE(at.size(), 2u);
  EXPECT_LE(at.size(), 40u / 4);
}

TEST(ModelQLearning, ImportedStatesAreNeverReMeasuredAndASnapshotKeepsThem) {
  // Half the grid imported (observe), the bowl's optimum among them; repeats read 5 higher,
  // so after the probe the noise is large and incumbents are re-measured: none imported.
  const space::Space space = grid({9, 7});
  std::map<space::StateId, int> calls;
  const Loss drifting = drifting_bowl(space, calls);
  auto s = make_model_q(space);
  std::set<space::StateId> imported;
  for (space::StateId id = 0; id < space.size(); id += 2) {
    imported.insert(id);
    s->observe(id, {drifting(space.decode(id))});
  }
  ASSERT_TRUE(imported.contains(space.encode(std::vector<space::Index>{6, 2})));
  auto restored = make_model_q(space);
  ASSERT_TRUE(restored->restore(s->snapshot()).is_ok());
  EXPECT_EQ(restored->snapshot(), s->snapshot());
  std::map<space::StateId, int> restored_calls = calls;
  const auto proposals = drive_proposals(*s, space, drifting, 25);
  int remeasures = 0;
  for (const Proposal& p : proposals) {
    EXPECT_FALSE(imported.contains(p.state)) << "imported state " << p.state << " ran again";
    remeasures += p.remeasure;
  }
  EXPECT_GE(remeasures, 2) << "the states qtune ran itself are re-measured";
  calls = restored_calls;
  EXPECT_TRUE(same(drive_proposals(*restored, space, drifting, 25), proposals));
}

TEST(ModelQLearning, FailedTrialsArePenalisedAndNeverRecommended) {
  const space::Space space = grid({9, 7});
  const Loss failing = [](const std::vector<space::Index>& i) -> std::optional<double> {
    if (i[0] >= 7) return std::nullopt;  // the top rows crash
    return bowl(i);
  };
  auto s = make_model_q(space);
  drive_proposals(*s, space, failing, 20);
  const auto best = s->recommend();
  ASSERT_TRUE(best.has_value());
  EXPECT_LT(space.decode(*best)[0], 7u);
}

TEST(ModelQLearning, EndsWhenEveryStateIsMeasured) {
  const space::Space space = grid({3, 3});
  auto s = make_model_q(space);
  const auto proposals = drive_proposals(*s, space, bowl, 20);
  EXPECT_EQ(proposals.size(), 9u);
  EXPECT_FALSE(s->ask().has_value());
}

TEST(ModelQLearning, PlansOverAWindowOnLargeGrids) {
  const space::Space space = grid({10, 10, 10, 10, 10, 10});
  StrategyConfig config;
  config.model.window_states = 729;  // radius 1 in six dimensions
  config.actions = space::MoveSet::kSingle;
  auto s = make_model_q(space, config);
  const Loss sphere = [](const std::vector<space::Index>& i) -> std::optional<double> {
    double sum = 0.0;
    for (space::Index v : i) sum += std::pow(v - 3.0, 2);
    return sum;
  };
  const auto proposals = drive_proposals(*s, space, sphere, 12);
  ASSERT_EQ(proposals.size(), 12u);
  std::set<space::StateId> distinct;
  for (const auto& p : proposals) distinct.insert(p.state);
  EXPECT_EQ(distinct.size(), 12u);
  EXPECT_EQ(s->q_table().front().q.size(), 13u);  // single moves: stay and ±1 on six axes
}

// A separable loss: a sum of one-dimensional wells, its minimum at (2, 5, 1).
std::optional<double> wells(const std::vector<space::Index>& i) {
  return std::pow(i[0] - 2.0, 2) + 0.7 * std::pow(i[1] - 5.0, 2) + 1.3 * std::pow(i[2] - 1.0, 2);
}

StrategyConfig with_rules(std::vector<ProposalRule> rules) {
  StrategyConfig config;
  config.model.rules = std::move(rules);
  return config;
}

// The fewest index steps by which `to_state` differs from an earlier proposal that differs from
// it in exactly one dimension; nullopt when none does.
std::optional<int> coordinate_steps(const space::Space& space, const std::vector<Proposal>& before,
                                    space::StateId to_state) {
  const auto to = space.decode(to_state);
  std::optional<int> fewest;
  for (const Proposal& p : before) {
    const auto from = space.decode(p.state);
    int moved = 0, by = 0;
    for (std::size_t k = 0; k < to.size(); ++k) {
      if (from[k] != to[k]) {
        ++moved;
        by = std::abs(static_cast<int>(from[k]) - static_cast<int>(to[k]));
      }
    }
    if (moved == 1 && (!fewest || by < *fewest)) fewest = by;
  }
  return fewest;
}

TEST(ModelQLearning, CoordinateRuleMovesAlongOneDimensionOfAMeasuredState) {
  const space::Space space = grid({7, 8, 6});
  for (const double discount : {0.0, 0.7}) {
    StrategyConfig config = with_rules({ProposalRule::kCoordinate});
    config.model.coordinate_discount = discount;
    auto s = make_model_q(space, config);
    const auto proposals = drive_proposals(*s, space, wells, 20);
    ASSERT_EQ(proposals.size(), 20u);
    // After the d + 1 = 4 random starts every proposal moves one dimension of a measured state
    // (the incumbent), which the walk's joint moves would not keep to; with a discount of 0,
    // by one index only, as coordinate hill climbing.
    // Once the optimum is measured its neighbours soon are too, and the walk takes over.
    const space::StateId optimum = space.encode(std::vector<space::Index>{2, 5, 1});
    for (std::size_t p = 4; p < proposals.size() && proposals[p - 1].state != optimum; ++p) {
      const std::vector<Proposal> before(proposals.begin(),
                                         proposals.begin() + static_cast<std::ptrdiff_t>(p));
      const std::optional<int> steps = coordinate_steps(space, before, proposals[p].state);
      ASSERT_TRUE(steps.has_value()) << "discount " << discount << ", proposal " << p;
      if (discount == 0.0) {
        EXPECT_EQ(*steps, 1) << "proposal " << p;
      }
    }
    EXPECT_EQ(s->recommend(), optimum);
  }
}

// Once the model finds the measurements noisy, the walk proposes alone: after the same 24
// noisy measurements (8 states 3 times, told as observations it did not propose), the default
// (walk and coordinate rules) proposes exactly what rules = ["walk"] does, told the same
// noise draws; noise-free, the coordinate rule takes part and the two part ways.
TEST(ModelQLearning, NoisyLossesLeaveTheProposalsToTheWalk) {
  const space::Space space = grid({7, 8, 6});
  const auto run = [&](const StrategyConfig& config, double noise_sd) {
    auto s = make_model_q(space, config, 3);
    std::mt19937_64 stream(17);
    std::normal_distribution<double> noise(0.0, 1.0);
    const auto measure = [&](space::StateId state) {
      return *wells(space.decode(state)) + noise_sd * noise(stream);
    };
    for (int repeat = 0; repeat < 3; ++repeat) {  // repeats make the noise identifiable
      for (space::StateId state = 0; state < space.size(); state += space.size() / 8) {
        s->observe(state, {measure(state)});
      }
    }
    std::vector<Proposal> out;
    for (int e = 0; e < 16; ++e) {
      const auto p = s->ask();
      if (!p) break;
      out.push_back(*p);
      s->tell(*p, {measure(p->state)});
    }
    return out;
  };
  const StrategyConfig walk_only = with_rules({ProposalRule::kWalk});
  const auto noisy = run(StrategyConfig{}, 8.0);  // wells spans 0 .. about 46
  ASSERT_EQ(noisy.size(), 16u);
  EXPECT_TRUE(same(noisy, run(walk_only, 8.0)));
  EXPECT_FALSE(same(run(StrategyConfig{}, 0.0), run(walk_only, 0.0)));
}

TEST(ModelQLearning, PortfolioIsDeterministicForASeedAndSurvivesASnapshot) {
  const space::Space space = grid({7, 8, 6});
  const StrategyConfig config =
      with_rules({ProposalRule::kWalk, ProposalRule::kCoordinate, ProposalRule::kExplore});
  auto a = make_model_q(space, config, 11);
  auto b = make_model_q(space, config, 11);
  const auto pa = drive_proposals(*a, space, wells, 14);
  EXPECT_TRUE(same(pa, drive_proposals(*b, space, wells, 14)));
  EXPECT_FALSE(same(pa, drive_proposals(*make_model_q(space, {}, 11), space, wells, 14)));

  const auto held = a->ask();
  ASSERT_TRUE(held.has_value());
  const std::string bytes = a->snapshot();
  auto restored = make_model_q(space, config);
  ASSERT_TRUE(restored->restore(bytes).is_ok());
  EXPECT_EQ(restored->snapshot(), bytes);
  for (Strategy* s : {a.get(), restored.get()}) s->tell(*held, {wells(space.decode(held->state))});
  EXPECT_TRUE(
      same(drive_proposals(*a, space, wells, 10), drive_proposals(*restored, space, wells, 10)));
  // A snapshot of another portfolio is refused, not misread.
  auto walk_only = make_model_q(space);
  EXPECT_EQ(walk_only->restore(bytes).code(), base::StatusCode::kCorrupt);
}

TEST(ModelQLearning, RejectsOptionsOutOfRange) {
  const space::Space space = grid({9, 7});
  StrategyConfig config;
  config.model.paid_discount = 1.0;
  auto bad = make_model_q_learning(space, config, 1);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("paid_discount"), std::string::npos);
  config = {};
  config.model.max_measurements = 0;
  EXPECT_FALSE(make_model_q_learning(space, config, 1).is_ok());
  config = {};
  config.trajectories = 0;
  EXPECT_FALSE(make_model_q_learning(space, config, 1).is_ok());
  config = {};
  config.model.rules.clear();
  EXPECT_FALSE(make_model_q_learning(space, config, 1).is_ok());
  config = {};
  config.model.rule_discount = 0.0;
  EXPECT_FALSE(make_model_q_learning(space, config, 1).is_ok());
}

}  // namespace
}  // namespace qtune::agent
