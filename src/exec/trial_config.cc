#include "qtune/exec/trial_config.h"

#include <array>
#include <regex>

#include <fmt/format.h>

namespace qtune::exec {
namespace {

// Builds "file:line: [trial] key: what" errors; one per parse.
class ErrorContext {
 public:
  explicit ErrorContext(std::string_view file) : file_(file) {}
  base::Status error(const toml::node& node, std::string_view key, std::string_view what) const {
    return base::Status::invalid_argument(
        fmt::format("{}:{}: [trial] {}: {}", file_, node.source().begin.line, key, what));
  }

 private:
  std::string_view file_;
};

constexpr std::array<std::pair<std::string_view, BuiltinMetricKind>, 6> kBuiltinNames = {{
    {"fid", BuiltinMetricKind::kFid},
    {"kid", BuiltinMetricKind::kKid},
    {"mse", BuiltinMetricKind::kMse},
    {"psnr", BuiltinMetricKind::kPsnr},
    {"ssim", BuiltinMetricKind::kSsim},
    {"correlation", BuiltinMetricKind::kCorrelation},
}};

std::string_view type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    default: return "a date/time";
  }
}

class TrialParser {
 public:
  TrialParser(const space::Space& space, std::string_view file) : errors_(file) {
    for (const space::Dimension& dim : space.dimensions()) known_.push_back(dim.name);
    known_.emplace_back(kTrialIdPlaceholder);
    known_.emplace_back(kTrialDirPlaceholder);
  }

  base::Result<TrialConfig> parse(const toml::table& trial, std::string_view file) {
    TrialConfig config;
    config.base_dir = std::filesystem::path(file).parent_path();
    QTUNE_ASSIGN_OR_RETURN(config.workdir, templ(trial, "workdir", "."));
    const toml::node* command = nullptr;
    for (const auto& [key, node] : trial) {
      const std::string_view k = key.str();
      if (k == "command") {
        command = &node;
      } else if (k == "shell") {
        const auto* value = node.as_boolean();
        if (value == nullptr) return wrong_type(node, k, "true or false");
        config.shell = value->get();
      } else if (k == "workdir") {
        continue;  // parsed above
      } else if (k == "timeout") {
        QTUNE_ASSIGN_OR_RETURN(config.timeout, duration(node, k));
      } else if (k == "kill_grace") {
        QTUNE_ASSIGN_OR_RETURN(config.kill_grace, duration(node, k));
      } else if (k == "env") {
        QTUNE_RETURN_IF_ERROR(parse_env(node, config));
      } else if (k == "metric") {
        QTUNE_ASSIGN_OR_RETURN(config.metric, metric(node));
      } else {
        return errors_.error(node, k,
                             "unknown key; use command, shell, workdir, timeout, kill_grace, env "
                             "or metric");
      }
    }
    if (command == nullptr) {
      return errors_.error(trial, "command",
                           "missing; give the argv words, e.g. command = [\"python3\", "
                           "\"train.py\", \"{K}\"]");
    }
    QTUNE_RETURN_IF_ERROR(parse_command(*command, config));
    return config;
  }

 private:
  base::Status wrong_type(const toml::node& node, std::string_view key, std::string_view want) const {
    return errors_.error(node, key, fmt::format("{} is the wrong type; use {}", type_name(node), want));
  }

