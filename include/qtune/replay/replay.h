// Replay: running a strategy against a ReplayTable instead of real trainings, for many
// seeds, and scoring it. It is both a user feature (choose a strategy and its settings on
// results you already have) and the project's strategy benchmark.
//
// Oracle. One table is noise-free: a measurement returns the table's value. Several tables
// of one grid are a noisy replay: each measurement draws one table uniformly at random
// (seeded) and returns its value there, and every score is taken against the
// per-configuration mean over the tables ("the truth"). A failed value is a failed trial.
//
// Missing configurations (listed by no table, ReplayTable::listed): a real run would have
// measured something there, which replay cannot know. So a proposal of a missing
// configuration costs no evaluation and is not scored: the strategy is told it failed (so
// that it moves on, as it never proposes a told state again) and the loop asks again.
// Regret is therefore scored on the covered configurations only; `qtune replay` prints the
// coverage and warns below 100%.
//
// Run. Seed i (0-based) of a replay creates its strategy with derive_seed(root, "replay", i)
// and its oracle with derive_seed(root, "replay-oracle", i). The loop asks until the
// strategy returns nullopt (all k trajectories wait) or `budget` proposals were handed out,
// then tells the oldest pending proposal (FIFO), and repeats. Every told proposal is one
// evaluation, a deliberate re-measurement included. A strategy that is exhausted early
// keeps its last score for the rest of the budget.
//
// Compute budgets (ReplayOptions::compute_budget; the table needs a cost column): every
// evaluation costs its row's cost in the table drawn for it (a lower fidelity costs its own
// row), and the loop goes on until the summed cost passes the budget or `budget`
// evaluations were made (then a cap). The score at a compute budget B is the one after the
// last evaluation whose summed cost is at most B (the worst mean before any), and the cost
// spent is that sum: an evaluation that would end past B is not counted, as a study does
// not start a trial that would likely exceed its budget. The strategy is told each
// evaluation's cost (Observation::cost) and the budget (StrategyConfig::compute_budget).
//
// Scores (in the objective's units and direction):
//   best_at[e-1]   the truth of the strategy's recommend() after e evaluations (so a noisy
//                  strategy recommending by its model's mean is scored on the truth); the
//                  worst mean of the grid while it recommends nothing or a configuration
//                  with no successful value;
//   evals_to_best  the evaluation (1-based) at which a best configuration of the grid (one
//                  whose truth equals the best truth) was first measured; nullopt: never.
//   regret         |best found - table best| / (the table's range of truths); 0 if the
//                  range is 0.
// Medians over seeds: the middle value, or the mean of the two middle ones; a seed that
// never found the best counts as infinite for median_evals_to_best, which is then nullopt
// when the median is infinite.
//
// Thread-safety: replay() may run seeds on several threads (ReplayOptions::threads); the
// factory is then called concurrently and must be safe for that (make_strategy is).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/agent/strategy.h"
#include "qtune/agent/strategy_config.h"
#include "qtune/base/result.h"
#include "qtune/space/space.h"
#include "qtune/space/space_config.h"
#include "qtune/store/store.h"

