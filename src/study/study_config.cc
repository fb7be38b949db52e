#include "qtune/study/study_config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <limits>
#include <sstream>
#include <variant>

#include "base/text_file.h"
#include "base/toml_reader.h"
#include "qtune/space/space_config.h"
#include "qtune/store/open_store.h"
#include "qtune/study/results.h"

namespace qtune::study {
namespace {

// Builds "file:line: [table] key: what" errors.
class Errors {
 public:
  Errors(std::string_view file, std::string_view table) : file_(file), table_(table) {}
  base::Status at(const toml::node& node, std::string_view key, std::string_view what) const {
    return base::toml_error(file_, node, fmt::format("[{}] {}: {}", table_, key, what));
  }

 private:
  std::string_view file_;
  std::string_view table_;
};

base::Result<std::string> string_value(const toml::node& node, std::string_view key,
                                       const Errors& errors) {
  const auto* s = node.as_string();
  if (s == nullptr) return errors.at(node, key, "expected a string");
  return s->get();
}

base::Result<std::int64_t> integer_value(const toml::node& node, std::string_view key,
                                         std::int64_t min, const Errors& errors) {
  const auto* i = node.as_integer();
  if (i == nullptr || i->get() < min)
    return errors.at(node, key, fmt::format("expected an integer >= {}", min));
  return i->get();
}

// A sqlite path relative to the study file's folder becomes absolute; other URLs stay.
std::string anchor_storage(const std::string& url, const std::filesystem::path& base) {
  constexpr std::string_view kSqlite = "sqlite://";
  if (!url.starts_with(kSqlite)) return url;
  const std::filesystem::path path(url.substr(kSqlite.size()));
  if (path.empty() || path == ":memory:" || path.is_absolute()) return url;
  return std::string(kSqlite) + (base / path).lexically_normal().string();
}

struct StudyKeys {
  std::string name;
  std::optional<std::string> storage;
  std::optional<store::Direction> direction;  // nullopt: the metric's own (else minimize)
  std::uint64_t seed = 0;
};

base::Result<StudyKeys> parse_study(const toml::table* table, const std::filesystem::path& file) {
  StudyKeys keys;
  keys.name = file.stem().string();
  if (table == nullptr) return keys;
  const std::string file_name = file.string();
  const Errors errors(file_name, "study");
  for (const auto& [key, node] : *table) {
    const std::string_view k = key.str();
    if (k == "name") {
      QTUNE_ASSIGN_OR_RETURN(keys.name, string_value(node, k, errors));
      if (keys.name.empty()) return errors.at(node, k, "is empty; give the study a name");
    } else if (k == "storage") {
      QTUNE_ASSIGN_OR_RETURN(keys.storage, string_value(node, k, errors));
      if (const base::Status checked = store::check_storage_url(*keys.storage); !checked.is_ok()) {
        return errors.at(node, k, checked.message());
      }
    } else if (k == "direction") {
      QTUNE_ASSIGN_OR_RETURN(const std::string text, string_value(node, k, errors));
      auto direction = store::parse_direction(text);
      if (!direction.is_ok()) return errors.at(node, k, direction.status().message());
      keys.direction = *direction;
    } else if (k == "seed") {
      QTUNE_ASSIGN_OR_RETURN(const std::int64_t seed, integer_value(node, k, 0, errors));
      keys.seed = static_cast<std::uint64_t>(seed);
    } else {
      return errors.at(node, k, "unknown key; use name, storage, direction or seed");
    }
  }
  return keys;
}

base::Result<std::vector<int>> parse_gpus(const toml::node& node, const Errors& errors) {
  std::vector<int> gpus;
  if (const auto* count = node.as_integer()) {
    if (count->get() < 0 || count->get() > 1024)
      return errors.at(node, "gpus", "expected a count in 0..1024 or a list of GPU ids");
    for (int g = 0; g < static_cast<int>(count->get()); ++g) gpus.push_back(g);
    return gpus;
  }
  const auto* list = node.as_array();
  if (list == nullptr)
    return errors.at(node, "gpus", "expected a list of GPU ids such as [0, 1], or a count");
  for (const toml::node& id : *list) {
    const auto* i = id.as_integer();
    if (i == nullptr || i->get() < 0 || i->get() > std::numeric_limits<int>::max()) {
      return errors.at(id, "gpus", "expected GPU ids as integers >= 0, e.g. [0, 1]");
    }
    gpus.push_back(static_cast<int>(i->get()));
  }
  return gpus;
}

base::Result<Budget> parse_budget(const toml::table* table, std::string_view file) {
  Budget budget;
  if (table == nullptr) return budget;
  const Errors errors(file, "budget");
  for (const auto& [key, node] : *table) {
    const std::string_view k = key.str();
    if (k == "trials") {
      QTUNE_ASSIGN_OR_RETURN(const std::int64_t trials, integer_value(node, k, 1, errors));
      budget.trials = static_cast<std::uint64_t>(trials);
    } else if (k == "parallel") {
      QTUNE_ASSIGN_OR_RETURN(const std::int64_t parallel, integer_value(node, k, 1, errors));
      if (parallel > 4096) return errors.at(node, k, "expected an integer in 1..4096");
      budget.parallel = static_cast<std::uint32_t>(parallel);
    } else if (k == "gpus") {
      QTUNE_ASSIGN_OR_RETURN(budget.gpus, parse_gpus(node, errors));
    } else if (k == "max_time") {
      QTUNE_ASSIGN_OR_RETURN(const std::string text, string_value(node, k, errors));
      auto duration = base::parse_duration(text);
      if (!duration.is_ok()) return errors.at(node, k, duration.status().message());
      budget.max_time = *duration;
    } else if (k == "compute") {
      QTUNE_ASSIGN_OR_RETURN(const std::string text, string_value(node, k, errors));
      auto duration = base::parse_duration(text);
      if (!duration.is_ok()) return errors.at(node, k, duration.status().message());
      if (duration->count() <= 0)
        return errors.at(node, k, "is zero; give the trial time the study may use, e.g. \"72h\"");
      budget.compute = *duration;
    } else {
      return errors.at(node, k, "unknown key; use trials, parallel, gpus, max_time or compute");
    }
  }
  return budget;
}

// [report] images = { stim = "...", rec = "..." }: templates over the dimensions and
// {trial_id}/{trial_dir}, like the [trial] metric folders.
base::Result<ReportConfig> parse_report(const toml::table* table, const space::Space& space,
                                        std::string_view file) {
  ReportConfig report;
  if (table == nullptr) return report;
  const Errors errors(file, "report");
  std::vector<std::string> known;
  for (const space::Dimension& d : space.dimensions()) known.push_back(d.name);
  known.emplace_back(exec::kTrialIdPlaceholder);
  known.emplace_back(exec::kTrialDirPlaceholder);
  for (const auto& [key, node] : *table) {
    const std::string_view k = key.str();
    if (k != "images") return errors.at(node, k, "unknown key; use images");
    const auto* images = node.as_table();
    if (images == nullptr)
      return errors.at(node, k,
                       "expected a table such as { stim = \"{K}/stim\", rec = \"{K}/rec\" }");
    for (const auto& [side, folder] : *images) {
      const std::string name = "images." + std::string(side.str());
      if (side.str() != "stim" && side.str() != "rec")
        return errors.at(folder, name, "unknown key; use stim or rec");
      QTUNE_ASSIGN_OR_RETURN(const std::string text, string_value(folder, name, errors));
      auto parsed = exec::Template::parse(text, known);
      if (!parsed.is_ok()) return errors.at(folder, name, parsed.status().message());
      (side.str() == "stim" ? report.images_stim : report.images_rec) = std::move(*parsed);
    }
  }
  return report;
}

// A dimension named like a column of `qtune export` (kTrialKeyColumns, kTrialRecordColumns)
// would make the export's header ambiguous and the file unreadable by `qtune import`.
base::Status check_column_names(const toml::table& space_table, const space::Space& space,
                                std::string_view file) {
  const Errors errors(file, "space");
  for (const space::Dimension& dim : space.dimensions()) {
    if (!is_reserved_column(dim.name)) continue;
    const toml::node* node = space_table.get(dim.name);
    const std::string what = fmt::format(
        "the name is a column of `qtune export` and `qtune import` ({}, {}, status); rename the "
        "dimension, e.g. \"{}_\"",
        fmt::join(kTrialKeyColumns, ", "), fmt::join(kTrialRecordColumns, ", "), dim.name);
    if (node == nullptr)
      return base::Status::invalid_argument(
          fmt::format("{}: [space] {}: {}", file, dim.name, what));
    return errors.at(*node, dim.name, what);
  }
  return base::Status::ok();
}

std::string canonical_toml(const toml::table& table) {
  std::ostringstream out;
  out << toml::toml_formatter(table, toml::format_flags::none);
  return out.str();
}

}  // namespace

base::Result<StudyConfig> parse_study_config(std::string_view toml_text,
                                             const std::filesystem::path& file) {
  const std::string file_name = file.string();
  QTUNE_ASSIGN_OR_RETURN(const toml::table root, base::parse_toml(toml_text, file_name));
  for (const auto& [key, node] : root) {
    const std::string_view k = key.str();
    if (k != "study" && k != "space" && k != "strategy" && k != "budget" && k != "trial" &&
        k != "pruning" && k != "report") {
      return base::Status::invalid_argument(fmt::format(
          "{}:{}: [{}]: unknown table; use [study], [space], [strategy], [budget], [trial], "
          "[pruning] or [report]",
          file_name, node.source().begin.line, k));
    }
  }
  QTUNE_ASSIGN_OR_RETURN(const toml::table* study_table,
                         base::toml_table(root, "study", file_name));
  QTUNE_ASSIGN_OR_RETURN(const toml::table* space_table,
                         base::toml_table(root, "space", file_name));
  QTUNE_ASSIGN_OR_RETURN(const toml::table* strategy_table,
                         base::toml_table(root, "strategy", file_name));
  QTUNE_ASSIGN_OR_RETURN(const toml::table* budget_table,
                         base::toml_table(root, "budget", file_name));
  QTUNE_ASSIGN_OR_RETURN(const toml::table* report_table,
                         base::toml_table(root, "report", file_name));
  if (space_table == nullptr) {
    return base::Status::invalid_argument(
        fmt::format("{}: no [space] table; declare the dimensions to tune, e.g. [space] K = {{ "
                    "range = [2, 10] }}",
                    file_name));
  }

  QTUNE_ASSIGN_OR_RETURN(StudyKeys keys, parse_study(study_table, file));
  QTUNE_ASSIGN_OR_RETURN(space::Space space, space::parse_space(toml_text, file_name));
  QTUNE_RETURN_IF_ERROR(check_column_names(*space_table, space, file_name));
  const toml::table no_strategy;
  const toml::table& strategy = strategy_table != nullptr ? *strategy_table : no_strategy;
  QTUNE_ASSIGN_OR_RETURN(agent::StrategyConfig strategy_config,
                         agent::parse_strategy(toml_text, space, file_name));
  QTUNE_ASSIGN_OR_RETURN(Budget budget, parse_budget(budget_table, file_name));
  // Each running trial holds one trajectory of the strategy (agent/strategy.h), so parallel
  // trials need as many; the fingerprint records the number in use, since the proposals
  // (and the agent snapshot) depend on it.
  strategy_config.trajectories = std::max(strategy_config.trajectories, budget.parallel);
  // The cost-aware model cools its cost penalty as the compute budget is spent (seconds; a
  // fingerprint change is not needed: the budget is part of the study file's [budget]).
  if (budget.compute) {
    strategy_config.compute_budget = std::chrono::duration<double>(*budget.compute).count();
  }
  const std::string strategy_text =
      canonical_toml(strategy) +
      fmt::format("\n# trajectories in use: {}\n", strategy_config.trajectories);
  QTUNE_ASSIGN_OR_RETURN(std::optional<exec::TrialConfig> trial,
                         exec::parse_trial(toml_text, space, file_name));
  QTUNE_ASSIGN_OR_RETURN(ReportConfig report, parse_report(report_table, space, file_name));
  QTUNE_ASSIGN_OR_RETURN(PruningConfig pruning, parse_pruning(toml_text, file_name));
  if (pruning.rule != PruningRule::kNone && trial && !trial->progress) {
    return base::toml_error(file_name, *root.get("pruning"),
                            "[pruning]: needs the trials' intermediate values; add [trial] "
                            "progress = { regex = '...' } (step and value), or rule = \"none\"");
  }
  store::Direction direction = keys.direction.value_or(store::Direction::kMinimize);
  if (const auto* builtin = trial ? std::get_if<exec::BuiltinMetric>(&trial->metric) : nullptr) {
    // A built-in metric's direction is known: it is the default, and a contrary one (a study
    // that would hunt for the worst reconstructions for days) is refused.
    const store::Direction own = exec::builtin_metric_maximize(builtin->kind)
                                     ? store::Direction::kMaximize
                                     : store::Direction::kMinimize;
    if (keys.direction && *keys.direction != own) {
      const std::string_view name = exec::builtin_metric_name(builtin->kind);
      return base::toml_error(
          file_name, *root.at_path("study.direction").node(),
          fmt::format("[study] direction: \"{}\" with [trial] metric = {{ builtin = \"{}\" }}, "
                      "which is {}-better; leave direction out (qtune knows each built-in "
                      "metric's direction) or set \"{}\"",
                      store::direction_name(*keys.direction), name,
                      own == store::Direction::kMaximize ? "higher" : "lower",
                      store::direction_name(own)));
    }
    direction = own;
  }
  if (trial && std::holds_alternative<exec::CombinedMetric>(trial->metric)) {
    // The combined loss is a rank, lower better (combined_metric.h), in no metric's units.
    if (keys.direction == store::Direction::kMaximize) {
      return base::toml_error(file_name, *root.get("study"),
                              "[study] direction: \"maximize\" with [trial] metric = { combine "
                              "}, whose loss is lower-better; leave direction out (each "
                              "component's own direction is known)");
    }
    if (pruning.rule != PruningRule::kNone) {
      return base::toml_error(file_name, *root.get("pruning"),
                              "[pruning]: compares intermediate values with trials' values in "
                              "the same units, which a combined metric's loss (a rank) has "
                              "not; use rule = \"none\" or one metric");
    }
  }

  const std::filesystem::path base = std::filesystem::absolute(file).parent_path();
  std::string storage = keys.storage.value_or("sqlite://" + keys.name + ".db");
  return StudyConfig{
      .file = file,
      .name = std::move(keys.name),
      .storage = store::StorageUrl(anchor_storage(storage, base)),
      .direction = direction,
      .seed = keys.seed,
      .space = std::move(space),
      .strategy = std::move(strategy_config),
      .strategy_text = strategy_text,
      .budget = std::move(budget),
      .trial = std::move(trial),
      .pruning = pruning,
      .report = std::move(report),
  };
}

base::Result<StudyConfig> load_study_config(const std::filesystem::path& file) {
  QTUNE_ASSIGN_OR_RETURN(const std::string text,
                         base::read_text_file(file, "study file", base::kMaxTomlBytes + 1));
  return parse_study_config(text, file);
}

}  // namespace qtune::study
