#include "exec/trial_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>

#include "exec/file_tail.h"

extern char** environ;  // NOLINT: POSIX

namespace qtune::exec::detail {
namespace {

// docs/config.md "What happens to a trial's output".
constexpr std::size_t kTailLines = 20;
constexpr std::size_t kTailBytes = 4096;

// The last kTailLines lines (at most kTailBytes) of a log file.
std::string tail_of(const std::filesystem::path& path) {
  std::optional<FileTail> tail = read_file_tail(path, kTailBytes);
  if (!tail) return {};
  std::string& text = tail->text;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  std::size_t pos = text.size();
  for (std::size_t lines = 0; lines < kTailLines && pos != std::string::npos && pos > 0; ++lines) {
    pos = text.rfind('\n', pos - 1);
  }
  return pos == std::string::npos || pos == text.size() ? text : text.substr(pos + 1);
}

std::string upper(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::vector<std::string> trial_argv(const TrialConfig& config, const TemplateValues& values) {
  std::vector<std::string> argv;
  if (!config.shell) {
    for (const Template& word : config.command) argv.push_back(word.expand(values));
    return argv;
  }
  std::string script;
  for (const Template& word : config.command) {
    if (!script.empty()) script += ' ';
    script += word.expand(values, &shell_quote);
  }
  return {"/bin/sh", "-c", script};
}

}  // namespace qtune::exec::detail

namespace qtune::exec {

TemplateValues trial_values(const TrialSpec& spec) {
  TemplateValues values;
  for (const auto& [name, value] : spec.params) values[name] = value;
  values[std::string(kTrialIdPlaceholder)] = std::to_string(spec.number);
  values[std::string(kTrialDirPlaceholder)] = spec.dir.string();
  return values;
}

std::filesystem::path trial_workdir(const TrialConfig& config, const TemplateValues& values) {
  const std::filesystem::path dir(config.workdir.expand(values));
  const std::filesystem::path base =
      config.base_dir.empty() ? std::filesystem::current_path() : config.base_dir;
  return std::filesystem::absolute(dir.is_absolute() ? dir : base / dir).lexically_normal();
}

namespace {

// A word as the shell reads it back unchanged: quoted only when it needs to be, so that the
// line reads like the one a person would type.
std::string shell_word(std::string_view word) {
  const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("-_./=:,+@%").find(c) != std::string_view::npos;
  });
  return plain ? std::string(word) : shell_quote(word);
}

}  // namespace

std::string command_line(const TrialConfig& config, const TrialSpec& spec) {
  const TemplateValues values = trial_values(spec);
  std::filesystem::path workdir = trial_workdir(config, values);
  if (workdir.filename().empty() && workdir.has_parent_path()) workdir = workdir.parent_path();
  std::string line = "cd " + shell_word(workdir.string()) + " &&";
  for (const auto& [name, value] : config.env)
    line += " " + name + "=" + shell_word(value.expand(values));
  for (const std::string& word : detail::trial_argv(config, values)) line += " " + shell_word(word);
  return line;
}

}  // namespace qtune::exec

namespace qtune::exec::detail {

Variables trial_variables(const TrialConfig& config, const TrialSpec& spec,
                          const TemplateValues& values) {
  Variables added = {
      {"QTUNE_TRIAL_ID", std::to_string(spec.number)},
      {"QTUNE_TRIAL_DIR", spec.dir.string()},
  };
  for (const auto& [name, value] : spec.params)
    added.emplace_back("QTUNE_PARAM_" + upper(name), value);
  for (const auto& [name, value] : config.env) added.emplace_back(name, value.expand(values));
  return added;
}

std::vector<std::string> environment_with(const Variables& added) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const std::string_view name = entry.substr(0, entry.find('='));
    const bool overridden =
        std::any_of(added.begin(), added.end(), [&](const auto& a) { return a.first == name; });
    if (!overridden) env.emplace_back(entry);
  }
  for (const auto& [name, value] : added) env.push_back(name + "=" + value);
  return env;
}

base::Result<PreparedTrial> prepare_trial(const TrialConfig& config, const TrialSpec& spec) {
  std::error_code error;
  std::filesystem::create_directories(spec.dir, error);
  if (error) {
    return base::Status::io_error(fmt::format("{}: cannot create the trial directory: {}",
                                              spec.dir.string(), error.message()));
  }
  PreparedTrial prepared;
  prepared.values = trial_values(spec);
  prepared.workdir = trial_workdir(config, prepared.values);
  if (!std::filesystem::is_directory(prepared.workdir, error)) {
    prepared.failure =
        launch_failure(spec, fmt::format("workdir {} does not exist", prepared.workdir.string()));
  }
  return prepared;
}

FinishedTrial released_trial(TrialId id, std::string message, base::Duration elapsed) {
  TrialOutcome outcome;
  outcome.reason = FailureReason::kInterrupted;
  outcome.message = std::move(message);
  outcome.elapsed = elapsed;
  return {id, std::move(outcome)};
}

FinishedTrial launch_failure(const TrialSpec& spec, std::string message) {
  TrialOutcome outcome;
  outcome.reason = FailureReason::kLaunch;
  outcome.message = std::move(message);
  std::ofstream(spec.dir / "stderr.log", std::ios::app) << "qtune: " << outcome.message << '\n';
  outcome.log_tail = outcome.message;
  return {spec.id, std::move(outcome)};
}

TrialOutcome trial_outcome(const TrialConfig& config, const BuiltinMetricFunction& builtin,
                           const TrialSpec& spec, const std::filesystem::path& workdir,
                           const TemplateValues& values, const TrialEnd& end) {
  TrialOutcome outcome;
  outcome.elapsed = end.elapsed;
  outcome.exit_code = end.exit_code;
  outcome.signal = end.signal;
  if (end.stopped_for == FailureReason::kTimeout) {
    outcome.reason = FailureReason::kTimeout;
    outcome.message = fmt::format("timeout after {}", base::format_duration(config.timeout));
  } else if (end.stopped_for == FailureReason::kPruned) {
    outcome.reason = FailureReason::kPruned;
    outcome.message = "pruned by qtune";
  } else if (end.stopped_for == FailureReason::kInterrupted) {
    outcome.reason = FailureReason::kInterrupted;
    outcome.message = "interrupted by qtune";
  } else if (outcome.signal != 0) {
    outcome.reason = FailureReason::kSignal;
    outcome.message = fmt::format("killed by {}", signal_name(outcome.signal));
  } else if (outcome.exit_code != 0) {
    outcome.reason = FailureReason::kExitCode;
    outcome.message = fmt::format("exit status {}", outcome.exit_code);
  } else {
    const MetricReading reading =
        read_metric(config.metric, {spec.dir / "stdout.log", workdir, values}, builtin);
    outcome.reason = reading.reason;
    outcome.message = reading.message;
    if (reading.reason == FailureReason::kNone) {
      outcome.value = reading.value;
      outcome.components = reading.components;
    }
  }
  if (!outcome.ok()) outcome.log_tail = trial_log_tail(spec);
  return outcome;
}

std::string trial_log_tail(const TrialSpec& spec) {
  std::string tail = tail_of(spec.dir / "stderr.log");
  return tail.empty() ? tail_of(spec.dir / "stdout.log") : tail;
}

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev != nullptr ? fmt::format("SIG{}", abbrev) : fmt::format("signal {}", sig);
}

}  // namespace qtune::exec::detail