namespace qtune::replay {

// ReplayTable: results that already exist for a grid of configurations (one CSV table, or
// several tables of the same grid measured with other training seeds), the data that
// `qtune replay` and the strategy benchmark run strategies against.
//
// CSV format: a header row naming the columns, then one row per configuration. Fields are
// separated by commas and trimmed; a field may be double-quoted ("a,b"; "" is a quote).
// Blank lines are skipped. Columns:
//   - parameter columns (TableSpec::params; by default every column left of the objective
//     column except `status`), one value of the configuration each;
//   - the objective column, chosen by name: a number; NaN or infinity is a failed trial;
//   - `status` (optional): a row whose status is not "ok" is a failed trial and its
//     objective is not read;
//   - the cost column (TableSpec::cost, optional, e.g. `seconds`): what measuring the row
//     cost, a finite number >= 0 on every row, a failed one included (a failed training
//     costs what it ran). A noisy replay's measurement costs its own table's row;
//   - any other column is ignored.
//
// Headerless tables (TableSpec::key): the training script's own FID_Results.csv has no header
// and one `KEY,VALUE` line per configuration, the configuration packed into the key
// (`8_128_16_40,40.2`); the key pattern (space::KeyPattern, e.g.
// `{K}_{intermediate_dim}_{batch_size}_{maxiter}`) names the parameters, and the value is
// the objective. The table reader itself is space::split_csv, shared with `qtune import`.
//
// The grid (a space::Space) is the study file's [space] when given, or else each parameter
// column's distinct values, sorted numerically when every value is a number and as strings
// otherwise. A configuration of the grid that no table lists is missing: coverage
// (listed_count() of space().size()) says how many are listed, and replay never spends an
// evaluation on a missing one (replay.h).
//
// Errors (kInvalidArgument, "file:line:column: what; what would be right"): a row with more
// or fewer fields than the header, a non-numeric objective, a configuration listed twice in
// one table, a parameter or objective column missing from a table, a value outside the
// given [space], and tables that disagree on the grid (a parameter with other values).
// Unreadable files are kIoError.
//
// Immutable after loading; safe to share between threads.
struct TableSpec {
  std::string objective;                 // name of the objective column
  std::vector<std::string> params;       // parameter columns; empty: see the format above
  std::optional<space::Space> space;     // the grid; nullopt: derived from the tables
  std::optional<space::KeyPattern> key;  // set: headerless KEY,VALUE tables (see above)
  std::string cost = {};                 // the cost column; empty: none (replay by evaluations)
  // A parameter to declare the fidelity (space::Dimension::fidelity) of the derived or
  // given grid; empty: the [space]'s own declaration, if any.
  std::string fidelity = {};
};

// One CSV table in memory: `name` names it in messages (usually its path).
struct TableText {
  std::string name;
  std::string text;
};

class ReplayTable {
 public:
  // Largest grid replay holds (values are kept densely, one per state and table).
  static constexpr std::uint64_t kMaxStates = std::uint64_t{1} << 26;

  static base::Result<ReplayTable> load(const std::vector<std::filesystem::path>& files,
                                        const TableSpec& spec);
  static base::Result<ReplayTable> parse(const std::vector<TableText>& tables,
                                         const TableSpec& spec);

  const space::Space& space() const { return space_; }
  std::size_t table_count() const { return table_count_; }
  // The objective of `state` in table t; nullopt: failed there, or not listed.
  std::optional<double> value(std::size_t table, space::StateId state) const;
  // Whether any table lists `state` (failed or not).
  bool listed(space::StateId state) const;
  // How many configurations of the grid some table lists.
  std::uint64_t listed_count() const { return listed_count_; }
  // Mean over the tables where `state` succeeded; nullopt: it failed in every table.
  std::optional<double> mean(space::StateId state) const;
  // Whether the tables have a cost column (TableSpec::cost).
  bool has_cost() const { return !costs_.empty(); }
  // What measuring `state` in table t cost; 0 without a cost column or for an unlisted state.
  double cost(std::size_t table, space::StateId state) const;
  // The whole grid's cost: over the listed configurations, the sum of each one's mean cost
  // over the tables (one measurement of every configuration); 0 without a cost column.
  double grid_cost() const { return grid_cost_; }
  // Smallest and largest mean over the grid (at least one configuration succeeded).
  double min_mean() const { return min_mean_; }
  double max_mean() const { return max_mean_; }

 private:
  ReplayTable(space::Space space, std::size_t table_count, std::vector<double> values,
              std::vector<bool> listed, std::vector<double> costs);
  space::Space space_;
  std::size_t table_count_;
  std::vector<double> values_;  // values_[t * space_.size() + state]; NaN: failed or missing
  std::vector<double> means_;   // NaN: failed in every table
  std::vector<bool> listed_;    // per state: some table lists it
  std::vector<double> costs_;   // like values_ (NaN: not listed); empty: no cost column
  double grid_cost_ = 0.0;
  std::uint64_t listed_count_ = 0;
  double min_mean_ = 0.0;
  double max_mean_ = 0.0;
};

// Measurements of a ReplayTable, as described above. Not thread-safe.
class ReplayOracle {
 public:
  ReplayOracle(const ReplayTable& table, std::uint64_t seed);  // `table` must outlive it
  // One measurement of `state`: nullopt is a failed trial. cost() is what it cost.
  std::optional<double> measure(space::StateId state);
  double cost() const { return cost_; }

