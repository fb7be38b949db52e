#include "qtune/study/import.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "base/text_file.h"
#include "qtune/space/space_config.h"

namespace qtune::study {
namespace {

using base::Result;
using base::Status;

// One result as read: the text of each parameter (dimension order) and of the value.
struct RawResult {
  std::size_t line = 0;
  std::vector<std::string> params;
  std::string value;
};

struct Reader {
  const StudyConfig& config;
  const ImportOptions& options;
  std::string name;    // the file as given, for messages
  std::string source;  // its absolute path, for trial sources
};

std::vector<std::string> dimension_names(const space::Space& space) {
  std::vector<std::string> names;
  for (const space::Dimension& dim : space.dimensions()) names.push_back(dim.name);
  return names;
}

Result<std::vector<RawResult>> read_keyed(const Reader& r, std::string_view text) {
  const space::Space& space = r.config.space;
  QTUNE_ASSIGN_OR_RETURN(const space::KeyPattern key,
                         space::KeyPattern::parse(r.options.key, dimension_names(space)));
  if (key.names().size() != space.dims()) {
    std::vector<std::string> missing;
    for (const space::Dimension& dim : space.dimensions()) {
      if (std::find(key.names().begin(), key.names().end(), dim.name) == key.names().end()) {
        missing.push_back(dim.name);
      }
    }
    return Status::invalid_argument(
        fmt::format("--key \"{}\": it does not name {}; a key names every parameter of the study",
                    key.text(), fmt::join(missing, ", ")));
  }
  QTUNE_ASSIGN_OR_RETURN(const auto rows, space::split_keyed(r.name, text, key));
  std::vector<RawResult> out;
  for (const space::CsvRow& row : rows) {
    RawResult result{row.line, std::vector<std::string>(space.dims()), row.fields.back().text};
    for (std::size_t i = 0; i < key.names().size(); ++i) {
      result.params[*space.find(key.names()[i])] = row.fields[i].text;
    }
    out.push_back(std::move(result));
  }
  return out;
}

Result<std::vector<RawResult>> read_header_csv(const Reader& r, std::string_view text) {
  const space::Space& space = r.config.space;
  QTUNE_ASSIGN_OR_RETURN(const auto rows, space::split_csv(r.name, text));
  if (rows.empty()) return std::vector<RawResult>();
  const space::CsvRow& header = rows[0];
  std::vector<std::string> names;
  for (const space::CsvField& f : header.fields) names.push_back(f.text);
  const auto column_of = [&](const std::string& name) -> std::optional<std::size_t> {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) return std::nullopt;
    return static_cast<std::size_t>(it - names.begin());
  };
  std::vector<std::size_t> param_columns;
  for (const space::Dimension& dim : space.dimensions()) {
    const auto c = column_of(dim.name);
    if (!c) {
      return Status::invalid_argument(fmt::format(
          "{}:{}: no column \"{}\" (the columns are {}); a CSV with a header has one column per "
          "parameter of the study; for a headerless KEY,VALUE file give --key",
          r.name, header.line, dim.name, fmt::join(names, ", ")));
    }
    param_columns.push_back(*c);
  }
  const std::optional<std::size_t> status = column_of("status");
  std::optional<std::size_t> objective;
  if (!r.options.objective.empty()) {
    objective = column_of(r.options.objective);
    if (!objective) {
      return Status::invalid_argument(
          fmt::format("{}:{}: no objective column \"{}\"; the columns are {}", r.name, header.line,
                      r.options.objective, fmt::join(names, ", ")));
    }
  } else {
    std::vector<std::size_t> others;
    for (std::size_t c = 0; c < names.size(); ++c) {
      if (std::find(param_columns.begin(), param_columns.end(), c) == param_columns.end() &&
          c != status) {
        others.push_back(c);
      }
    }
    if (others.size() != 1) {
      return Status::invalid_argument(fmt::format(
          "{}:{}: which column is the objective? name it with --objective (the columns are {})",
          r.name, header.line, fmt::join(names, ", ")));
    }
    objective = others[0];
  }
  std::vector<RawResult> out;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const space::CsvRow& row = rows[i];
    if (row.fields.size() != names.size()) {
      return Status::invalid_argument(
          fmt::format("{}:{}: the row has {} fields, the header {}; write one value per column",
                      r.name, row.line, row.fields.size(), names.size()));
    }
    if (status && row.fields[*status].text != "ok") continue;
    RawResult result{row.line, {}, row.fields[*objective].text};
    for (const std::size_t c : param_columns) result.params.push_back(row.fields[c].text);
    out.push_back(std::move(result));
  }
  return out;
}

std::string json_scalar_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  if (v.is_number_unsigned()) return std::to_string(v.get<std::uint64_t>());
  if (v.is_number_float()) return fmt::format("{}", v.get<double>());
  return v.dump();
}

