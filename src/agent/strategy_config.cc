#include "qtune/agent/strategy_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "base/names.h"
#include "base/toml_reader.h"
#include "qtune/space/space_config.h"

namespace qtune::agent {
namespace {

constexpr base::Names<StrategyKind, 4> kKinds{{{{StrategyKind::kQLearning, "q-learning"},
                                                {StrategyKind::kRandom, "random"},
                                                {StrategyKind::kGrid, "grid"},
                                                {StrategyKind::kHyperband, "hyperband"}}}};
constexpr base::Names<RewardKind, 2> kRewards{
    {{{RewardKind::kNegative, "negative"}, {RewardKind::kImprovement, "improvement"}}}};
constexpr base::Names<QInit, 3> kQInits{
    {{{QInit::kZero, "zero"}, {QInit::kRandom, "random"}, {QInit::kOptimistic, "optimistic"}}}};
constexpr base::Names<ProposalRule, 3> kRules{{{{ProposalRule::kWalk, "walk"},
                                                {ProposalRule::kCoordinate, "coordinate"},
                                                {ProposalRule::kExplore, "explore"}}}};

// Real options and their valid intervals, shared by validation and the TOML reader.
struct RealOption {
  std::string_view key;
  double& (*field)(StrategyConfig&);
  double lo;
  double hi;
  bool lo_open;
  bool hi_open;
};
constexpr RealOption kRealOptions[] = {
    {"alpha", [](StrategyConfig& c) -> double& { return c.alpha; }, 0, 1, true, false},
    {"gamma", [](StrategyConfig& c) -> double& { return c.gamma; }, 0, 1, false, true},
    {"epsilon", [](StrategyConfig& c) -> double& { return c.epsilon; }, 0, 1, false, false},
    {"epsilon_decay", [](StrategyConfig& c) -> double& { return c.epsilon_decay; }, 0, 1, true,
     false},
    {"epsilon_min", [](StrategyConfig& c) -> double& { return c.epsilon_min; }, 0, 1, false, false},
    {"q_init_scale", [](StrategyConfig& c) -> double& { return c.q_init_scale; },
     -std::numeric_limits<double>::max(), std::numeric_limits<double>::max(), false, false},
    {"paid_discount", [](StrategyConfig& c) -> double& { return c.model.paid_discount; }, 0, 1,
     false, true},
    {"free_discount", [](StrategyConfig& c) -> double& { return c.model.free_discount; }, 0, 1,
     false, true},
    {"eta", [](StrategyConfig& c) -> double& { return c.eta; }, 1, 1e6, true, false},
    {"rule_discount", [](StrategyConfig& c) -> double& { return c.model.rule_discount; }, 0, 1,
     true, false},
    {"coordinate_discount",
     [](StrategyConfig& c) -> double& { return c.model.coordinate_discount; }, 0, 1, false, false},
};

// Count options and their minimum (the maximum is that of uint32).
struct CountOption {
  std::string_view key;
  std::uint32_t& (*field)(StrategyConfig&);
  std::uint32_t min;
};
constexpr CountOption kCountOptions[] = {
    {"episodes", [](StrategyConfig& c) -> std::uint32_t& { return c.episodes; }, 1},
    {"steps", [](StrategyConfig& c) -> std::uint32_t& { return c.steps; }, 1},
    {"planning_steps", [](StrategyConfig& c) -> std::uint32_t& { return c.planning_steps; }, 0},
    {"trajectories", [](StrategyConfig& c) -> std::uint32_t& { return c.trajectories; }, 1},
    {"exploring_starts",
     [](StrategyConfig& c) -> std::uint32_t& { return c.model.exploring_starts; }, 0},
    {"restart_after", [](StrategyConfig& c) -> std::uint32_t& { return c.model.restart_after; }, 0},
    {"max_measurements",
     [](StrategyConfig& c) -> std::uint32_t& { return c.model.max_measurements; }, 1},
    {"window_states", [](StrategyConfig& c) -> std::uint32_t& { return c.model.window_states; }, 1},
    {"fit_iterations", [](StrategyConfig& c) -> std::uint32_t& { return c.model.fit_iterations; },
     1},
};

constexpr std::string_view kKeys =
    "kind, preset, alpha, gamma, epsilon, epsilon_decay, epsilon_min, episodes, steps, actions, "
    "reward, q_init, q_init_scale, start, planning_steps, trajectories, failure_penalty, "
    "paid_discount, free_discount, exploring_starts, restart_after, remeasure, max_measurements, "
    "window_states, fit_iterations, cost_aware, rules, rule_discount, coordinate_discount, eta";

// An invalid option: its key (to find its line in a file) and the message.
struct OptionError {
  std::string_view key;
  std::string message;
};

std::optional<OptionError> real_error(const RealOption& option, double v) {
  const bool below = option.lo_open ? !(v > option.lo) : !(v >= option.lo);
  const bool above = option.hi_open ? !(v < option.hi) : !(v <= option.hi);
  if (!below && !above) return std::nullopt;
  if (option.lo == -std::numeric_limits<double>::max()) {
    return OptionError{option.key,
                       fmt::format("{} {} is not finite; use a finite number", option.key, v)};
  }
  return OptionError{option.key, fmt::format("{} {} is out of range; use {} {} {} {} {}",
                                             option.key, v, option.lo, option.lo_open ? "<" : "<=",
                                             option.key, option.hi_open ? "<" : "<=", option.hi)};
}

std::string count_error(const CountOption& option, std::int64_t v) {
  return fmt::format("{} {} is out of range; use an integer from {} to {}", option.key, v,
                     option.min, std::numeric_limits<std::uint32_t>::max());
}

std::optional<OptionError> find_error(const StrategyConfig& config, const space::Space& space) {
  StrategyConfig c = config;
  for (const RealOption& option : kRealOptions) {
    if (auto error = real_error(option, option.field(c))) return error;
  }
  if (config.epsilon_min > config.epsilon) {
    return OptionError{"epsilon_min",
                       fmt::format("epsilon_min {} is greater than epsilon {}; use 0 <= "
                                   "epsilon_min <= epsilon",
                                   config.epsilon_min, config.epsilon)};
  }
  for (const CountOption& option : kCountOptions) {
    if (option.field(c) < option.min)
      return OptionError{option.key, count_error(option, option.field(c))};
  }
  if (config.failure_penalty && !std::isfinite(*config.failure_penalty)) {
    return OptionError{"failure_penalty", fmt::format("failure_penalty {} is not finite; use a "
                                                      "finite number",
                                                      *config.failure_penalty)};
  }
  if (config.model.rules.empty()) {
    return OptionError{"rules",
                       "rules is empty; name at least one of " + std::string(kRules.list())};
  }
  if (config.kind == StrategyKind::kQLearning) {
    auto moves = space::Moves::create(space, config.actions);
    if (!moves.is_ok()) return OptionError{"actions", moves.status().message()};
  }
  if (config.kind == StrategyKind::kHyperband && !space.fidelity()) {
    return OptionError{"kind",
                       "kind hyperband needs a fidelity dimension; declare one, e.g. maxiter = { "
                       "values = [10, 20, 40], fidelity = true } (qtune replay: --fidelity "
                       "maxiter)"};
  }
  if (config.start == StartKind::kFixed && !config.start_state) {
    return OptionError{"start",
                       "start is fixed but names no state; use start = { K = 4, ... } "
                       "with a value for every dimension"};
  }
  if (config.start == StartKind::kRandom && config.start_state) {
    return OptionError{"start",
                       "start is random but a start state is set; set start to fixed "
                       "or clear the state"};
  }
  if (config.start_state && *config.start_state >= space.size()) {
    return OptionError{"start", fmt::format("start state {} is outside the space of {} states; "
                                            "use an id below {}",
                                            *config.start_state, space.size(), space.size())};
  }
  return std::nullopt;
}

// Reads one [strategy] table into a config; every message is "file:line: key ...".
class StrategyReader {
 public:
  StrategyReader(const toml::table& table, const space::Space& space, std::string_view file)
      : table_(table), space_(space), file_(file) {}

