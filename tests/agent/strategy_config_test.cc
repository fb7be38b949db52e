#include "qtune/agent/strategy_config.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "qtune/space/space_config.h"

namespace qtune::agent {
namespace {

space::Space study_space() {
  return space::parse_space(R"([space]
K = { range = [2, 10] }
intermediate_dim = { values = [64, 128, 256] }
activation = { values = ["relu", "elu"] }
lr = { values = [0.001, 0.01] }
)",
                            "study.toml")
      .value();
}

base::Result<StrategyConfig> parse(const std::string& body, const space::Space& space) {
  const std::string text = "[strategy]\n" + body + "\n";
  return parse_strategy(text, space, "study.toml");
}

TEST(StrategyConfig, DefaultPresetIsModelAndSeedPresetHasTheSeedValues) {
  const space::Space space = study_space();
  auto defaults = parse("", space);
  ASSERT_TRUE(defaults.is_ok()) << defaults.status().to_string();
  EXPECT_EQ(defaults->kind, StrategyKind::kQLearning);
  EXPECT_EQ(defaults->preset, Preset::kModel);
  auto seed = parse("preset = \"seed\"", space);
  ASSERT_TRUE(seed.is_ok());
  EXPECT_EQ(seed->preset, Preset::kSeed);
  EXPECT_EQ(seed->alpha, 0.1);
  EXPECT_EQ(seed->gamma, 0.95);
  EXPECT_EQ(seed->epsilon, 0.1);
  EXPECT_EQ(seed->epsilon_decay, 0.99);
  EXPECT_EQ(seed->epsilon_min, 0.01);
  EXPECT_EQ(seed->episodes, 100u);
  EXPECT_EQ(seed->steps, 50u);
  EXPECT_EQ(seed->actions, space::MoveSet::kJoint);
  EXPECT_EQ(seed->reward, RewardKind::kNegative);
  EXPECT_EQ(seed->q_init, QInit::kZero);
  EXPECT_EQ(seed->start, StartKind::kRandom);
}

TEST(StrategyConfig, ReadsEveryOption) {
  const space::Space space = study_space();
  auto c = parse(R"(kind = "q-learning"
epsilon = 0.3
preset = "seed"
alpha = 0.5
gamma = 0
epsilon_decay = 1
epsilon_min = 0.05
episodes = 7
steps = 9
actions = "single"
reward = "improvement"
q_init = "optimistic"
q_init_scale = 2
start = { K = 4, intermediate_dim = 128, activation = "elu", lr = 0.01 }
planning_steps = 3
trajectories = 4
failure_penalty = 100.5)",
                 space);
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->preset, Preset::kSeed);  // read first, whatever its line
  EXPECT_EQ(c->alpha, 0.5);
  EXPECT_EQ(c->gamma, 0.0);
  EXPECT_EQ(c->epsilon, 0.3);
  EXPECT_EQ(c->epsilon_decay, 1.0);
  EXPECT_EQ(c->epsilon_min, 0.05);
  EXPECT_EQ(c->episodes, 7u);
  EXPECT_EQ(c->steps, 9u);
  EXPECT_EQ(c->actions, space::MoveSet::kSingle);
  EXPECT_EQ(c->reward, RewardKind::kImprovement);
  EXPECT_EQ(c->q_init, QInit::kOptimistic);
  EXPECT_EQ(c->q_init_scale, 2.0);
  EXPECT_EQ(c->start, StartKind::kFixed);
  ASSERT_TRUE(c->start_state.has_value());
  EXPECT_EQ(space.describe(*c->start_state), "K=4 intermediate_dim=128 activation=elu lr=0.01");
  EXPECT_EQ(c->planning_steps, 3u);
  EXPECT_EQ(c->trajectories, 4u);
  EXPECT_EQ(c->failure_penalty, 100.5);

  auto rules =
      parse("rules = [\"explore\", \"walk\"]\nrule_discount = 0.8\ncoordinate_discount = 0", space);
  ASSERT_TRUE(rules.is_ok()) << rules.status().to_string();
  EXPECT_EQ(rules->model.rules,
            (std::vector<ProposalRule>{ProposalRule::kExplore, ProposalRule::kWalk}));
  EXPECT_EQ(rules->model.rule_discount, 0.8);
  EXPECT_EQ(rules->model.coordinate_discount, 0.0);
  EXPECT_EQ(parse("", space)->model.rules,
            (std::vector<ProposalRule>{ProposalRule::kWalk, ProposalRule::kCoordinate}));

  auto kinds = parse("kind = \"random\"\nstart = \"random\"", space);
  ASSERT_TRUE(kinds.is_ok());
  EXPECT_EQ(kinds->kind, StrategyKind::kRandom);
  EXPECT_EQ(parse("kind = \"grid\"", space)->kind, StrategyKind::kGrid);
}