 private:
  const ReplayTable* table_;
  std::mt19937_64 rng_;
  double cost_ = 0.0;
};

// Creates the strategy of one seed.
using StrategyFactory =
    std::function<base::Result<std::unique_ptr<agent::Strategy>>(std::uint64_t seed)>;

// agent::make_strategy on `space` (which must outlive the factory) with `config`.
StrategyFactory strategy_factory(const space::Space& space, agent::StrategyConfig config);

struct ReplayOptions {
  std::uint32_t budget = 40;  // evaluations per seed, >= 1
  std::uint32_t seeds = 50;   // >= 1
  std::uint64_t root_seed = 0;
  store::Direction direction = store::Direction::kMinimize;
  std::vector<std::uint32_t> report_budgets;  // extra budgets to score, each in [1, budget]
  std::uint32_t threads = 1;  // seeds run on this many threads; results do not depend on it
  // Replay by compute (above), in the cost column's units, > 0; nullopt: by evaluations.
  std::optional<double> compute_budget;
  std::vector<double> report_compute_budgets;  // extra ones to score, each in (0, compute_budget]
};

// One seed's run.
struct RunTrace {
  std::vector<double> best_at;  // size = budget (by evaluations), or the evaluations made
  std::optional<std::uint32_t> evals_to_best;
  std::vector<double> cost_at = {};  // summed cost after each evaluation; empty without costs
};

// The scores at one budget.
struct BudgetScore {
  std::uint32_t budget = 0;
  double median_best = 0.0;
  double median_regret = 0.0;
  double found_best_fraction = 0.0;  // seeds that measured a best configuration by then
};

// The scores at one compute budget.
struct ComputeScore {
  double compute_budget = 0.0;
  double median_best = 0.0;
  double median_regret = 0.0;
  double found_best_fraction = 0.0;
  double median_cost_spent = 0.0;
  double median_evaluations = 0.0;  // evaluations counted within the budget
};

struct ReplaySummary {
  std::uint32_t budget = 0;
  std::uint32_t seeds = 0;
  double table_best = 0.0;
  double median_best_at_budget = 0.0;
  double median_regret_at_budget = 0.0;
  double found_best_fraction = 0.0;
  std::optional<double> median_evals_to_best;
  std::vector<BudgetScore> report_budgets;  // one per ReplayOptions::report_budgets, in order
  // With costs: the median cost spent at `budget` evaluations, or within the compute budget.
  std::optional<double> median_cost_spent;
  // By compute: the scores at the compute budget (the *_at_budget fields above hold the same
  // figures) and at each report_compute_budgets, in order.
  std::optional<ComputeScore> compute;
  std::vector<ComputeScore> report_compute_budgets;
};

// One run of `strategy` against `oracle` for `budget` evaluations, or until the summed cost
// passes `compute_budget` (set), scored on `table`.
RunTrace replay_run(const ReplayTable& table, store::Direction direction, agent::Strategy& strategy,
                    ReplayOracle& oracle, std::uint32_t budget,
                    std::optional<double> compute_budget = std::nullopt);

// The summary of runs that all used `budget`; report_budgets as in ReplayOptions.
ReplaySummary summarise(const ReplayTable& table, store::Direction direction, std::uint32_t budget,
                        const std::vector<std::uint32_t>& report_budgets,
                        const std::vector<RunTrace>& runs);
// The same with the compute budgets of `options` as well.
ReplaySummary summarise(const ReplayTable& table, const ReplayOptions& options,
                        const std::vector<RunTrace>& runs);

// Every seed's run, then their summary. kInvalidArgument for options out of range; the
// factory's error, with the seed index, if it fails.
base::Result<ReplaySummary> replay(const ReplayTable& table, const StrategyFactory& factory,
                                   const ReplayOptions& options);

}  // namespace qtune::replay
