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
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "qtune/base/result.h"
#include "qtune/space/results_text.h"
#include "qtune/space/space.h"

namespace qtune::replay {

struct TableSpec {
  std::string objective;                 // name of the objective column
  std::vector<std::string> params;       // parameter columns; empty: see the format above
  std::optional<space::Space> space;     // the grid; nullopt: derived from the tables
  std::optional<space::KeyPattern> key;  // set: headerless KEY,VALUE tables (see above)
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
  // Smallest and largest mean over the grid (at least one configuration succeeded).
  double min_mean() const { return min_mean_; }
  double max_mean() const { return max_mean_; }

 private:
  ReplayTable(space::Space space, std::size_t table_count, std::vector<double> values,
              std::vector<bool> listed);
  space::Space space_;
  std::size_t table_count_;
  std::vector<double> values_;  // values_[t * space_.size() + state]; NaN: failed or missing
  std::vector<double> means_;   // NaN: failed in every table
  std::vector<bool> listed_;    // per state: some table lists it
  std::uint64_t listed_count_ = 0;
  double min_mean_ = 0.0;
  double max_mean_ = 0.0;
};

}  // namespace qtune::replay