  base::Result<StrategyConfig> read() {
    StrategyConfig config;
    // The preset first: its values are the base that the other keys override.
    if (const toml::node* preset = table_.get("preset")) {
      QTUNE_ASSIGN_OR_RETURN(const std::string text, string_of("preset", *preset));
      if (text == "seed") {
        config.preset = Preset::kSeed;
      } else if (text != "model") {
        return fail("preset",
                    fmt::format("preset \"{}\" is unknown; use \"model\" or \"seed\"", text));
      }
    }
    for (auto&& [key, node] : table_) {
      QTUNE_RETURN_IF_ERROR(read_key(key.str(), node, config));
    }
    if (auto error = find_error(config, space_)) return fail(error->key, error->message);
    return config;
  }

 private:
  base::Status read_key(std::string_view key, const toml::node& node,
                        StrategyConfig& config) const {
    for (const RealOption& option : kRealOptions) {
      if (key != option.key) continue;
      if (!node.is_number()) return wrong_type(key, node, "a number");
      QTUNE_ASSIGN_OR_RETURN(option.field(config), base::toml_real(node, key, file_));
      return base::Status::ok();
    }
    for (const CountOption& option : kCountOptions) {
      if (key != option.key) continue;
      if (!node.is_integer()) return wrong_type(key, node, "an integer");
      const std::int64_t v = node.as_integer()->get();
      if (v < option.min || v > std::numeric_limits<std::uint32_t>::max()) {
        return fail(key, count_error(option, v));
      }
      option.field(config) = static_cast<std::uint32_t>(v);
      return base::Status::ok();
    }
    if (key == "preset") return base::Status::ok();  // read first, in read()
    if (key == "kind") {
      QTUNE_ASSIGN_OR_RETURN(const std::string text, string_of(key, node));
      auto kind = parse_strategy_kind(text);
      if (!kind.is_ok()) return fail(key, kind.status().message());
      config.kind = *kind;
      return base::Status::ok();
    }
    if (key == "actions") {
      QTUNE_ASSIGN_OR_RETURN(const std::string text, string_of(key, node));
      auto set = space::parse_move_set(text);
      if (!set.is_ok()) return fail(key, set.status().message());
      config.actions = *set;
      return base::Status::ok();
    }
    if (key == "reward") return read_name(key, node, kRewards, config.reward);
    if (key == "q_init") return read_name(key, node, kQInits, config.q_init);
    if (key == "failure_penalty") {
      if (!node.is_number()) return wrong_type(key, node, "a number");
      QTUNE_ASSIGN_OR_RETURN(config.failure_penalty, base::toml_real(node, key, file_));
      return base::Status::ok();
    }
    if (key == "remeasure") {
      if (!node.is_boolean()) return wrong_type(key, node, "true or false");
      config.model.remeasure = node.as_boolean()->get();
      return base::Status::ok();
    }
    if (key == "cost_aware") {
      if (!node.is_boolean()) return wrong_type(key, node, "true or false");
      config.model.cost_aware = node.as_boolean()->get();
      return base::Status::ok();
    }
    if (key == "rules") return read_rules(node, config);
    if (key == "start") return read_start(node, config);
    return fail(key, fmt::format("unknown key \"{}\"; valid keys are {}", key, kKeys));
  }

