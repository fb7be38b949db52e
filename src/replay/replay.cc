#include "qtune/replay/replay.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <deque>
#include <limits>
#include <thread>

#include "base/seed.h"

namespace qtune::replay {
namespace {

using base::Result;
using base::Status;

double best_truth(const ReplayTable& table, store::Direction direction) {
  return direction == store::Direction::kMinimize ? table.min_mean() : table.max_mean();
}

double worst_truth(const ReplayTable& table, store::Direction direction) {
  return direction == store::Direction::kMinimize ? table.max_mean() : table.min_mean();
}

double regret(const ReplayTable& table, store::Direction direction, double found) {
  const double range = table.max_mean() - table.min_mean();
  if (range == 0.0) return 0.0;
  return std::abs(found - best_truth(table, direction)) / range;
}

// The median; for an even count the mean of the two middle values.
double median(std::vector<double> values) {
  QTUNE_CHECK(!values.empty());
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  if (values.size() % 2 == 1) return values[mid];
  return (values[mid - 1] + values[mid]) / 2.0;
}

BudgetScore score_at(const ReplayTable& table, store::Direction direction, std::uint32_t budget,
                     const std::vector<RunTrace>& runs) {
  std::vector<double> best;
  std::vector<double> regrets;
  std::size_t found = 0;
  for (const RunTrace& run : runs) {
    const double b = run.best_at[budget - 1];
    best.push_back(b);
    regrets.push_back(regret(table, direction, b));
    if (run.evals_to_best && *run.evals_to_best <= budget) ++found;
  }
  return {budget, median(best), median(regrets),
          static_cast<double>(found) / static_cast<double>(runs.size())};
}

// The scores at compute budget `limit`: each run after its last evaluation within it.
ComputeScore score_at_cost(const ReplayTable& table, store::Direction direction, double limit,
                           const std::vector<RunTrace>& runs) {
  std::vector<double> best, regrets, spent, evaluations;
  std::size_t found = 0;
  for (const RunTrace& run : runs) {
    const auto within = static_cast<std::size_t>(
        std::upper_bound(run.cost_at.begin(), run.cost_at.end(), limit) - run.cost_at.begin());
    const double b = within == 0 ? worst_truth(table, direction) : run.best_at[within - 1];
    best.push_back(b);
    regrets.push_back(regret(table, direction, b));
    spent.push_back(within == 0 ? 0.0 : run.cost_at[within - 1]);
    evaluations.push_back(static_cast<double>(within));
    if (run.evals_to_best && *run.evals_to_best <= within) ++found;
  }
  ComputeScore score;
  score.compute_budget = limit;
  score.median_best = median(std::move(best));
  score.median_regret = median(std::move(regrets));
  score.found_best_fraction = static_cast<double>(found) / static_cast<double>(runs.size());
  score.median_cost_spent = median(std::move(spent));
  score.median_evaluations = median(std::move(evaluations));
  return score;
}

Status check_options(const ReplayOptions& options) {
  if (options.budget == 0) return Status::invalid_argument("replay: budget 0; use at least 1");
  if (options.seeds == 0) return Status::invalid_argument("replay: seeds 0; use at least 1");
  if (options.threads == 0) return Status::invalid_argument("replay: threads 0; use at least 1");
  for (std::uint32_t b : options.report_budgets) {
    if (b == 0 || b > options.budget) {
      return Status::invalid_argument(fmt::format(
          "replay: report budget {} is outside [1, {}]; report budgets lie within the budget", b,
          options.budget));
    }
  }
  if (options.compute_budget && !(*options.compute_budget > 0.0)) {
    return Status::invalid_argument(
        fmt::format("replay: compute budget {}; use a cost > 0 (e.g. 10% of the grid's)",
                    *options.compute_budget));
  }
  for (double b : options.report_compute_budgets) {
    if (!options.compute_budget || !(b > 0.0) || b > *options.compute_budget) {
      return Status::invalid_argument(fmt::format(
          "replay: report compute budget {:g} is outside (0, {:g}]; they lie within the compute "
          "budget",
          b, options.compute_budget.value_or(0.0)));
    }
  }
  return Status::ok();
}

}  // namespace

ReplayOracle::ReplayOracle(const ReplayTable& table, std::uint64_t seed)
    : table_(&table), rng_(seed) {}

std::optional<double> ReplayOracle::measure(space::StateId state) {
  std::size_t t = 0;
  if (table_->table_count() > 1) {
    std::uniform_int_distribution<std::size_t> pick(0, table_->table_count() - 1);
    t = pick(rng_);
  }
  cost_ = table_->cost(t, state);
  return table_->value(t, state);
}

RunTrace replay_run(const ReplayTable& table, store::Direction direction, agent::Strategy& strategy,
                    ReplayOracle& oracle, std::uint32_t budget,
                    std::optional<double> compute_budget) {
  const double best = best_truth(table, direction);
  const bool costed = table.has_cost();
  double spent = 0.0;
  const double worst = worst_truth(table, direction);
  RunTrace trace;
  trace.best_at.reserve(budget);
  std::deque<agent::Proposal> pending;
  std::uint32_t asked = 0;
  std::uint64_t skipped = 0;
  while (trace.best_at.size() < budget && !(compute_budget && spent > *compute_budget)) {
    while (asked < budget) {
      const auto proposal = strategy.ask();
      if (!proposal) break;
      pending.push_back(*proposal);
      ++asked;
    }
    if (pending.empty()) break;  // exhausted
    const agent::Proposal proposal = pending.front();
    pending.pop_front();
    if (!table.listed(proposal.state)) {
      // Missing from the tables: no measurement exists, so none is spent or scored. The
      // strategy hears a failure so that it moves on (a strategy re-proposes nothing it was
      // told about); the cap keeps a strategy that insists from looping.
      strategy.tell(proposal, {std::nullopt});
      --asked;
      if (++skipped > table.space().size()) break;
      continue;
    }
    const auto loss = oracle.measure(proposal.state);
    agent::Observation observation{
        loss ? std::optional<double>(direction == store::Direction::kMinimize ? *loss : -*loss)
             : std::nullopt};
    if (costed) {
      observation.cost = oracle.cost();
      spent += oracle.cost();
      trace.cost_at.push_back(spent);
    }
    strategy.tell(proposal, observation);
    const auto truth = table.mean(proposal.state);
    if (!trace.evals_to_best && truth && *truth == best) {
      trace.evals_to_best = static_cast<std::uint32_t>(trace.best_at.size() + 1);
    }
    const auto recommended = strategy.recommend();
    const auto found = recommended ? table.mean(*recommended) : std::nullopt;
    trace.best_at.push_back(found.value_or(worst));
  }
  if (compute_budget) return trace;  // scored by cost: nothing to pad
  const double last = trace.best_at.empty() ? worst : trace.best_at.back();
  trace.best_at.resize(budget, last);
  if (costed) trace.cost_at.resize(budget, spent);
  return trace;
}

ReplaySummary summarise(const ReplayTable& table, store::Direction direction, std::uint32_t budget,
                        const std::vector<std::uint32_t>& report_budgets,
                        const std::vector<RunTrace>& runs) {
  QTUNE_CHECK(!runs.empty());
  const BudgetScore at_budget = score_at(table, direction, budget, runs);
  ReplaySummary summary;
  summary.budget = budget;
  summary.seeds = static_cast<std::uint32_t>(runs.size());
  summary.table_best = best_truth(table, direction);
  summary.median_best_at_budget = at_budget.median_best;
  summary.median_regret_at_budget = at_budget.median_regret;
  summary.found_best_fraction = at_budget.found_best_fraction;
  std::vector<double> evals;
  for (const RunTrace& run : runs) {
    evals.push_back(run.evals_to_best ? static_cast<double>(*run.evals_to_best)
                                      : std::numeric_limits<double>::infinity());
  }
  const double m = median(std::move(evals));
  if (std::isfinite(m)) summary.median_evals_to_best = m;
  for (std::uint32_t b : report_budgets) {
    summary.report_budgets.push_back(score_at(table, direction, b, runs));
  }
  return summary;
}

ReplaySummary summarise(const ReplayTable& table, const ReplayOptions& options,
                        const std::vector<RunTrace>& runs) {
  const store::Direction direction = options.direction;
  if (!options.compute_budget) {
    ReplaySummary summary =
        summarise(table, direction, options.budget, options.report_budgets, runs);
    if (table.has_cost()) {
      std::vector<double> spent;
      for (const RunTrace& run : runs) spent.push_back(run.cost_at[options.budget - 1]);
      summary.median_cost_spent = median(std::move(spent));
    }
    return summary;
  }
  // By compute: the traces have as many entries as evaluations made; pad them to `budget`
  // for the evaluation scores (which then say what the runs reached, cost aside).
  std::vector<RunTrace> padded = runs;
  for (RunTrace& run : padded) {
    const double last = run.best_at.empty() ? worst_truth(table, direction) : run.best_at.back();
    run.best_at.resize(options.budget, last);
  }
  ReplaySummary summary =
      summarise(table, direction, options.budget, options.report_budgets, padded);
  const ComputeScore at = score_at_cost(table, direction, *options.compute_budget, runs);
  summary.median_best_at_budget = at.median_best;
  summary.median_regret_at_budget = at.median_regret;
  summary.found_best_fraction = at.found_best_fraction;
  summary.median_cost_spent = at.median_cost_spent;
  summary.compute = at;
  for (double b : options.report_compute_budgets) {
    summary.report_compute_budgets.push_back(score_at_cost(table, direction, b, runs));
  }
  return summary;
}

Result<ReplaySummary> replay(const ReplayTable& table, const StrategyFactory& factory,
                             const ReplayOptions& options) {
  QTUNE_RETURN_IF_ERROR(check_options(options));
  if (options.compute_budget && !table.has_cost()) {
    return Status::invalid_argument(
        "replay: a compute budget needs a cost column; name it (qtune replay --cost seconds)");
  }
  std::vector<RunTrace> runs(options.seeds);
  std::vector<Status> errors(options.seeds);
  std::atomic<std::uint32_t> next{0};
  // Each seed owns its strategy, oracle and slot, so threads share nothing but `next`.
  const auto work = [&] {
    for (std::uint32_t i = next++; i < options.seeds; i = next++) {
      auto strategy = factory(base::derive_seed(options.root_seed, "replay", i));
      if (!strategy.is_ok()) {
        errors[i] = strategy.status().with_context(fmt::format("replay seed {}", i));
        continue;
      }
      ReplayOracle oracle(table, base::derive_seed(options.root_seed, "replay-oracle", i));
      runs[i] = replay_run(table, options.direction, **strategy, oracle, options.budget,
                           options.compute_budget);
    }
  };
  std::vector<std::thread> threads;
  for (std::uint32_t t = 1; t < std::min(options.threads, options.seeds); ++t) {
    threads.emplace_back(work);
  }
  work();
  for (std::thread& thread : threads) thread.join();
  for (const Status& error : errors) QTUNE_RETURN_IF_ERROR(error);
  return summarise(table, options, runs);
}

}  // namespace qtune::replay
