#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <span>
#include <sstream>
#include <string_view>
#include <utility>

#include "base/text_file.h"
#include "qtune/replay/replay.h"
#include "qtune/space/space_config.h"

namespace qtune::replay {
namespace {

using base::Result;
using base::Status;

constexpr double kFailed = std::numeric_limits<double>::quiet_NaN();

using Field = space::CsvField;
using Row = space::CsvRow;
using space::find_value;
using space::list_values;
using space::parse_number;

std::optional<double> finite_number(std::string_view text) { return space::parse_finite(text); }

// The rows of one table, the header first. A headerless KEY,VALUE table (TableSpec::key)
// gets a header made of the pattern's names and the objective, and each key is split into
// its values (each keeps the key's column for messages).
Result<std::vector<Row>> split_table(const TableText& table, const TableSpec& spec) {
  if (!spec.key) {
    QTUNE_ASSIGN_OR_RETURN(std::vector<Row> rows, space::split_csv(table.name, table.text));
    if (rows.empty()) {
      return Status::invalid_argument(
          fmt::format("{}: the table is empty; its first row must name the columns", table.name));
    }
    return rows;
  }
  QTUNE_ASSIGN_OR_RETURN(std::vector<Row> rows,
                         space::split_keyed(table.name, table.text, *spec.key));
  if (rows.empty()) {
    return Status::invalid_argument(fmt::format(
        "{}: the table is empty; write one KEY,VALUE line per configuration", table.name));
  }
  std::vector<Row> out;
  Row header{0, {}, 1};
  for (const std::string& name : spec.key->names()) header.fields.push_back({name, 1});
  header.fields.push_back({spec.objective, 1});
  out.push_back(std::move(header));
  out.insert(out.end(), std::make_move_iterator(rows.begin()), std::make_move_iterator(rows.end()));
  return out;
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

// A table after its header is understood: the column index of each parameter, the
// objective and the status (if any).
struct Columns {
  std::vector<std::size_t> params;
  std::size_t objective = 0;
  std::optional<std::size_t> status;
  std::optional<std::size_t> cost;
};

Result<Columns> find_columns(const TableText& table, const Row& header, const TableSpec& spec,
                             std::vector<std::string>& param_names) {
  std::map<std::string, std::size_t> index;
  std::vector<std::string> names;
  for (std::size_t c = 0; c < header.fields.size(); ++c) {
    const std::string& name = header.fields[c].text;
    if (!index.emplace(name, c).second) {
      return Status::invalid_argument(
          fmt::format("{}:{}:{}: column \"{}\" appears twice; name each column once", table.name,
                      header.line, header.fields[c].column, name));
    }
    names.push_back(name);
  }
  const auto objective = index.find(spec.objective);
  if (objective == index.end()) {
    return Status::invalid_argument(
        fmt::format("{}:{}: no objective column \"{}\"; the columns are {}", table.name,
                    header.line, spec.objective, fmt::join(names, ", ")));
  }
  Columns columns;
  columns.objective = objective->second;
  if (const auto status = index.find("status"); status != index.end()) {
    columns.status = status->second;
  }
  if (!spec.cost.empty()) {
    const auto cost = index.find(spec.cost);
    if (cost == index.end()) {
      return Status::invalid_argument(
          fmt::format("{}:{}: no cost column \"{}\"; the columns are {}", table.name, header.line,
                      spec.cost, fmt::join(names, ", ")));
    }
    columns.cost = cost->second;
  }
  if (param_names.empty()) {  // default: every column left of the objective but status
    for (std::size_t c = 0; c < columns.objective; ++c) {
      if (names[c] != "status") param_names.push_back(names[c]);
    }
    if (param_names.empty()) {
      return Status::invalid_argument(fmt::format(
          "{}:{}: no parameter column left of the objective \"{}\"; name them with --params",
          table.name, header.line, spec.objective));
    }
  }
  for (const std::string& param : param_names) {
    const auto it = index.find(param);
    if (it == index.end()) {
      return Status::invalid_argument(
          fmt::format("{}:{}: parameter \"{}\" is missing from the table; the columns are {}",
                      table.name, header.line, param, fmt::join(names, ", ")));
    }
    if (it->second == columns.objective || (columns.status && it->second == *columns.status) ||
        (columns.cost && it->second == *columns.cost)) {
      return Status::invalid_argument(fmt::format(
          "{}:{}: column \"{}\" cannot be a parameter; parameters are neither the objective, "
          "the status nor the cost",
          table.name, header.line, param));
    }
    columns.params.push_back(it->second);
  }
  return columns;
}

struct ParsedTable {
  const TableText* text = nullptr;
  std::vector<Row> rows;  // rows[0] is the header
  Columns columns;
};

// The derived grid: each parameter's distinct values, numeric when all of them are numbers.
Result<space::Space> derive_space(const std::vector<ParsedTable>& tables,
                                  const std::vector<std::string>& param_names) {
  std::vector<space::Dimension> dims;
  for (std::size_t k = 0; k < param_names.size(); ++k) {
    std::set<std::string> texts;
    for (const ParsedTable& table : tables) {
      for (std::size_t r = 1; r < table.rows.size(); ++r) {
        texts.insert(table.rows[r].fields[table.columns.params[k]].text);
      }
    }
    space::Dimension dim;
    dim.name = param_names[k];
    const bool numeric = std::all_of(texts.begin(), texts.end(), [](const std::string& t) {
      return finite_number(t).has_value();
    });
    if (!numeric) {
      dim.kind = space::DimensionKind::kCategorical;
      for (const std::string& t : texts) dim.values.emplace_back(t);  // std::set: string order
    } else if (std::all_of(texts.begin(), texts.end(),
                           [](const std::string& t) { return parse_integer(t).has_value(); })) {
      std::set<std::int64_t> values;
      for (const std::string& t : texts) values.insert(*parse_integer(t));
      for (std::int64_t v : values) dim.values.emplace_back(v);
    } else {
      std::set<double> values;  // "1" and "1.0" are one value
      for (const std::string& t : texts) values.insert(*finite_number(t));
      for (double v : values) dim.values.emplace_back(v);
    }
    dims.push_back(std::move(dim));
  }
  return space::Space::create(std::move(dims));
}

// The objective of one row: NaN for a failed trial.
Result<double> row_objective(const ParsedTable& table, const Row& row) {
  const Columns& columns = table.columns;
  if (columns.status && row.fields[*columns.status].text != "ok") return kFailed;
  const Field& field = row.fields[columns.objective];
  const auto v = parse_number(field.text);
  if (!v) {
    return Status::invalid_argument(fmt::format(
        "{}:{}:{}: objective \"{}\" is \"{}\", not a number; write a number, or mark the row "
        "failed with a status other than \"ok\"",
        table.text->name, row.line, field.column, table.rows[0].fields[columns.objective].text,
        field.text));
  }
  return std::isfinite(*v) ? *v : kFailed;
}

// The cost of one row (a finite number >= 0); 0 without a cost column.
Result<double> row_cost(const ParsedTable& table, const Row& row) {
  if (!table.columns.cost) return 0.0;
  const Field& field = row.fields[*table.columns.cost];
  const auto v = finite_number(field.text);
  if (!v || *v < 0.0) {
    return Status::invalid_argument(fmt::format(
        "{}:{}:{}: cost \"{}\" is \"{}\"; write what measuring the row cost, a finite number "
        ">= 0 (e.g. seconds)",
        table.text->name, row.line, field.column, table.rows[0].fields[*table.columns.cost].text,
        field.text));
  }
  return *v;
}

// The parameter names a table must have: --params, else the [space]'s dimensions, else
// (left empty) every column left of the objective, as find_columns fills in.
std::vector<std::string> requested_params(const TableSpec& spec) {
  std::vector<std::string> param_names = spec.params;
  if (param_names.empty() && spec.space) {
    for (const space::Dimension& dim : spec.space->dimensions()) param_names.push_back(dim.name);
  }
  return param_names;
}

// Every row has as many fields as the header.
Status check_row_widths(const TableText& text, const std::vector<Row>& rows) {
  const std::size_t width = rows[0].fields.size();
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const Row& row = rows[r];
    if (row.fields.size() == width) continue;
    const std::size_t column =
        row.fields.size() > width ? row.fields[width].column : row.end_column;
    return Status::invalid_argument(
        fmt::format("{}:{}:{}: the row has {} fields, the header {}; write one value per column",
                    text.name, row.line, column, row.fields.size(), width));
  }
  return Status::ok();
}

// One table split into rows, its columns found from the header row.
Result<ParsedTable> read_table(const TableText& text, const TableSpec& spec,
                               std::vector<std::string>& param_names) {
  ParsedTable table;
  table.text = &text;
  QTUNE_ASSIGN_OR_RETURN(table.rows, split_table(text, spec));
  QTUNE_ASSIGN_OR_RETURN(table.columns, find_columns(text, table.rows[0], spec, param_names));
  QTUNE_RETURN_IF_ERROR(check_row_widths(text, table.rows));
  return table;
}

// The [space] given, or the one the tables derive; either must match the parameters.
Result<space::Space> table_grid(const std::vector<ParsedTable>& tables, const TableSpec& spec,
                                const std::vector<std::string>& param_names) {
  const std::string& name = tables[0].text->name;
  auto derived = spec.space ? Result<space::Space>(*spec.space) : derive_space(tables, param_names);
  if (!derived.is_ok()) return derived.status().with_context(name);
  space::Space grid = std::move(derived).value();
  if (grid.dims() != param_names.size()) {
    return Status::invalid_argument(fmt::format(
        "{}: the [space] has {} dimensions, the tables {} parameters ({}); name the [space] "
        "dimensions with --params",
        name, grid.dims(), param_names.size(), fmt::join(param_names, ", ")));
  }
  if (!spec.fidelity.empty()) {
    const auto k = grid.find(spec.fidelity);
    if (!k) {
      return Status::invalid_argument(
          fmt::format("{}: fidelity \"{}\" is not a parameter; name one of {}", name, spec.fidelity,
                      fmt::join(param_names, ", ")));
    }
    std::vector<space::Dimension> dims = grid.dimensions();
    dims[*k].fidelity = true;
    auto marked = space::Space::create(std::move(dims));
    if (!marked.is_ok()) return marked.status().with_context(fmt::format("{}: --fidelity", name));
    grid = std::move(marked).value();
  }
  if (grid.size() > ReplayTable::kMaxStates) {
    return Status::invalid_argument(
        fmt::format("{}: the grid has {} configurations; replay holds at most {}", name,
                    grid.size(), ReplayTable::kMaxStates));
  }
  for (std::size_t k = 0; k < grid.dims(); ++k) {
    if (grid.dimension(k).name != param_names[k]) {
      return Status::invalid_argument(fmt::format(
          "{}: parameter {} is \"{}\" but the [space] names \"{}\"; list --params in the order "
          "of the [space]",
          name, k + 1, param_names[k], grid.dimension(k).name));
    }
  }
  return grid;
}

// The values each parameter takes in one table (per dimension, as indices).
using SeenValues = std::vector<std::set<space::Index>>;

// The configuration a row names; records its parameter values in `seen`.
Result<space::StateId> row_state(const ParsedTable& table, const Row& row, const space::Space& grid,
                                 const std::vector<std::string>& param_names, SeenValues& seen) {
  std::vector<space::Index> indices(grid.dims());
  for (std::size_t k = 0; k < grid.dims(); ++k) {
    const Field& cell = row.fields[table.columns.params[k]];
    const auto index = find_value(grid.dimension(k), cell.text);
    if (!index) {
      return Status::invalid_argument(fmt::format(
          "{}:{}:{}: parameter \"{}\" is \"{}\", not a value of the [space]; its values are {}",
          table.text->name, row.line, cell.column, param_names[k], cell.text,
          list_values(grid.dimension(k))));
    }
    indices[k] = *index;
    seen[k].insert(*index);
  }
  return grid.encode(indices);
}

// One table's objective per configuration into `values` (grid.size() of them, NaN where
// the table has no row or the trial failed).
Status read_values(const ParsedTable& table, const space::Space& grid,
                   const std::vector<std::string>& param_names, std::span<double> values,
                   std::span<double> costs, std::vector<bool>& listed, SeenValues& seen) {
  std::map<space::StateId, std::size_t> line_of;
  for (std::size_t r = 1; r < table.rows.size(); ++r) {
    const Row& row = table.rows[r];
    QTUNE_ASSIGN_OR_RETURN(const space::StateId state,
                           row_state(table, row, grid, param_names, seen));
    if (const auto [it, fresh] = line_of.emplace(state, row.line); !fresh) {
      return Status::invalid_argument(fmt::format(
          "{}:{}:1: configuration {} is listed again (first on line {}); list each "
          "configuration once per table (repeated measurements go into separate tables)",
          table.text->name, row.line, grid.describe(state), it->second));
    }
    QTUNE_ASSIGN_OR_RETURN(values[state], row_objective(table, row));
    if (!costs.empty()) {
      QTUNE_ASSIGN_OR_RETURN(costs[state], row_cost(table, row));
    }
    listed[state] = true;
  }
  return Status::ok();
}

// The values of dimension `dim` in `these` but not in `those`, formatted.
std::vector<std::string> values_missing_from(const std::set<space::Index>& these,
                                             const std::set<space::Index>& those,
                                             const space::Dimension& dim) {
  std::vector<std::string> missing;
  for (space::Index i : these) {
    if (!those.count(i)) missing.push_back(space::format_value(dim.values[i]));
  }
  return missing;
}

// Every table lists the same values of each parameter as the first one.
Status check_same_values(const std::vector<ParsedTable>& tables, const space::Space& grid,
                         const std::vector<std::string>& param_names,
                         const std::vector<SeenValues>& seen) {
  for (std::size_t t = 1; t < tables.size(); ++t) {
    for (std::size_t k = 0; k < grid.dims(); ++k) {
      if (seen[t][k] == seen[0][k]) continue;
      const space::Dimension& dim = grid.dimension(k);
      return Status::invalid_argument(fmt::format(
          "{}: parameter \"{}\" disagrees with {}: values only here [{}], only there [{}]; "
          "tables of one grid list the same values",
          tables[t].text->name, param_names[k], tables[0].text->name,
          fmt::join(values_missing_from(seen[t][k], seen[0][k], dim), ", "),
          fmt::join(values_missing_from(seen[0][k], seen[t][k], dim), ", ")));
    }
  }
  return Status::ok();
}

}  // namespace

ReplayTable::ReplayTable(space::Space space, std::size_t table_count, std::vector<double> values,
                         std::vector<bool> listed, std::vector<double> costs)
    : space_(std::move(space)),
      table_count_(table_count),
      values_(std::move(values)),
      listed_(std::move(listed)),
      costs_(std::move(costs)) {
  listed_count_ = static_cast<std::uint64_t>(std::count(listed_.begin(), listed_.end(), true));
  const std::uint64_t n = space_.size();
  means_.assign(n, kFailed);
  min_mean_ = std::numeric_limits<double>::infinity();
  max_mean_ = -std::numeric_limits<double>::infinity();
  for (std::uint64_t s = 0; s < n; ++s) {
    double sum = 0.0;
    std::size_t count = 0;
    for (std::size_t t = 0; t < table_count_; ++t) {
      const double v = values_[t * n + s];
      if (std::isnan(v)) continue;
      sum += v;
      ++count;
    }
    if (!costs_.empty() && listed_[s]) {  // the mean over the tables that list s
      double cost = 0.0;
      std::size_t listing = 0;
      for (std::size_t t = 0; t < table_count_; ++t) {
        if (std::isnan(costs_[t * n + s])) continue;
        cost += costs_[t * n + s];
        ++listing;
      }
      grid_cost_ += cost / static_cast<double>(listing);
    }
    if (count == 0) continue;
    means_[s] = sum / static_cast<double>(count);
    min_mean_ = std::min(min_mean_, means_[s]);
    max_mean_ = std::max(max_mean_, means_[s]);
  }
}

std::optional<double> ReplayTable::value(std::size_t table, space::StateId state) const {
  QTUNE_CHECK(table < table_count_ && state < space_.size());
  const double v = values_[table * space_.size() + state];
  if (std::isnan(v)) return std::nullopt;
  return v;
}

double ReplayTable::cost(std::size_t table, space::StateId state) const {
  QTUNE_CHECK(table < table_count_ && state < space_.size());
  if (costs_.empty()) return 0.0;
  const double cost = costs_[table * space_.size() + state];
  return std::isnan(cost) ? 0.0 : cost;
}

bool ReplayTable::listed(space::StateId state) const {
  QTUNE_CHECK(state < space_.size());
  return listed_[state];
}

std::optional<double> ReplayTable::mean(space::StateId state) const {
  QTUNE_CHECK(state < space_.size());
  if (std::isnan(means_[state])) return std::nullopt;
  return means_[state];
}

Result<ReplayTable> ReplayTable::load(const std::vector<std::filesystem::path>& files,
                                      const TableSpec& spec) {
  std::vector<TableText> tables;
  for (const std::filesystem::path& file : files) {
    QTUNE_ASSIGN_OR_RETURN(std::string text, base::read_text_file(file, "table"));
    tables.push_back({file.string(), std::move(text)});
  }
  return parse(tables, spec);
}

Result<ReplayTable> ReplayTable::parse(const std::vector<TableText>& texts, const TableSpec& spec) {
  if (texts.empty()) {
    return Status::invalid_argument("replay: no table given; name at least one CSV file");
  }
  std::vector<std::string> param_names = requested_params(spec);
  std::vector<ParsedTable> tables;
  for (const TableText& text : texts) {
    QTUNE_ASSIGN_OR_RETURN(ParsedTable table, read_table(text, spec, param_names));
    tables.push_back(std::move(table));
  }
  QTUNE_ASSIGN_OR_RETURN(space::Space grid, table_grid(tables, spec, param_names));

  const std::uint64_t n = grid.size();
  std::vector<double> values(tables.size() * n, kFailed);
  std::vector<SeenValues> seen(tables.size(), SeenValues(grid.dims()));
  std::vector<double> costs(spec.cost.empty() ? 0 : tables.size() * n, kFailed);
  std::vector<bool> listed(n, false);
  for (std::size_t t = 0; t < tables.size(); ++t) {
    const std::span<double> table_costs =
        costs.empty() ? std::span<double>() : std::span(costs).subspan(t * n, n);
    QTUNE_RETURN_IF_ERROR(read_values(tables[t], grid, param_names,
                                      std::span(values).subspan(t * n, n), table_costs, listed,
                                      seen[t]));
  }
  QTUNE_RETURN_IF_ERROR(check_same_values(tables, grid, param_names, seen));
  if (std::all_of(values.begin(), values.end(), [](double v) { return std::isnan(v); })) {
    return Status::invalid_argument(
        fmt::format("{}: no configuration succeeded; replay needs at least one numeric objective",
                    texts[0].name));
  }
  return ReplayTable(std::move(grid), tables.size(), std::move(values), std::move(listed),
                     std::move(costs));
}

}  // namespace qtune::replay