  base::Result<Template> templ(const toml::node& node, std::string_view key) const {
    const auto* text = node.as_string();
    if (text == nullptr) return wrong_type(node, key, "a string");
    auto parsed = Template::parse(text->get(), known_);
    if (!parsed.is_ok()) return errors_.error(node, key, parsed.status().message());
    return parsed;
  }
  // The optional string `key` of `table` as a template, `fallback` when absent.
  base::Result<Template> templ(const toml::table& table, std::string_view key,
                               std::string_view fallback) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return Template::parse(fallback, known_);
    return templ(*node, key);
  }

  base::Result<Duration> duration(const toml::node& node, std::string_view key) const {
    base::Result<Duration> parsed = base::Status::invalid_argument("unset");
    if (const auto* text = node.as_string()) {
      parsed = parse_duration(text->get());
    } else if (node.is_number()) {
      parsed = parse_duration(fmt::format("{}", node.value<double>().value_or(0)));
    } else {
      return wrong_type(node, key, "a duration such as \"90s\" or \"2h\", or seconds");
    }
    if (!parsed.is_ok()) return errors_.error(node, key, parsed.status().message());
    return parsed;
  }

  base::Status parse_command(const toml::node& node, TrialConfig& config) const {
    if (const auto* script = node.as_string()) {
      if (!config.shell) {
        return errors_.error(node, "command",
                             "a string is a shell script; use an array of argv words, or set "
                             "shell = true");
      }
      QTUNE_ASSIGN_OR_RETURN(Template word, templ(*script, "command"));
      config.command.push_back(std::move(word));
      return base::Status::ok();
    }
    const auto* words = node.as_array();
    if (words == nullptr) return wrong_type(node, "command", "an array of strings (argv words)");
    if (words->empty()) {
      return errors_.error(node, "command", "is empty; give the program and its arguments");
    }
    for (const toml::node& word : *words) {
      QTUNE_ASSIGN_OR_RETURN(Template parsed, templ(word, "command"));
      config.command.push_back(std::move(parsed));
    }
    return base::Status::ok();
  }

  base::Status parse_env(const toml::node& node, TrialConfig& config) const {
    const auto* table = node.as_table();
    if (table == nullptr) return wrong_type(node, "env", "a table of strings, e.g. { OMP_NUM_THREADS = \"1\" }");
    for (const auto& [name, value] : *table) {
      const std::string key = fmt::format("env.{}", name.str());
      QTUNE_ASSIGN_OR_RETURN(Template parsed, templ(value, key));
      config.env.emplace_back(std::string(name.str()), std::move(parsed));
    }
    return base::Status::ok();
  }

  base::Result<MetricSource> metric(const toml::node& node) const {
    static constexpr std::string_view kForms =
        "use { regex = '...' }, { json = \"file\", key = \"name\" } or { builtin = \"fid\", "
        "reference = \"dir\", generated = \"dir\" }";
    const auto* table = node.as_table();
    if (table == nullptr) return wrong_type(node, "metric", fmt::format("a table: {}", kForms));
    if (table->contains("regex")) return regex_metric(*table);
    if (table->contains("json")) return json_metric(*table);
    if (table->contains("builtin")) return builtin_metric(*table);
    return errors_.error(node, "metric", fmt::format("no metric source given; {}", kForms));
  }

  base::Status only_keys(const toml::table& table, std::string_view prefix,
                         std::initializer_list<std::string_view> allowed) const {
    for (const auto& [key, value] : table) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
      std::string names;
      for (const std::string_view a : allowed) names += fmt::format("{}{}", names.empty() ? "" : ", ", a);
      return errors_.error(value, fmt::format("{}.{}", prefix, key.str()),
                           fmt::format("unknown key; this form takes {}", names));
    }
    return base::Status::ok();
  }

  base::Result<MetricSource> regex_metric(const toml::table& table) const {
    QTUNE_RETURN_IF_ERROR(only_keys(table, "metric", {"regex"}));
    const toml::node& node = *table.get("regex");
    const auto* pattern = node.as_string();
    if (pattern == nullptr) return wrong_type(node, "metric.regex", "a string");
    try {
      const std::regex compiled(pattern->get());
    } catch (const std::regex_error& e) {
      return errors_.error(node, "metric.regex",
                           fmt::format("does not compile ({}); use ECMAScript syntax such as "
                                       "'FID:\\s*(\\S+)'",
                                       e.what()));
    }
    return MetricSource{RegexMetric{pattern->get()}};
  }

  base::Result<MetricSource> json_metric(const toml::table& table) const {
    QTUNE_RETURN_IF_ERROR(only_keys(table, "metric", {"json", "key"}));
    JsonMetric metric;
    QTUNE_ASSIGN_OR_RETURN(metric.path, templ(*table.get("json"), "metric.json"));
    const toml::node* key = table.get("key");
    if (key == nullptr) {
      return errors_.error(table, "metric.key", "missing; name the JSON key that holds the metric");
    }
    const auto* text = key->as_string();
    if (text == nullptr || text->get().empty()) return wrong_type(*key, "metric.key", "a non-empty string");
    metric.key = text->get();
    return MetricSource{std::move(metric)};
  }

  base::Result<MetricSource> builtin_metric(const toml::table& table) const {
    QTUNE_RETURN_IF_ERROR(only_keys(table, "metric", {"builtin", "reference", "generated", "dims"}));
    BuiltinMetric metric;
    const toml::node& name_node = *table.get("builtin");
    const auto* name = name_node.as_string();
    if (name == nullptr) return wrong_type(name_node, "metric.builtin", "a string such as \"fid\"");
    const auto* found = std::find_if(kBuiltinNames.begin(), kBuiltinNames.end(),
                                     [&](const auto& entry) { return entry.first == name->get(); });
    if (found == kBuiltinNames.end()) {
      return errors_.error(name_node, "metric.builtin",
                           fmt::format("\"{}\" is unknown; use fid, kid, mse, psnr, ssim or correlation",
                                       name->get()));
    }
    metric.kind = found->second;
    for (const std::string_view key : {"reference", "generated"}) {
      const toml::node* node = table.get(key);
      if (node == nullptr) {
        return errors_.error(table, fmt::format("metric.{}", key),
                             "missing; give the folder as a template, e.g. \"{K}_{maxiter}/rec\"");
      }
      QTUNE_ASSIGN_OR_RETURN(Template parsed, templ(*node, fmt::format("metric.{}", key)));
      (key == "reference" ? metric.reference : metric.generated) = std::move(parsed);
    }
    if (const toml::node* dims = table.get("dims")) {
      const auto value = dims->value_exact<std::int64_t>();
      if (!value || (*value != 64 && *value != 192 && *value != 768 && *value != 2048)) {
        return errors_.error(*dims, "metric.dims", "use 64, 192, 768 or 2048");
      }
      metric.dims = static_cast<int>(*value);
    }
    return MetricSource{std::move(metric)};
  }

  ErrorContext errors_;
  std::vector<std::string> known_;
};

}  // namespace

std::string_view builtin_metric_name(BuiltinMetricKind kind) {
  for (const auto& [name, k] : kBuiltinNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

base::Result<TrialConfig> trial_from_toml(const toml::table& trial, const space::Space& space,
                                          std::string_view file) {
  return TrialParser(space, file).parse(trial, file);
}

}  // namespace qtune::exec