TEST(StrategyConfig, RejectsEachInvalidOptionWithFileLineAndValidForm) {
  const space::Space space = study_space();
  struct Case {
    std::string body;  // its first line is line 2 of the file
    std::string message;
  };
  const std::vector<Case> cases = {
      {"alpha = 0", "study.toml:2: alpha 0 is out of range; use 0 < alpha <= 1"},
      {"alpha = 1.5", "study.toml:2: alpha 1.5 is out of range; use 0 < alpha <= 1"},
      {"gamma = 1", "study.toml:2: gamma 1 is out of range; use 0 <= gamma < 1"},
      {"epsilon = -0.1", "study.toml:2: epsilon -0.1 is out of range; use 0 <= epsilon <= 1"},
      {"epsilon_decay = 0",
       "study.toml:2: epsilon_decay 0 is out of range; use 0 < epsilon_decay <= 1"},
      {"epsilon = 0.1\nepsilon_min = 0.2",
       "study.toml:3: epsilon_min 0.2 is greater than epsilon 0.1; use 0 <= epsilon_min <= "
       "epsilon"},
      {"epsilon = 0.005",  // the default floor .01 is now above epsilon: the table's line
       "study.toml:1: epsilon_min 0.01 is greater than epsilon 0.005; use 0 <= epsilon_min <= "
       "epsilon"},
      {"q_init_scale = nan", "study.toml:2: q_init_scale nan is not finite; use a finite number"},
      {"failure_penalty = inf",
       "study.toml:2: failure_penalty inf is not finite; use a finite number"},
      {"episodes = 0",
       "study.toml:2: episodes 0 is out of range; use an integer from 1 to 4294967295"},
      {"steps = -3", "study.toml:2: steps -3 is out of range; use an integer from 1 to 4294967295"},
      {"trajectories = 0",
       "study.toml:2: trajectories 0 is out of range; use an integer from 1 to 4294967295"},
      {"planning_steps = 5000000000",
       "study.toml:2: planning_steps 5000000000 is out of range; use an integer from 0 to "
       "4294967295"},
      {"episodes = 2.5", "study.toml:2: episodes is a float; use an integer"},
      {"alpha = \"fast\"", "study.toml:2: alpha is a string; use a number"},
      {"actions = \"diagonal\"",
       "study.toml:2: actions \"diagonal\" is unknown; use \"joint\" or \"single\""},
      {"reward = \"positive\"",
       "study.toml:2: reward \"positive\" is unknown; use \"negative\" or \"improvement\""},
      {"q_init = \"one\"",
       "study.toml:2: q_init \"one\" is unknown; use \"zero\", \"random\" or \"optimistic\""},
      {"kind = \"tpe\"",
       "study.toml:2: kind \"tpe\" is unknown; use \"q-learning\", \"random\", \"grid\" or "
       "\"hyperband\""},
      {"preset = \"fast\"", "study.toml:2: preset \"fast\" is unknown; use \"model\" or \"seed\""},
      {"alpah = 0.1",
       "study.toml:2: unknown key \"alpah\"; valid keys are kind, preset, alpha, gamma, epsilon, "
       "epsilon_decay, epsilon_min, episodes, steps, actions, reward, q_init, q_init_scale, start, "
       "planning_steps, trajectories, failure_penalty, paid_discount, free_discount, "
       "exploring_starts, restart_after, remeasure, max_measurements, window_states, "
       "fit_iterations, cost_aware, rules, rule_discount, coordinate_discount, eta"},
      {"rules = []",
       "study.toml:2: rules is empty; name at least one of \"walk\", \"coordinate\" or "
       "\"explore\""},
      {"rules = [\"walk\", \"line\"]",
       "study.toml:2: rules names \"line\", which is unknown; use \"walk\", \"coordinate\" or "
       "\"explore\""},
      {"rules = [\"walk\", \"walk\"]",
       "study.toml:2: rules names \"walk\" twice; name each rule once"},
      {"rules = \"walk\"", "study.toml:2: rules is a string; use an array of rule names"},
      {"rule_discount = 0",
       "study.toml:2: rule_discount 0 is out of range; use 0 < rule_discount <= 1"},
      {"coordinate_discount = 1.5",
       "study.toml:2: coordinate_discount 1.5 is out of range; use 0 <= coordinate_discount <= 1"},
      {"start = \"fixed\"",
       "study.toml:2: start is \"fixed\"; use \"random\" or a table such as { K = ... } with a "
       "value for every dimension"},
      {"start = { K = 4, intermediate_dim = 128, activation = \"elu\", lr = 0.01, depth = 3 }",
       "study.toml:2: start names \"depth\", which is not a dimension; the dimensions are K, "
       "intermediate_dim, activation, lr"},
      {"start = { K = 4, intermediate_dim = 128, activation = \"elu\" }",
       "study.toml:2: start has no value for dimension \"lr\"; give a value for every dimension"},
      {"start = { K = 11, intermediate_dim = 128, activation = \"elu\", lr = 0.01 }",
       "study.toml:2: start: dimension \"K\": \"11\" is not one of its values; use one of 2, 3, 4, "
       "5, 6, 7, 8, 9, ..."},
      {"start = { K = 4, intermediate_dim = 100, activation = \"elu\", lr = 0.01 }",
       "study.toml:2: start: dimension \"intermediate_dim\": \"100\" is not one of its values; use "
       "one of 64, 128, 256"},
      {"start = { K = 4, intermediate_dim = 128, activation = true, lr = 0.01 }",
       "study.toml:2: start.activation is a boolean; use one of its values"},
  };
  for (const Case& c : cases) {
    auto config = parse(c.body, space);
    ASSERT_FALSE(config.is_ok()) << c.body;
    EXPECT_EQ(config.status().code(), base::StatusCode::kInvalidArgument) << c.body;
    EXPECT_EQ(config.status().message(), c.message) << c.body;
  }
}