Result<std::vector<RawResult>> read_json(const Reader& r, std::string_view text) {
  const nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) {
    return Status::invalid_argument(
        fmt::format("{}: not a JSON array of trials; give the output of `qtune export --format "
                    "json`",
                    r.name));
  }
  const space::Space& space = r.config.space;
  std::vector<RawResult> out;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const nlohmann::json& t = doc[i];
    const std::size_t line = i + 1;
    if (!t.is_object() || !t.contains("params") || !t["params"].is_object() ||
        !t.contains("value")) {
      return Status::invalid_argument(
          fmt::format("{}:{}: trial {} has no \"params\" object or no \"value\"; give the output "
                      "of `qtune export --format json`",
                      r.name, line, line));
    }
    if (t.contains("state") && t["state"] != "COMPLETE") continue;
    RawResult result{line, {}, json_scalar_text(t["value"])};
    for (const space::Dimension& dim : space.dimensions()) {
      if (!t["params"].contains(dim.name)) {
        return Status::invalid_argument(
            fmt::format("{}:{}: trial {} has no parameter \"{}\"", r.name, line, line, dim.name));
      }
      result.params.push_back(json_scalar_text(t["params"][dim.name]));
    }
    out.push_back(std::move(result));
  }
  return out;
}

bool looks_like_json(const std::filesystem::path& file, std::string_view text) {
  if (file.extension() == ".json") return true;
  const auto first = text.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && text[first] == '[';
}

// The checked results of one file; out-of-space rows into `skipped` (or an error if strict).
Status check_results(const Reader& r, const std::vector<RawResult>& raw,
                     std::vector<store::ImportedTrial>& out, std::vector<std::string>& skipped) {
  const space::Space& space = r.config.space;
  for (const RawResult& result : raw) {
    const auto value = space::parse_number(result.value);
    if (!value) {
      return Status::invalid_argument(
          fmt::format("{}:{}: the value \"{}\" is not a number; write the measured value", r.name,
                      result.line, result.value));
    }
    std::optional<std::string> why;
    std::vector<space::Index> indices(space.dims());
    for (std::size_t k = 0; k < space.dims() && !why; ++k) {
      const space::Dimension& dim = space.dimension(k);
      const auto index = space::find_value(dim, result.params[k]);
      if (!index) {
        why = fmt::format("{} is {}, not a value of the [space] ({})", dim.name, result.params[k],
                          space::list_values(dim));
      } else {
        indices[k] = *index;
      }
    }
    if (!why && !std::isfinite(*value)) why = fmt::format("the value is {} (a failed run)", *value);
    if (why) {
      const std::string message = fmt::format("{}:{}: {}", r.name, result.line, *why);
      if (r.options.strict) {
        return Status::invalid_argument(
            message + "; fix the row, widen the [space], or import without --strict to skip it");
      }
      skipped.push_back(message);
      continue;
    }
    const space::StateId state = space.encode(indices);
    std::vector<store::Param> params;
    for (std::size_t k = 0; k < space.dims(); ++k) {
      params.push_back({space.dimension(k).name, space::format_value(space.value(state, k))});
    }
    out.push_back({state, std::move(params), *value, fmt::format("{}:{}", r.source, result.line)});
  }
  return Status::ok();
}

}  // namespace

Result<std::vector<store::ImportedTrial>> read_results(
    const StudyConfig& config, const std::vector<std::filesystem::path>& files,
    const ImportOptions& options, std::vector<std::string>& skipped) {
  if (files.empty()) {
    return Status::invalid_argument("import: no results file given; name at least one");
  }
  std::vector<store::ImportedTrial> out;
  for (const std::filesystem::path& file : files) {
    QTUNE_ASSIGN_OR_RETURN(const std::string text, base::read_text_file(file, "results file"));
    std::error_code ec;
    const std::filesystem::path absolute = std::filesystem::weakly_canonical(file, ec);
    const Reader reader{config, options, file.string(), (ec ? file : absolute).string()};
    Result<std::vector<RawResult>> raw = Status::internal("unset");
    if (!options.key.empty()) {
      raw = read_keyed(reader, text);
    } else if (looks_like_json(file, text)) {
      raw = read_json(reader, text);
    } else {
      raw = read_header_csv(reader, text);
    }
    QTUNE_RETURN_IF_ERROR(raw.status());
    QTUNE_RETURN_IF_ERROR(check_results(reader, *raw, out, skipped));
  }
  return out;
}

Result<ImportReport> import_results(Study& study, const std::vector<std::filesystem::path>& files,
                                    const ImportOptions& options) {
  ImportReport report;
  QTUNE_ASSIGN_OR_RETURN(const auto results,
                         read_results(study.config(), files, options, report.skipped));
  report.read = results.size();
  QTUNE_ASSIGN_OR_RETURN(AddedResults added, study.add_results(results));
  report.added = added.added.size();
  report.already = added.already;
  report.trials = std::move(added.added);
  return report;
}

}  // namespace qtune::study