  // rules = ["walk", "coordinate", ...]: each once.
  base::Status read_rules(const toml::node& node, StrategyConfig& config) const {
    const toml::array* list = node.as_array();
    if (list == nullptr) return wrong_type("rules", node, "an array of rule names");
    std::vector<ProposalRule> rules;
    for (const toml::node& item : *list) {
      if (!item.is_string()) return wrong_type("rules", item, "an array of rule names");
      const std::string text = item.as_string()->get();
      const std::optional<ProposalRule> rule = kRules.parse(text);
      if (!rule) {
        return fail("rules", fmt::format("rules names \"{}\", which is unknown; use {}", text,
                                         kRules.list()));
      }
      if (std::find(rules.begin(), rules.end(), *rule) != rules.end()) {
        return fail("rules", fmt::format("rules names \"{}\" twice; name each rule once", text));
      }
      rules.push_back(*rule);
    }
    config.model.rules = std::move(rules);
    return base::Status::ok();
  }

  // start = "random" | { K = 4, intermediate_dim = 128, ... } (every dimension once).
  base::Status read_start(const toml::node& node, StrategyConfig& config) const {
    if (node.is_string() && node.as_string()->get() == "random") {
      config.start = StartKind::kRandom;
      config.start_state.reset();
      return base::Status::ok();
    }
    const toml::table* values = node.as_table();
    if (values == nullptr) {
      return fail("start", fmt::format("start is {}; use \"random\" or a table such as "
                                       "{{ {} = ... }} with a value for every dimension",
                                       node.is_string() ? "\"" + node.as_string()->get() + "\""
                                                        : std::string(base::toml_type_name(node)),
                                       space_.dimension(0).name));
    }
    std::vector<std::string> texts(space_.dims());
    std::vector<bool> given(space_.dims(), false);
    for (auto&& [key, value] : *values) {
      const std::optional<std::size_t> k = space_.find(key.str());
      if (!k) {
        return fail("start", fmt::format("start names \"{}\", which is not a dimension; the "
                                         "dimensions are {}",
                                         key.str(), dimension_names()));
      }
      if (value.is_integer()) {
        texts[*k] = space::format_value(space::Value{value.as_integer()->get()});
      } else if (value.is_floating_point()) {
        texts[*k] = space::format_value(space::Value{value.as_floating_point()->get()});
      } else if (value.is_string()) {
        texts[*k] = value.as_string()->get();
      } else {
        return fail("start", fmt::format("start.{} is {}; use one of its values", key.str(),
                                         base::toml_type_name(value)));
      }
      given[*k] = true;
    }
    for (std::size_t k = 0; k < space_.dims(); ++k) {
      if (!given[k]) {
        return fail("start", fmt::format("start has no value for dimension \"{}\"; give a "
                                         "value for every dimension",
                                         space_.dimension(k).name));
      }
    }
    auto state = space_.find_state(texts);
    if (!state.is_ok()) return fail("start", "start: " + state.status().message());
    config.start = StartKind::kFixed;
    config.start_state = *state;
    return base::Status::ok();
  }

