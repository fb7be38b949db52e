// qtune replay: run a strategy against tables of results that already exist and score it
// over many seeds (see include/qtune/replay/replay.h for the scores).
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "base/text_file.h"
#include "base/toml_reader.h"
#include "cli/command.h"
#include "qtune/agent/strategy_config.h"
#include "qtune/base/duration.h"
#include "qtune/replay/replay.h"
#include "qtune/space/space_config.h"

namespace qtune::cli {
namespace {

// The evaluations a replay by compute makes at most per seed when --budget is not given.
constexpr std::uint32_t kComputeEvaluationCap = 100000;

struct ReplayFlags {
  std::vector<std::string> tables;
  std::string objective;
  std::string key;
  std::vector<std::string> params;
  std::string config;
  std::string strategy = "q-learning";
  std::string preset = "model";
  std::uint32_t budget = 40;
  std::uint32_t seeds = 50;
  std::uint64_t seed = 0;
  std::string direction = "minimize";
  std::vector<std::uint32_t> report_budgets;
  std::uint32_t threads = 1;
  std::string format = "table";
  std::string cost;
  std::string compute_budget;
  std::vector<std::string> report_compute_budgets;
  std::string fidelity;
  bool strategy_given = false;
  bool budget_given = false;
  bool preset_given = false;
};

// The [strategy] of --config (or an empty one), with the --strategy and --preset given on the
// command line taking precedence over the file's kind and preset.
base::Result<agent::StrategyConfig> strategy_config(const ReplayFlags& flags,
                                                    std::string_view study_text,
                                                    const space::Space& grid) {
  agent::StrategyOverride override_keys;
  if (flags.strategy_given) override_keys.kind = flags.strategy;
  if (flags.preset_given) override_keys.preset = flags.preset;
  return agent::parse_strategy(study_text, grid, flags.config.empty() ? "--strategy" : flags.config,
                               override_keys);
}

std::string strategy_name(const agent::StrategyConfig& config) {
  return std::string(agent::strategy_kind_name(config.kind));
}

// The preset of q-learning; nullopt for the baselines, which have none.
std::optional<std::string> preset_name(const agent::StrategyConfig& config) {
  if (config.kind != agent::StrategyKind::kQLearning) return std::nullopt;
  return config.preset == agent::Preset::kSeed ? "seed" : "model";
}

// "150 of 243 configurations; 93 missing".
std::string coverage_text(const replay::ReplayTable& table) {
  const std::uint64_t n = table.space().size();
  const std::uint64_t listed = table.listed_count();
  if (listed == n) return fmt::format("{} of {} configurations (complete)", listed, n);
  return fmt::format("{} of {} configurations; {} missing", listed, n, n - listed);
}

// A compute budget: "10%" of the grid's cost, or a cost in the column's units: a number, or a
// duration ("90s", "2h") read as seconds.
base::Result<double> compute_budget(std::string_view text, const replay::ReplayTable& table,
                                    std::string_view flag) {
  if (!text.empty() && text.back() == '%') {
    const auto percent = space::parse_finite(text.substr(0, text.size() - 1));
    if (!percent || !(*percent > 0.0) || *percent > 100.0) {
      return base::Status::invalid_argument(
          fmt::format("{} \"{}\": the percentage is not in (0, 100]; write e.g. 10%", flag, text));
    }
    return *percent / 100.0 * table.grid_cost();
  }
  if (const auto v = space::parse_finite(text); v && *v > 0.0) return *v;
  auto duration = base::parse_duration(text);
  if (!duration.is_ok()) {
    return base::Status::invalid_argument(fmt::format(
        "{} \"{}\" is neither a percentage of the grid's cost (10%) nor a cost > 0 (seconds, or "
        "a duration such as 90s or 2h)",
        flag, text));
  }
  return std::chrono::duration<double>(*duration).count();
}

nlohmann::json to_json(const ReplayFlags& flags, const agent::StrategyConfig& config,
                       const replay::ReplayTable& table, const replay::ReplaySummary& s) {
  const auto preset = preset_name(config);
  nlohmann::json out = {
      {"strategy", strategy_name(config)},
      {"preset", preset ? nlohmann::json(*preset) : nlohmann::json()},
      {"tables", flags.tables},
      {"objective", flags.objective},
      {"direction", flags.direction},
      {"budget", s.budget},
      {"seeds", s.seeds},
      {"coverage",
       {{"listed", table.listed_count()},
        {"configurations", table.space().size()},
        {"missing", table.space().size() - table.listed_count()},
        {"fraction",
         static_cast<double>(table.listed_count()) / static_cast<double>(table.space().size())}}},
      {"table_best", s.table_best},
      {"median_best_at_budget", s.median_best_at_budget},
      {"median_regret_at_budget", s.median_regret_at_budget},
      {"found_best_fraction", s.found_best_fraction},
      {"median_evals_to_best",
       s.median_evals_to_best ? nlohmann::json(*s.median_evals_to_best) : nlohmann::json()},
  };
  nlohmann::json at = nlohmann::json::array();
  for (const replay::BudgetScore& b : s.report_budgets) {
    at.push_back({{"budget", b.budget},
                  {"median_best_at_budget", b.median_best},
                  {"median_regret_at_budget", b.median_regret},
                  {"found_best_fraction", b.found_best_fraction}});
  }
  out["report_budgets"] = std::move(at);
  if (table.has_cost()) {
    out["cost"] = flags.cost;
    out["grid_cost"] = table.grid_cost();
    out["median_cost_spent"] =
        s.median_cost_spent ? nlohmann::json(*s.median_cost_spent) : nlohmann::json();
  }
  if (s.compute) {
    out["compute_budget"] = s.compute->compute_budget;
    out["median_evaluations_at_budget"] = s.compute->median_evaluations;
    nlohmann::json compute = nlohmann::json::array();
    for (const replay::ComputeScore& c : s.report_compute_budgets) {
      compute.push_back({{"compute_budget", c.compute_budget},
                         {"median_best_at_budget", c.median_best},
                         {"median_regret_at_budget", c.median_regret},
                         {"found_best_fraction", c.found_best_fraction},
                         {"median_cost_spent", c.median_cost_spent},
                         {"median_evaluations_at_budget", c.median_evaluations}});
    }
    out["report_compute_budgets"] = std::move(compute);
  }
  if (const auto k = table.space().fidelity()) out["fidelity"] = table.space().dimension(*k).name;
  return out;
}

void print_table(const ReplayFlags& flags, const agent::StrategyConfig& config,
                 const replay::ReplayTable& table, const replay::ReplaySummary& s) {
  const auto preset = preset_name(config);
  const std::string strategy = preset
                                   ? fmt::format("{} (preset {})", strategy_name(config), *preset)
                                   : strategy_name(config);
  fmt::print("strategy      {}\n", strategy);
  fmt::print("grid          {} configurations, {} table{}{}\n", table.space().size(),
             table.table_count(), table.table_count() > 1 ? "s" : "",
             table.table_count() > 1 ? " (noisy replay, scored on the mean)" : "");
  fmt::print("coverage      {}\n", coverage_text(table));
  fmt::print("seeds         {}\n", s.seeds);
  fmt::print("table best    {:.6g} ({})\n", s.table_best, flags.direction);
  if (table.has_cost()) {
    fmt::print("cost          column {}, {:.6g} for the whole grid\n", flags.cost,
               table.grid_cost());
  }
  if (const auto k = table.space().fidelity()) {
    fmt::print("fidelity      {}\n", table.space().dimension(*k).name);
  }
  if (s.compute) {
    fmt::print("\n{:>14}  {:>12}  {:>14}  {:>10}  {:>11}  {:>11}\n", "compute budget",
               "median best", "median regret", "found best", "median cost", "median evals");
    std::vector<replay::ComputeScore> rows = s.report_compute_budgets;
    rows.push_back(*s.compute);
    for (const replay::ComputeScore& c : rows) {
      fmt::print("{:>14.6g}  {:>12.6g}  {:>14.4f}  {:>9.0f}%  {:>11.6g}  {:>11g}\n",
                 c.compute_budget, c.median_best, c.median_regret, 100.0 * c.found_best_fraction,
                 c.median_cost_spent, c.median_evaluations);
    }
    return;
  }
  fmt::print("\n{:>8}  {:>12}  {:>14}  {:>10}\n", "budget", "median best", "median regret",
             "found best");
  std::vector<replay::BudgetScore> rows = s.report_budgets;
  rows.push_back(
      {s.budget, s.median_best_at_budget, s.median_regret_at_budget, s.found_best_fraction});
  for (const replay::BudgetScore& b : rows) {
    fmt::print("{:>8}  {:>12.6g}  {:>14.4f}  {:>9.0f}%\n", b.budget, b.median_best, b.median_regret,
               100.0 * b.found_best_fraction);
  }
  if (s.median_cost_spent) {
    fmt::print("\nmedian cost spent at {} evaluations: {:.6g}\n", s.budget, *s.median_cost_spent);
  }
  if (s.median_evals_to_best) {
    fmt::print("\nmedian evaluations to the best: {:g}\n", *s.median_evals_to_best);
  } else {
    fmt::print("\nmedian evaluations to the best: not reached (most seeds never measured it)\n");
  }
}

int run_replay(const ReplayFlags& flags) {
  replay::TableSpec spec{flags.objective, flags.params, std::nullopt, std::nullopt};
  spec.cost = flags.cost;
  spec.fidelity = flags.fidelity;
  if (flags.cost.empty() &&
      (!flags.compute_budget.empty() || !flags.report_compute_budgets.empty())) {
    return report_error("replay", base::Status::invalid_argument(
                                      "--compute-budget needs the tables' cost column; name it "
                                      "with --cost (e.g. --cost seconds)"));
  }
  if (spec.objective.empty()) {
    if (flags.key.empty()) {
      return report_error("replay",
                          base::Status::invalid_argument(
                              "--objective is missing; name the objective column of "
                              "the tables (or give --key for headerless KEY,VALUE tables)"));
    }
    spec.objective = "value";
  }
  std::string study_text;
  if (!flags.config.empty()) {
    auto text =
        base::read_text_file(flags.config, "study file (--config)", base::kMaxTomlBytes + 1);
    if (!text.is_ok()) return report_error("replay", text.status());
    auto grid = space::parse_space(*text, flags.config);  // also reports TOML syntax errors
    if (!grid.is_ok()) return report_error("replay", grid.status());
    spec.space = std::move(grid).value();
    study_text = std::move(text).value();
  }
  if (!flags.key.empty()) {
    std::vector<std::string> names;
    if (spec.space) {
      for (const space::Dimension& dim : spec.space->dimensions()) names.push_back(dim.name);
    }
    auto key = space::KeyPattern::parse(flags.key, names);
    if (!key.is_ok()) return report_error("replay", key.status());
    if (spec.params.empty() && !spec.space) spec.params = key->names();
    spec.key = std::move(key).value();
  }
  auto direction = store::parse_direction(flags.direction);
  if (!direction.is_ok())
    return report_error("replay", direction.status().with_context("--direction"));
  const std::vector<std::filesystem::path> files(flags.tables.begin(), flags.tables.end());
  auto table = replay::ReplayTable::load(files, spec);
  if (!table.is_ok()) return report_error("replay", table.status());
  auto config = strategy_config(flags, study_text, table->space());
  if (!config.is_ok()) return report_error("replay", config.status());

  replay::ReplayOptions options;
  if (!flags.compute_budget.empty()) {
    auto budget = compute_budget(flags.compute_budget, *table, "--compute-budget");
    if (!budget.is_ok()) return report_error("replay", budget.status());
    options.compute_budget = *budget;
    config->compute_budget = *budget;
    for (const std::string& text : flags.report_compute_budgets) {
      auto b = compute_budget(text, *table, "--report-compute-budgets");
      if (!b.is_ok()) return report_error("replay", b.status());
      options.report_compute_budgets.push_back(*b);
    }
  } else if (!flags.report_compute_budgets.empty()) {
    return report_error("replay", base::Status::invalid_argument(
                                      "--report-compute-budgets needs --compute-budget, the "
                                      "largest of them; give it as well"));
  }
  options.budget = flags.budget;
  // By compute, the evaluations are capped only by --budget when given.
  if (options.compute_budget && !flags.budget_given) options.budget = kComputeEvaluationCap;
  options.seeds = flags.seeds;
  options.root_seed = flags.seed;
  options.direction = *direction;
  options.report_budgets = flags.report_budgets;
  options.threads = flags.threads;
  if (table->listed_count() < table->space().size()) {
    fmt::print(stderr,
               "qtune replay: warning: the tables cover {}; regret is scored on the covered "
               "configurations only; a missing one is never measured: a proposal of it costs no "
               "evaluation and is not scored, and the strategy is told it failed\n",
               coverage_text(*table));
  }
  auto summary = replay::replay(*table, replay::strategy_factory(table->space(), *config), options);
  if (!summary.is_ok()) return report_error("replay", summary.status());
  if (flags.format == "json") {
    std::cout << to_json(flags, *config, *table, *summary).dump(2) << "\n";
  } else {
    print_table(flags, *config, *table, *summary);
  }
  return kExitOk;
}

}  // namespace

Command add_replay_command(CLI::App& app) {
  auto added = add_subcommand<ReplayFlags>(
      app, "replay",
      "Run a strategy against tables of results that already exist, over many seeds");
  CLI::App* sub = added.first;
  const std::shared_ptr<ReplayFlags> flags = added.second;
  sub->add_option("tables", flags->tables,
                  "CSV tables of one grid (several: the same grid measured again, a noisy replay)")
      ->required();
  sub->add_option("--objective", flags->objective,
                  "Name of the objective column (with --key: the name shown, default value)");
  sub->add_option("--key", flags->key,
                  "Headerless KEY,VALUE tables: the key's pattern, e.g. "
                  "'{K}_{intermediate_dim}_{batch_size}_{maxiter}' (placeholders are parameter "
                  "names, literal separators between them)");
  sub->add_option("--params", flags->params,
                  "Parameter columns, comma-separated (default: the [space] of --config, or "
                  "every column left of the objective except status)")
      ->delimiter(',');
  sub->add_option("--config", flags->config,
                  "Study file: its [space] is the grid, its [strategy] the strategy's options");
  CLI::Option* strategy =
      sub->add_option("--strategy", flags->strategy,
                      "q-learning, random, grid or hyperband (over the [strategy] kind of "
                      "--config)")
          ->check(CLI::IsMember({"q-learning", "random", "grid", "hyperband"}))
          ->capture_default_str();
  CLI::Option* preset =
      sub->add_option("--preset", flags->preset,
                      "q-learning preset: model or seed (over the [strategy] preset of --config)")
          ->check(CLI::IsMember({"model", "seed"}))
          ->capture_default_str();
  CLI::Option* budget =
      add_count_option(*sub, "--budget", flags->budget,
                       "Evaluations per seed (with --compute-budget: a cap, default none)");
  sub->add_option("--cost", flags->cost,
                  "The tables' cost column (e.g. seconds): what each measurement costs");
  sub->add_option("--compute-budget", flags->compute_budget,
                  "Replay by compute: stop at this summed cost, e.g. 10% (of the whole grid's "
                  "cost), 600 or 10m (seconds); needs --cost");
  sub->add_option("--report-compute-budgets", flags->report_compute_budgets,
                  "Smaller compute budgets to score as well, comma-separated (e.g. 5%,10%)")
      ->delimiter(',');
  sub->add_option("--fidelity", flags->fidelity,
                  "Declare this parameter the fidelity (e.g. maxiter), for multi-fidelity "
                  "strategies (hyperband, the model's fidelity use)");
  add_count_option(*sub, "--seeds", flags->seeds, "Number of seeds (runs)");
  sub->add_option("--seed", flags->seed, "Root seed the runs' seeds derive from")
      ->capture_default_str();
  sub->add_option("--direction", flags->direction, "minimize or maximize")
      ->check(CLI::IsMember({"minimize", "maximize"}))
      ->capture_default_str();
  sub->add_option("--report-budgets", flags->report_budgets,
                  "Smaller budgets to score as well, comma-separated (e.g. 20,40)")
      ->delimiter(',');
  add_count_option(*sub, "--threads", flags->threads, "Seeds run on this many threads");
  sub->add_option("--format", flags->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  return {sub, [flags, strategy, preset, budget] {
            flags->strategy_given = strategy->count() > 0;
            flags->budget_given = budget->count() > 0;
            flags->preset_given = preset->count() > 0;
            return run_replay(*flags);
          }};
}

}  // namespace qtune::cli