// Issue 11, case 4: an integer no double holds exactly was an unchecked optional
// (std::bad_optional_access, exit 134); now a file:line: key error.
TEST(StrategyConfig, IntegersNoDoubleHoldsAreErrorsNamingFileLineAndKey) {
  const space::Space space = study_space();
  for (const std::string key : {"epsilon_min", "failure_penalty", "gamma"}) {
    const auto config = parse(key + " = 9007199254740993", space);
    ASSERT_FALSE(config.is_ok()) << key;
    EXPECT_EQ(config.status().code(), base::StatusCode::kInvalidArgument);
    EXPECT_NE(config.status().message().find("study.toml:2: " + key + ": 9007199254740993"),
              std::string::npos)
        << config.status().message();
  }
}

TEST(StrategyConfig, JointActionsNeedAtMostTwelveDimensions) {
  std::string text = "[space]\n";
  for (int k = 0; k < 13; ++k) text += "p" + std::to_string(k) + " = { values = [1, 2] }\n";
  const space::Space space = space::parse_space(text, "big.toml").value();
  auto joint = parse("preset = \"seed\"", space);
  ASSERT_FALSE(joint.is_ok());
  EXPECT_EQ(joint.status().message(),
            "study.toml:1: actions \"joint\": 13 dimensions give 3^13 actions, more than the limit "
            "3^12; use actions = \"single\"");
  EXPECT_TRUE(parse("preset = \"seed\"\nactions = \"single\"", space).is_ok());
  EXPECT_TRUE(parse("kind = \"random\"", space).is_ok());  // no moves without a Q-table
}

TEST(StrategyConfig, ValidateAndMakeStrategyCheckConfigsBuiltInCode) {
  const space::Space space = study_space();
  StrategyConfig config;
  config.preset = Preset::kSeed;
  config.start = StartKind::kFixed;
  EXPECT_EQ(validate_strategy_config(config, space).message(),
            "strategy: start is fixed but names no state; use start = { K = 4, ... } with a value "
            "for every dimension");
  config.start_state = space.size();
  EXPECT_EQ(make_strategy(space, config, 1).status().message(),
            "strategy: start state 108 is outside the space of 108 states; use an id below 108");
  config.start_state = 5;
  EXPECT_TRUE(make_strategy(space, config, 1).is_ok());
  config.gamma = 1.0;
  EXPECT_EQ(make_strategy(space, config, 1).status().message(),
            "strategy: gamma 1 is out of range; use 0 <= gamma < 1");
  EXPECT_EQ(parse_strategy_kind("grid").value(), StrategyKind::kGrid);
  EXPECT_EQ(strategy_kind_name(StrategyKind::kQLearning), "q-learning");
}

}  // namespace
}  // namespace qtune::agent