  std::string dimension_names() const {
    std::string out;
    for (const auto& d : space_.dimensions()) out += (out.empty() ? "" : ", ") + d.name;
    return out;
  }

  // key = "<one of names>"; the message lists them.
  template <typename Enum, std::size_t N>
  base::Status read_name(std::string_view key, const toml::node& node,
                         const base::Names<Enum, N>& names, Enum& out) const {
    QTUNE_ASSIGN_OR_RETURN(const std::string text, string_of(key, node));
    const std::optional<Enum> value = names.parse(text);
    if (!value) {
      return fail(key, fmt::format("{} \"{}\" is unknown; use {}", key, text, names.list()));
    }
    out = *value;
    return base::Status::ok();
  }

  base::Result<std::string> string_of(std::string_view key, const toml::node& node) const {
    if (!node.is_string()) return wrong_type(key, node, "a string");
    return node.as_string()->get();
  }

  base::Status wrong_type(std::string_view key, const toml::node& node,
                          std::string_view want) const {
    return fail(key, fmt::format("{} is {}; use {}", key, base::toml_type_name(node), want));
  }

  // "file:line: message", the line of `key` if the table has it, else of the table.
  base::Status fail(std::string_view key, std::string_view message) const {
    const toml::node* node = table_.get(key);
    return base::toml_error(file_, node != nullptr ? *node : table_, message);
  }

  const toml::table& table_;
  const space::Space& space_;
  std::string_view file_;
};

}  // namespace

base::Result<StrategyKind> parse_strategy_kind(std::string_view text) {
  if (const auto kind = kKinds.parse(text)) return *kind;
  return base::Status::invalid_argument(
      fmt::format("kind \"{}\" is unknown; use {}", text, kKinds.list()));
}

std::string_view strategy_kind_name(StrategyKind kind) { return kKinds.name(kind); }

base::Status validate_strategy_config(const StrategyConfig& config, const space::Space& space) {
  if (auto error = find_error(config, space)) {
    return base::Status::invalid_argument("strategy: " + error->message);
  }
  return base::Status::ok();
}

base::Result<StrategyConfig> parse_strategy(std::string_view toml_text, const space::Space& space,
                                            std::string_view file,
                                            const StrategyOverride& override_keys) {
  QTUNE_ASSIGN_OR_RETURN(const toml::table root, base::parse_toml(toml_text, file));
  QTUNE_ASSIGN_OR_RETURN(const toml::table* table, base::toml_table(root, "strategy", file));
  const toml::table none;
  if (!override_keys.kind && !override_keys.preset) {
    return StrategyReader(table != nullptr ? *table : none, space, file).read();
  }
  // A copy loses the nodes' source lines; only the overridden keys' messages miss them.
  toml::table strategy = table != nullptr ? *table : none;
  if (override_keys.kind) strategy.insert_or_assign("kind", *override_keys.kind);
  if (override_keys.preset) strategy.insert_or_assign("preset", *override_keys.preset);
  return StrategyReader(strategy, space, file).read();
}

}  // namespace qtune::agent
