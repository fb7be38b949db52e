#include "qtune/exec/trial_config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "base/names.h"
#include "base/toml_reader.h"
#include "exec/metric_source.h"
#include "qtune/exec/progress.h"

namespace qtune::exec {
namespace {

// Builds "file:line: [trial] key: what" errors; one per parse.
class ErrorContext {
 public:
  explicit ErrorContext(std::string_view file) : file_(file) {}
  base::Status error(const toml::node& node, std::string_view key, std::string_view what) const {
    return base::toml_error(file_, node, fmt::format("[trial] {}: {}", key, what));
  }

 private:
  std::string_view file_;
};

constexpr base::Names<BuiltinMetricKind, 14> kBuiltinNames{
    {{{BuiltinMetricKind::kFid, "fid"},
      {BuiltinMetricKind::kKid, "kid"},
      {BuiltinMetricKind::kMse, "mse"},
      {BuiltinMetricKind::kPsnr, "psnr"},
      {BuiltinMetricKind::kSsim, "ssim"},
      {BuiltinMetricKind::kCorrelation, "correlation"},
      {BuiltinMetricKind::kPixcorr, "pixcorr"},
      {BuiltinMetricKind::kSsimMindeye, "ssim_mindeye"},
      {BuiltinMetricKind::kAlexnet2, "alexnet2"},
      {BuiltinMetricKind::kAlexnet5, "alexnet5"},
      {BuiltinMetricKind::kInception2way, "inception2way"},
      {BuiltinMetricKind::kClip2way, "clip2way"},
      {BuiltinMetricKind::kEffnet, "effnet"},
      {BuiltinMetricKind::kSwav, "swav"}}}};

// The networks a built-in metric's weights_for may name (metrics::table_weight_names(),
// which exec cannot see).
constexpr std::array<std::string_view, 5> kWeightNames{"alexnet", "inception_v3", "efficientnet_b1",
                                                       "swav_resnet50", "clip_vit_l14"};

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
    const toml::node* slurm = nullptr;
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
      } else if (k == "progress") {
        QTUNE_ASSIGN_OR_RETURN(config.progress, progress(node));
      } else if (k == "executor") {
        const auto* value = node.as_string();
        if (value == nullptr || (value->get() != "local" && value->get() != "slurm")) {
          return errors_.error(node, k, "use \"local\" (this machine) or \"slurm\" (sbatch jobs)");
        }
        config.executor = value->get() == "slurm" ? ExecutorKind::kSlurm : ExecutorKind::kLocal;
      } else if (k == "slurm") {
        slurm = &node;
      } else {
        return errors_.error(node, k,
                             "unknown key; use command, shell, workdir, timeout, kill_grace, env, "
                             "metric, progress, executor or [trial.slurm]");
      }
    }
    config.slurm.time = config.timeout;
    if (slurm != nullptr) QTUNE_RETURN_IF_ERROR(parse_slurm(*slurm, config.slurm));
    if (command == nullptr) {
      return errors_.error(trial, "command",
                           "missing; give the argv words, e.g. command = [\"python3\", "
                           "\"train.py\", \"{K}\"]");
    }
    QTUNE_RETURN_IF_ERROR(parse_command(*command, config));
    return config;
  }

 private:
  base::Status wrong_type(const toml::node& node, std::string_view key,
                          std::string_view want) const {
    return errors_.error(
        node, key, fmt::format("{} is the wrong type; use {}", base::toml_type_name(node), want));
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

  base::Result<base::Duration> duration(const toml::node& node, std::string_view key) const {
    base::Result<base::Duration> parsed = base::Status::invalid_argument("unset");
    if (const auto* text = node.as_string()) {
      parsed = base::parse_duration(text->get());
    } else if (node.is_number()) {
      const base::Result<double> seconds = base::toml_real(node, key, "");
      if (!seconds.is_ok()) {
        return errors_.error(node, key, "too many seconds; use a duration such as \"2h\"");
      }
      parsed = base::parse_duration(fmt::format("{}", *seconds));
    } else {
      return wrong_type(node, key, "a duration such as \"90s\" or \"2h\", or seconds");
    }
    if (!parsed.is_ok()) return errors_.error(node, key, parsed.status().message());
    return parsed;
  }

  base::Status parse_command(const toml::node& node, TrialConfig& config) const {
    if (const auto* script = node.as_string()) {
      if (script->get().find_first_not_of(" \t\n") == std::string::npos) {
        return errors_.error(node, "command", "the script is empty; give the shell command to run");
      }
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
      if (config.command.empty() && parsed.text().empty()) {
        return errors_.error(word, "command",
                             "the program (the first word) is empty; name it, e.g. \"python3\"");
      }
      config.command.push_back(std::move(parsed));
    }
    return base::Status::ok();
  }

  base::Status parse_env(const toml::node& node, TrialConfig& config) const {
    const auto* table = node.as_table();
    if (table == nullptr)
      return wrong_type(node, "env", "a table of strings, e.g. { OMP_NUM_THREADS = \"1\" }");
    for (const auto& [name, value] : *table) {
      const std::string key = fmt::format("env.{}", name.str());
      QTUNE_ASSIGN_OR_RETURN(Template parsed, templ(value, key));
      config.env.emplace_back(std::string(name.str()), std::move(parsed));
    }
    return base::Status::ok();
  }

  // A non-empty string; `spaces` false also refuses whitespace (sbatch option values).
  base::Result<std::string> text(const toml::node& node, std::string_view key, bool spaces) const {
    const auto* value = node.as_string();
    if (value == nullptr) return wrong_type(node, key, "a string");
    const std::string& s = value->get();
    if (s.empty() || (!spaces && s.find_first_of(" \t\n") != std::string::npos)) {
      return errors_.error(node, key,
                           fmt::format("\"{}\" is invalid; use a non-empty {}", s,
                                       spaces ? "string" : "word without spaces"));
    }
    return s;
  }

  static bool all_digits(std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
  }

  base::Status parse_slurm(const toml::node& node, SlurmConfig& slurm) const {
    const auto* table = node.as_table();
    if (table == nullptr) return wrong_type(node, "slurm", "a table: [trial.slurm]");
    const std::pair<std::string_view, std::string*> words[] = {{"partition", &slurm.partition},
                                                               {"gres", &slurm.gres},
                                                               {"account", &slurm.account},
                                                               {"qos", &slurm.qos}};
    const std::pair<std::string_view, std::string*> programs[] = {{"sbatch", &slurm.sbatch},
                                                                  {"squeue", &slurm.squeue},
                                                                  {"scancel", &slurm.scancel},
                                                                  {"scontrol", &slurm.scontrol},
                                                                  {"sacct", &slurm.sacct}};
    for (const auto& [key, value] : *table) {
      const std::string_view k = key.str();
      const std::string name = fmt::format("slurm.{}", k);
      const auto word = std::find_if(std::begin(words), std::end(words),
                                     [&](const auto& w) { return w.first == k; });
      const auto program = std::find_if(std::begin(programs), std::end(programs),
                                        [&](const auto& p) { return p.first == k; });
      if (word != std::end(words)) {
        QTUNE_ASSIGN_OR_RETURN(*word->second, text(value, name, false));
      } else if (program != std::end(programs)) {
        QTUNE_ASSIGN_OR_RETURN(*program->second, text(value, name, true));
      } else if (k == "time") {
        QTUNE_ASSIGN_OR_RETURN(slurm.time, duration(value, name));
      } else if (k == "poll_interval") {
        QTUNE_ASSIGN_OR_RETURN(slurm.poll_interval, duration(value, name));
      } else if (k == "max_pending") {
        QTUNE_ASSIGN_OR_RETURN(slurm.max_pending, duration(value, name));
      } else if (k == "cpus_per_task") {
        const auto cpus = value.value_exact<std::int64_t>();
        if (!cpus || *cpus < 1 || *cpus > 1'000'000)
          return errors_.error(value, name, "use an integer from 1 to 1000000");
        slurm.cpus_per_task = static_cast<std::uint32_t>(*cpus);
      } else if (k == "mem") {
        QTUNE_ASSIGN_OR_RETURN(slurm.mem, text(value, name, false));
        const std::string_view digits = std::string_view(slurm.mem).substr(
            0, slurm.mem.size() -
                   (std::string_view("KMGT").find(slurm.mem.back()) != std::string_view::npos));
        if (!all_digits(digits)) {
          return errors_.error(value, name,
                               fmt::format("\"{}\" is not a size; use megabytes or a K, M, G or T "
                                           "suffix, e.g. \"16G\"",
                                           slurm.mem));
        }
      } else if (k == "gpus_per_task") {
        const auto count = value.value_exact<std::int64_t>();
        std::string gpus = count ? std::to_string(*count) : value.value_or(std::string());
        const std::string_view number = std::string_view(gpus).substr(gpus.rfind(':') + 1);
        if (!all_digits(number) || number.starts_with('0') || gpus.starts_with(':') ||
            gpus.find_first_of(" \t\n") != std::string::npos) {
          return errors_.error(value, name,
                               "use a count >= 1, or \"type:count\" such as \"a100:1\"");
        }
        slurm.gpus_per_task = std::move(gpus);
      } else if (k == "extra") {
        QTUNE_RETURN_IF_ERROR(parse_extra(value, slurm));
      } else {
        return errors_.error(
            value, name,
            "unknown key; use partition, time, cpus_per_task, mem, gres, gpus_per_task, "
            "account, qos, extra, poll_interval, max_pending, sbatch, squeue, scancel, scontrol "
            "or sacct");
      }
    }
    return base::Status::ok();
  }

  base::Status parse_extra(const toml::node& node, SlurmConfig& slurm) const {
    // The executor relies on these (job name, files, environment, --parsable output).
    static constexpr std::string_view kOwn[] = {
        "--parsable", "--job-name", "-J", "--chdir",     "-D",      "--output",
        "-o",         "--error",    "-e", "--export",    "--wrap",  "--array",
        "-a",         "--wait",     "-W", "--open-mode", "--input", "-i"};
    const auto* words = node.as_array();
    if (words == nullptr)
      return wrong_type(node, "slurm.extra",
                        "an array of sbatch options, e.g. [\"--constraint=a100\"]");
    for (const toml::node& word : *words) {
      QTUNE_ASSIGN_OR_RETURN(std::string option, text(word, "slurm.extra", true));
      const std::string_view flag = std::string_view(option).substr(0, option.find('='));
      if (!option.starts_with('-')) {
        return errors_.error(
            word, "slurm.extra",
            fmt::format("\"{}\" is not an option; each word is one sbatch option starting "
                        "with \"-\", e.g. \"--constraint=a100\"",
                        option));
      }
      if (std::find(std::begin(kOwn), std::end(kOwn), flag) != std::end(kOwn)) {
        return errors_.error(
            word, "slurm.extra",
            fmt::format("\"{}\" is set by qtune for every trial; remove it", flag));
      }
      slurm.extra.push_back(std::move(option));
    }
    return base::Status::ok();
  }

  base::Result<MetricSource> metric(const toml::node& node) const {
    static constexpr std::string_view kForms =
        "use { regex = '...' }, { json = \"file\", key = \"name\" }, { builtin = \"fid\", "
        "reference = \"dir\", generated = \"dir\" } or { combine = [{ builtin = \"fid\", weight = "
        "1 }, ...], reference = \"dir\", generated = \"dir\" }";
    const auto* table = node.as_table();
    if (table == nullptr) return wrong_type(node, "metric", fmt::format("a table: {}", kForms));
    if (table->contains("regex")) return regex_metric(*table);
    if (table->contains("json")) return json_metric(*table);
    if (table->contains("builtin")) return builtin_metric(*table);
    if (table->contains("combine")) return combined_metric(*table);
    return errors_.error(node, "metric", fmt::format("no metric source given; {}", kForms));
  }

  base::Result<ProgressSource> progress(const toml::node& node) const {
    static constexpr std::string_view kForms =
        "use { regex = 'epoch (\\d+).*loss: (\\S+)' } (step, value) or { jsonl = \"file\", "
        "step = \"epoch\", value = \"loss\" }";
    const auto* table = node.as_table();
    if (table == nullptr) return wrong_type(node, "progress", fmt::format("a table: {}", kForms));
    if (table->contains("regex")) {
      QTUNE_RETURN_IF_ERROR(only_keys(*table, "progress", {"regex"}));
      const toml::node& regex = *table->get("regex");
      const auto* pattern = regex.as_string();
      if (pattern == nullptr) return wrong_type(regex, "progress.regex", "a string");
      const base::Status usable = check_progress_regex(pattern->get());
      if (!usable.is_ok()) return errors_.error(regex, "progress.regex", usable.message());
      return ProgressSource{RegexProgress{pattern->get()}};
    }
    if (table->contains("jsonl")) {
      QTUNE_RETURN_IF_ERROR(only_keys(*table, "progress", {"jsonl", "step", "value"}));
      JsonLinesProgress jsonl;
      QTUNE_ASSIGN_OR_RETURN(jsonl.path, templ(*table->get("jsonl"), "progress.jsonl"));
      for (const std::string_view key : {"step", "value"}) {
        const toml::node* name = table->get(key);
        if (name == nullptr) continue;
        const auto* text = name->as_string();
        if (text == nullptr || text->get().empty())
          return wrong_type(*name, fmt::format("progress.{}", key), "a non-empty string");
        (key == "step" ? jsonl.step : jsonl.value) = text->get();
      }
      return ProgressSource{std::move(jsonl)};
    }
    return errors_.error(node, "progress", fmt::format("no progress source given; {}", kForms));
  }

  base::Status only_keys(const toml::table& table, std::string_view prefix,
                         std::initializer_list<std::string_view> allowed) const {
    for (const auto& [key, value] : table) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
      std::string names;
      for (const std::string_view a : allowed)
        names += fmt::format("{}{}", names.empty() ? "" : ", ", a);
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
    const base::Status usable = check_metric_regex(pattern->get());
    if (!usable.is_ok()) return errors_.error(node, "metric.regex", usable.message());
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
    if (text == nullptr || text->get().empty())
      return wrong_type(*key, "metric.key", "a non-empty string");
    metric.key = text->get();
    return MetricSource{std::move(metric)};
  }

  base::Result<MetricSource> builtin_metric(const toml::table& table) const {
    QTUNE_RETURN_IF_ERROR(
        only_keys(table, "metric", {"builtin", "reference", "generated", "dims", "weights_for"}));
    QTUNE_ASSIGN_OR_RETURN(BuiltinMetric metric, builtin_fields(table, nullptr, "metric"));
    return MetricSource{std::move(metric)};
  }

  // metric = { combine = [ { builtin = "fid", weight = 1 }, ... ], reference = ..., ... }: the
  // keys beside combine are what every component takes unless it gives its own.
  base::Result<MetricSource> combined_metric(const toml::table& table) const {
    QTUNE_RETURN_IF_ERROR(
        only_keys(table, "metric", {"combine", "reference", "generated", "dims", "weights_for"}));
    const toml::node& node = *table.get("combine");
    const auto* array = node.as_array();
    static constexpr std::string_view kWant =
        "an array of at least two tables such as { builtin = \"fid\", weight = 1 }";
    if (array == nullptr) return wrong_type(node, "metric.combine", kWant);
    if (array->size() < 2) {
      return errors_.error(node, "metric.combine",
                           fmt::format("has {} metric(s); use {} (one metric: metric = {{ "
                                       "builtin = ... }})",
                                       array->size(), kWant));
    }
    CombinedMetric combined;
    for (std::size_t i = 0; i < array->size(); ++i) {
      const std::string where = fmt::format("metric.combine[{}]", i);
      const toml::node& item_node = *array->get(i);
      const auto* item = item_node.as_table();
      if (item == nullptr) return wrong_type(item_node, where, kWant);
      QTUNE_RETURN_IF_ERROR(only_keys(
          *item, where, {"builtin", "weight", "reference", "generated", "dims", "weights_for"}));
      if (!item->contains("builtin")) {
        return errors_.error(
            *item, where + ".builtin",
            fmt::format("missing; name a built-in metric: {}", kBuiltinNames.list("")));
      }
      CombinedComponent component;
      QTUNE_ASSIGN_OR_RETURN(component.metric, builtin_fields(*item, &table, where));
      if (const toml::node* weight = item->get("weight")) {
        const std::optional<double> value =
            weight->is_integer() ? std::optional<double>(static_cast<double>(
                                       weight->value_exact<std::int64_t>().value_or(0)))
                                 : weight->value_exact<double>();
        if (!value || !(*value > 0) || !std::isfinite(*value)) {
          return errors_.error(*weight, where + ".weight", "use a number > 0, e.g. 1");
        }
        component.weight = *value;
      }
      const std::string_view name = builtin_metric_name(component.metric.kind);
      if (std::find(known_.begin(), known_.end(), name) != known_.end()) {
        return errors_.error(
            item_node, where + ".builtin",
            fmt::format("\"{}\" is also a dimension's name, and each component is a column of "
                        "`qtune export` beside the parameters; rename the dimension",
                        name));
      }
      for (const CombinedComponent& earlier : combined.components) {
        if (earlier.metric.kind != component.metric.kind) continue;
        return errors_.error(
            item_node, where + ".builtin",
            fmt::format("\"{}\" is combined twice; name each metric once (its name is its "
                        "column in status and export)",
                        builtin_metric_name(component.metric.kind)));
      }
      combined.components.push_back(std::move(component));
    }
    return MetricSource{std::move(combined)};
  }

  // A built-in metric's keys from `table`, each one it lacks from `shared` (the combine table of
  // a component; nullptr for a lone metric); `where` names it in messages.
  base::Result<BuiltinMetric> builtin_fields(const toml::table& table, const toml::table* shared,
                                             const std::string& where) const {
    const auto field = [&](std::string_view key) -> const toml::node* {
      const toml::node* node = table.get(key);
      return node == nullptr && shared != nullptr ? shared->get(key) : node;
    };
    BuiltinMetric metric;
    const toml::node& name_node = *table.get("builtin");
    const auto* name = name_node.as_string();
    if (name == nullptr)
      return wrong_type(name_node, where + ".builtin", "a string such as \"fid\"");
    const std::optional<BuiltinMetricKind> kind = kBuiltinNames.parse(name->get());
    if (!kind) {
      return errors_.error(
          name_node, where + ".builtin",
          fmt::format("\"{}\" is unknown; use {}", name->get(), kBuiltinNames.list("")));
    }
    metric.kind = *kind;
    for (const std::string_view key : {"reference", "generated"}) {
      const toml::node* node = field(key);
      if (node == nullptr) {
        return errors_.error(table, fmt::format("{}.{}", where, key),
                             fmt::format("missing; give the folder as a template, e.g. "
                                         "\"{{K}}_{{maxiter}}/rec\"{}",
                                         shared != nullptr ? ", here or beside combine" : ""));
      }
      QTUNE_ASSIGN_OR_RETURN(Template parsed, templ(*node, fmt::format("{}.{}", where, key)));
      (key == "reference" ? metric.reference : metric.generated) = std::move(parsed);
    }
    if (const toml::node* dims = field("dims")) {
      const auto value = dims->value_exact<std::int64_t>();
      if (!value || (*value != 64 && *value != 192 && *value != 768 && *value != 2048)) {
        return errors_.error(*dims, where + ".dims", "use 64, 192, 768 or 2048");
      }
      metric.dims = static_cast<int>(*value);
    }
    if (const toml::node* weights = field("weights_for")) {
      const toml::table* entries = weights->as_table();
      if (entries == nullptr) {
        return wrong_type(*weights, where + ".weights_for",
                          "a table such as { alexnet = \"alexnet-owt-7be5be79.pth\" }");
      }
      for (const auto& [key, value] : *entries) {
        const std::string network(key.str());
        const std::string at = fmt::format("{}.weights_for.{}", where, network);
        if (std::find(kWeightNames.begin(), kWeightNames.end(), network) == kWeightNames.end()) {
          return errors_.error(
              value, at,
              fmt::format("unknown network; name one of {}", fmt::join(kWeightNames, ", ")));
        }
        const auto* path = value.as_string();
        if (path == nullptr || path->get().empty())
          return wrong_type(value, at, "the path of a .pth file");
        metric.weights_for.emplace_back(network, path->get());
      }
    }
    return metric;
  }

  ErrorContext errors_;
  std::vector<std::string> known_;
};

