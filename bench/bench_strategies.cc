// bench_strategies: the C++ strategies of the strategy benchmark (grid, random, q-learning
// with preset seed, the default model with its walk alone (q-learning-walk), q-learning
// default, coordinate hill climbing) replayed on one set of
// tables, one JSON object per strategy and budget on stdout, with the keys of
// `qtune replay --format json` plus "seconds" (wall time of the strategy's runs).
// bench/strategies.sh runs it beside bench/optuna_tpe.py and prints the markdown table.
//
//   bench_strategies --objective mse [--params K,intermediate_dim] [--budgets 20,40,80]
//                    [--seeds 50] [--threads 2] [--strategies grid,random,...] TABLE.csv...
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "hill_climbing/hill_climbing.h"
#include "qtune/replay/replay.h"

namespace {

using namespace qtune;

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

struct Args {
  std::vector<std::filesystem::path> tables;
  std::string objective;
  std::vector<std::string> params;
  std::vector<std::uint32_t> budgets = {20, 40, 80};
  std::uint32_t seeds = 50;
  std::uint32_t threads = 1;
  std::vector<std::string> strategies = {
      "grid", "random", "q-learning-seed", "q-learning-walk", "q-learning", "hill-climbing"};
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "bench_strategies: %s\nusage: bench_strategies --objective NAME [--params A,B] "
               "[--budgets 20,40,80] [--seeds 50] [--threads 1] [--strategies LIST] TABLE.csv...\n",
               why.c_str());
  std::exit(2);
}

Args parse_args(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag.rfind("--", 0) != 0) {
      args.tables.emplace_back(flag);
      continue;
    }
    if (i + 1 >= argc) usage(flag + " needs a value");
    const std::string value = argv[++i];
    if (flag == "--objective")
      args.objective = value;
    else if (flag == "--params")
      args.params = split(value);
    else if (flag == "--strategies")
      args.strategies = split(value);
    else if (flag == "--seeds")
      args.seeds = static_cast<std::uint32_t>(std::stoul(value));
    else if (flag == "--threads")
      args.threads = static_cast<std::uint32_t>(std::stoul(value));
    else if (flag == "--budgets") {
      args.budgets.clear();
      for (const std::string& b : split(value))
        args.budgets.push_back(static_cast<std::uint32_t>(std::stoul(b)));
      std::sort(args.budgets.begin(), args.budgets.end());
    } else {
      usage("unknown flag " + flag);
    }
  }
  if (args.tables.empty() || args.objective.empty() || args.budgets.empty()) {
    usage("name the tables, --objective and --budgets");
  }
  return args;
}

replay::StrategyFactory factory_for(const std::string& name, const space::Space& space) {
  if (name == "hill-climbing") {
    return [&space](std::uint64_t seed) -> base::Result<std::unique_ptr<agent::Strategy>> {
      return std::unique_ptr<agent::Strategy>(std::make_unique<bench::HillClimbing>(space, seed));
    };
  }
  agent::StrategyConfig config;
  if (name == "grid")
    config.kind = agent::StrategyKind::kGrid;
  else if (name == "random")
    config.kind = agent::StrategyKind::kRandom;
  else if (name == "q-learning-seed")
    config.preset = agent::Preset::kSeed;
  else if (name == "q-learning-walk")  // the default before issue 15's portfolio
    config.model.rules = {agent::ProposalRule::kWalk};
  else if (name != "q-learning")
    usage("unknown strategy " + name);
  return replay::strategy_factory(space, config);
}

// One budget's scores; median_evals_to_best only at the largest budget (the runs' length).
nlohmann::json line(const std::string& strategy, const Args& args, const replay::BudgetScore& b,
                    const replay::ReplaySummary& s, double seconds) {
  std::vector<std::string> tables;
  for (const auto& t : args.tables) tables.push_back(t.string());
  nlohmann::json out = {{"strategy", strategy},
                        {"tables", tables},
                        {"budget", b.budget},
                        {"seeds", s.seeds},
                        {"table_best", s.table_best},
                        {"median_best_at_budget", b.median_best},
                        {"median_regret_at_budget", b.median_regret},
                        {"found_best_fraction", b.found_best_fraction},
                        {"seconds", seconds}};
  if (b.budget == s.budget) {
    out["median_evals_to_best"] =
        s.median_evals_to_best ? nlohmann::json(*s.median_evals_to_best) : nlohmann::json();
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse_args(argc, argv);
  auto table = replay::ReplayTable::load(args.tables,
                                         {args.objective, args.params, std::nullopt, std::nullopt});
  if (!table.is_ok()) {
    std::fprintf(stderr, "bench_strategies: %s\n", table.status().message().c_str());
    return 2;
  }
  replay::ReplayOptions options;
  options.budget = args.budgets.back();
  options.seeds = args.seeds;
  options.threads = args.threads;
  options.report_budgets.assign(args.budgets.begin(), args.budgets.end() - 1);
  int status = 0;
  for (const std::string& name : args.strategies) {
    const auto start = std::chrono::steady_clock::now();
    auto summary = replay::replay(*table, factory_for(name, table->space()), options);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!summary.is_ok()) {  // e.g. a preset not built yet: the others still run
      std::fprintf(stderr, "bench_strategies: %s skipped: %s\n", name.c_str(),
                   summary.status().message().c_str());
      status = 1;
      continue;
    }
    const replay::ReplaySummary& s = *summary;
    std::vector<replay::BudgetScore> budgets = s.report_budgets;
    budgets.push_back(
        {s.budget, s.median_best_at_budget, s.median_regret_at_budget, s.found_best_fraction});
    for (const replay::BudgetScore& b : budgets)
      std::cout << line(name, args, b, s, seconds) << "\n";
    std::cout.flush();
  }
  return status;
}