// A dimension named like a placeholder ({trial_id}, {trial_dir}) would make its templates
// ambiguous.
base::Status check_dimension_names(const toml::table& root, const space::Space& space,
                                   std::string_view file) {
  for (const space::Dimension& dim : space.dimensions()) {
    if (dim.name != kTrialIdPlaceholder && dim.name != kTrialDirPlaceholder) continue;
    const toml::node* node = root.at_path("space").as_table() != nullptr
                                 ? root.at_path("space").as_table()->get(dim.name)
                                 : nullptr;
    const std::string what = fmt::format(
        "[space] {}: the name is reserved for the {{{}}} placeholder of [trial]; rename the "
        "dimension, e.g. \"{}_\"",
        dim.name, dim.name, dim.name);
    if (node == nullptr) return base::Status::invalid_argument(fmt::format("{}: {}", file, what));
    return base::toml_error(file, *node, what);
  }
  return base::Status::ok();
}

}  // namespace

std::string_view builtin_metric_name(BuiltinMetricKind kind) { return kBuiltinNames.name(kind); }

bool builtin_metric_maximize(BuiltinMetricKind kind) {
  switch (kind) {  // no default: a new metric must say its direction here
    case BuiltinMetricKind::kFid:
    case BuiltinMetricKind::kKid:
    case BuiltinMetricKind::kMse:
    case BuiltinMetricKind::kEffnet:
    case BuiltinMetricKind::kSwav:
      return false;
    case BuiltinMetricKind::kPsnr:
    case BuiltinMetricKind::kSsim:
    case BuiltinMetricKind::kCorrelation:
    case BuiltinMetricKind::kPixcorr:
    case BuiltinMetricKind::kSsimMindeye:
    case BuiltinMetricKind::kAlexnet2:
    case BuiltinMetricKind::kAlexnet5:
    case BuiltinMetricKind::kInception2way:
    case BuiltinMetricKind::kClip2way:
      return true;
  }
  return false;
}

base::Result<std::optional<TrialConfig>> parse_trial(std::string_view toml_text,
                                                     const space::Space& space,
                                                     std::string_view file) {
  QTUNE_ASSIGN_OR_RETURN(const toml::table root, base::parse_toml(toml_text, file));
  QTUNE_ASSIGN_OR_RETURN(const toml::table* trial, base::toml_table(root, "trial", file));
  if (trial == nullptr) return std::optional<TrialConfig>();
  QTUNE_RETURN_IF_ERROR(check_dimension_names(root, space, file));
  QTUNE_ASSIGN_OR_RETURN(TrialConfig config, TrialParser(space, file).parse(*trial, file));
  return std::optional<TrialConfig>(std::move(config));
}

}  // namespace qtune::exec
