#include "cli/study_output.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>

#include "base/names.h"
#include "cli/study_source.h"
#include "qtune/base/duration.h"
#include "qtune/study/combined_metric.h"

namespace qtune::cli {
namespace {

constexpr base::Names<OutputFormat, 3> kFormats{{{{OutputFormat::kTable, "table"},
                                                  {OutputFormat::kJson, "json"},
                                                  {OutputFormat::kCsv, "csv"}}}};

// A stored value's text as JSON when its type is not known: an integer, a number, or text.
nlohmann::ordered_json typed_from_text(const std::string& text) {
  std::int64_t i = 0;
  if (auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
      ec == std::errc{} && end == text.data() + text.size() && !text.empty()) {
    return i;
  }
  double d = 0;
  if (auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
      ec == std::errc{} && end == text.data() + text.size() && !text.empty() && std::isfinite(d)) {
    return d;
  }
  return text;
}

// The parameters of `state` typed as the space has them (the stored text when the space is
// not known or does not match the record).
nlohmann::ordered_json params_json(const std::vector<store::Param>& params, space::StateId state,
                                   const space::Space* space) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  const bool typed = space != nullptr && state < space->size() && space->dims() == params.size();
  for (std::size_t k = 0; k < params.size(); ++k) {
    const store::Param& p = params[k];
    if (typed && space->dimension(k).name == p.name) {
      std::visit([&](const auto& v) { out[p.name] = v; }, space->value(state, k));
    } else {
      out[p.name] = typed_from_text(p.value);
    }
  }
  return out;
}

nlohmann::ordered_json optional_time(const std::optional<double>& seconds) {
  return seconds ? nlohmann::ordered_json(iso_time(*seconds)) : nlohmann::ordered_json(nullptr);
}

// A combined metric's components: {"fid": 12.5, "alexnet2": 0.81}.
nlohmann::ordered_json components_json(const std::vector<MetricComponent>& components) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const MetricComponent& c : components) out[c.name] = c.value;
  return out;
}

// "fid 12.5, alexnet2 0.81" (6 significant digits: the exact values are in JSON and CSV).
std::string components_text(const std::vector<MetricComponent>& components) {
  std::string out;
  for (const MetricComponent& c : components)
    out += fmt::format("{}{} {:.6g}", out.empty() ? "" : ", ", c.name, c.value);
  return out;
}

// Each trial's combined loss now; all nullopt without a combined metric.
std::vector<std::optional<double>> loss_now(const std::vector<store::TrialRecord>& trials) {
  if (!study::has_components(trials)) return std::vector<std::optional<double>>(trials.size());
  return study::combined_loss_now(trials);
}

// `now`: its combined loss now, written beside its components.
nlohmann::ordered_json trial_json(const store::TrialRecord& t, const space::Space* space,
                                  std::optional<double> now = std::nullopt) {
  nlohmann::ordered_json out;
  out["number"] = t.number;
  out["state"] = store::trial_state_name(t.state);
  out["params"] = params_json(t.params, t.state_id, space);
  out["value"] = t.value ? nlohmann::ordered_json(*t.value) : nlohmann::ordered_json(nullptr);
  if (!t.components.empty()) out["components"] = components_json(t.components);
  if (now) out["loss_now"] = *now;
  out["failure_reason"] = t.failure_reason;
  out["log_tail"] = t.log_tail;
  out["remeasure"] = t.remeasure;
  out["worker"] = t.worker;
  out["attempt"] = t.attempt;
  out["retries"] = t.retries;
  out["source"] = t.source;
  out["created_at"] = iso_time(t.created_at);
  out["started_at"] = iso_time(t.started_at);
  out["finished_at"] = optional_time(t.finished_at);
  return out;
}

// RFC 4180: quoted when it holds a comma, quote or line break.
std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (const char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Full precision: CSV and JSON, read by programs.
std::string value_text(const std::optional<double>& value) {
  return value ? fmt::format("{}", *value) : std::string();
}

// Six significant digits, as the progress line: the text views, read by people (a combined
// loss of 1/24 reads 0.0416667, not 0.041666666666666664).
std::string value_display(const std::optional<double>& value) {
  return value ? fmt::format("{:.6g}", *value) : std::string();
}

}  // namespace

std::string iso_time(double seconds) {
  const double whole = std::floor(seconds);
  auto millis = static_cast<int>(std::lround((seconds - whole) * 1000.0));
  auto t = static_cast<std::time_t>(whole);
  if (millis == 1000) {
    millis = 0;
    ++t;
  }
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", fmt::gmtime(t), millis);
}

base::Result<OutputFormat> parse_output_format(std::string_view text) {
  if (const auto format = kFormats.parse(text)) return *format;
  return base::Status::invalid_argument(
      fmt::format("--format {}: unknown; use {}", text, kFormats.list("")));
}

std::string format_best(const study::BestTrial& best, OutputFormat format,
                        const space::Space* space) {
  if (format == OutputFormat::kJson) {
    nlohmann::ordered_json out;
    out["number"] = best.number;
    out["value"] = best.value;
    out["measurements"] = best.measurements;
    out["params"] = params_json(best.params, best.state, space);
    if (!best.components.empty()) out["components"] = components_json(best.components);
    return out.dump(2) + "\n";
  }
  if (format == OutputFormat::kCsv) {
    std::string header = "number,value";
    std::string row = fmt::format("{},{}", best.number, best.value);
    for (const store::Param& p : best.params) {
      header += "," + csv_field(p.name);
      row += "," + csv_field(p.value);
    }
    return header + "\n" + row + "\n";
  }
  const std::string what = best.components.empty() ? "value" : "combined loss now";
  std::string out =
      best.measurements > 1
          ? fmt::format("best {}: {:.6g} (mean of {} measurements; trial {})\n", what, best.value,
                        best.measurements, best.number)
          : fmt::format("best {}: {:.6g} (trial {})\n", what, best.value, best.number);
  for (const store::Param& p : best.params) out += fmt::format("  {} = {}\n", p.name, p.value);
  if (!best.components.empty())
    out += fmt::format("  metrics: {}\n", components_text(best.components));
  return out;
}

std::string format_pareto(const std::vector<store::TrialRecord>& trials,
                          const std::vector<std::size_t>& front, OutputFormat format,
                          const space::Space* space) {
  const std::vector<std::optional<double>> now = loss_now(trials);
  const std::size_t complete = static_cast<std::size_t>(
      std::count_if(trials.begin(), trials.end(), [](const store::TrialRecord& t) {
        return t.state == store::TrialState::kComplete && !t.components.empty();
      }));
  // The components compared: the latest COMPLETE trial's, as pareto_front compares them.
  std::vector<MetricComponent> compared;
  std::int64_t latest = -1;
  for (const store::TrialRecord& t : trials) {
    if (t.state != store::TrialState::kComplete || t.components.empty() || t.number < latest)
      continue;
    latest = t.number;
    compared = t.components;
  }
  if (format == OutputFormat::kJson) {
    nlohmann::ordered_json out;
    out["components"] = nlohmann::ordered_json::array();
    for (const MetricComponent& c : compared)
      out["components"].push_back({{"name", c.name}, {"maximize", c.maximize}});
    out["complete"] = complete;
    out["trials"] = nlohmann::ordered_json::array();
    for (const std::size_t i : front) {
      const store::TrialRecord& t = trials[i];
      nlohmann::ordered_json trial;
      trial["number"] = t.number;
      trial["value"] = t.value ? nlohmann::ordered_json(*t.value) : nlohmann::ordered_json(nullptr);
      trial["loss_now"] =
          now[i] ? nlohmann::ordered_json(*now[i]) : nlohmann::ordered_json(nullptr);
      trial["components"] = components_json(t.components);
      trial["params"] = params_json(t.params, t.state_id, space);
      out["trials"].push_back(std::move(trial));
    }
    return out.dump(2) + "\n";
  }
  if (format == OutputFormat::kCsv) {
    std::string out = "number,loss_now";
    for (const MetricComponent& c : compared) out += "," + csv_field(c.name);
    if (!front.empty()) {
      for (const store::Param& p : trials[front.front()].params) out += "," + csv_field(p.name);
    }
    out += "\n";
    for (const std::size_t i : front) {
      const store::TrialRecord& t = trials[i];
      out += fmt::format("{},{}", t.number, value_text(now[i]));
      for (const MetricComponent& c : compared)
        out += "," + value_text(study::component_value(t, c.name));
      for (const store::Param& p : t.params) out += "," + csv_field(p.value);
      out += "\n";
    }
    return out;
  }
  std::string over;
  for (const MetricComponent& c : compared) {
    over += fmt::format("{}{} ({} is better)", over.empty() ? "" : ", ", c.name,
                        c.maximize ? "higher" : "lower");
  }
  std::string out =
      fmt::format("Pareto front over {}: {} of {} complete trials\n", over, front.size(), complete);
  for (const std::size_t i : front) {
    const store::TrialRecord& t = trials[i];
    out +=
        fmt::format("  trial {}: {}; loss now {} ({})\n", t.number, components_text(t.components),
                    value_display(now[i]), describe_params(t.params));
  }
  return out;
}

std::string trials_csv(const std::vector<store::TrialRecord>& trials) {
  std::string out = fmt::format("{}", fmt::join(study::kTrialKeyColumns, ","));
  if (!trials.empty()) {
    for (const store::Param& p : trials.front().params) out += "," + csv_field(p.name);
  }
  out += fmt::format(",{}", fmt::join(study::kTrialRecordColumns, ","));
  // A combined metric: each trial's loss now, then one column per component.
  const std::vector<std::string> components = study::component_names(trials);
  const std::vector<std::optional<double>> now =
      components.empty() ? std::vector<std::optional<double>>() : study::combined_loss_now(trials);
  if (!components.empty()) out += ",loss_now";
  for (const std::string& name : components) out += "," + csv_field(name);
  out += "\n";
  for (std::size_t i = 0; i < trials.size(); ++i) {
    const store::TrialRecord& t = trials[i];
    out += fmt::format("{},{}", t.number, store::trial_state_name(t.state));
    for (const store::Param& p : t.params) out += "," + csv_field(p.value);
    out += fmt::format(",{},{},{},{},{},{},{}", value_text(t.value), csv_field(t.failure_reason),
                       iso_time(t.started_at), t.finished_at ? iso_time(*t.finished_at) : "",
                       csv_field(t.worker), t.attempt, csv_field(t.source));
    if (!components.empty()) out += "," + value_text(now[i]);
    for (const std::string& name : components)
      out += "," + value_text(study::component_value(t, name));
    out += "\n";
  }
  return out;
}

std::string trials_json(const std::vector<store::TrialRecord>& trials, const space::Space* space) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  const std::vector<std::optional<double>> now = loss_now(trials);
  for (std::size_t i = 0; i < trials.size(); ++i)
    out.push_back(trial_json(trials[i], space, now[i]));
  return out.dump(2) + "\n";
}

namespace {

// The numbers of the RUNNING trials of `worker`, "3 7" (or "-").
std::string running_trials_of(const std::vector<store::TrialRecord>& trials,
                              const std::string& worker) {
  std::string out;
  for (const store::TrialRecord& t : trials) {
    if (t.state == store::TrialState::kRunning && t.worker == worker)
      out += (out.empty() ? "" : " ") + std::to_string(t.number);
  }
  return out.empty() ? "-" : out;
}

std::string slurm_job_of(const StatusExtras& extras, std::int64_t number) {
  const auto found = extras.slurm_jobs.find(number);
  return found == extras.slurm_jobs.end() ? std::string() : found->second;
}

// "  (Slurm job 12 PENDING: BeginTime)", "  (Slurm job 12 RUNNING)", "  (Slurm job 12)" or "".
std::string slurm_job_text(const StatusExtras& extras, std::int64_t number) {
  const std::string job = slurm_job_of(extras, number);
  if (job.empty()) return "";
  const auto state = extras.slurm_states.find(number);
  if (state == extras.slurm_states.end()) return "  (Slurm job " + job + ")";
  const std::string& reason = state->second.reason;
  return fmt::format("  (Slurm job {} {}{})", job, state->second.state,
                     reason.empty() || reason == "None" ? "" : ": " + reason);
}

}  // namespace

std::string format_status(const store::StudyRecord& study,
                          const std::vector<store::TrialRecord>& trials, OutputFormat format,
                          const space::Space* space, const StatusExtras& extras) {
  const double seconds_saved = extras.pruning_seconds_saved;
  std::map<std::string_view, std::size_t> counts;
  for (const std::string_view s : {"COMPLETE", "FAILED", "RUNNING", "INTERRUPTED", "PRUNED"})
    counts[s] = 0;
  std::size_t imported = 0;
  for (const store::TrialRecord& t : trials) {
    if (t.imported()) {
      ++imported;
    } else {
      ++counts[store::trial_state_name(t.state)];
    }
  }
  const std::optional<study::BestTrial> best = study::best_trial(trials, study.direction);
  if (format == OutputFormat::kCsv) return trials_csv(trials);
  if (format == OutputFormat::kJson) {
    nlohmann::ordered_json out;
    out["study"] = study.name;
    out["direction"] = store::direction_name(study.direction);
    out["trials"] = trials.size();
    for (const auto& [state, n] : counts) out["counts"][std::string(state)] = n;
    out["counts"]["IMPORTED"] = imported;
    out["pruning_hours_saved"] = seconds_saved / 3600;
    if (extras.compute_budget_seconds) {
      out["compute"]["hours_spent"] = extras.compute_spent_seconds / 3600;
      out["compute"]["hours_budget"] = *extras.compute_budget_seconds / 3600;
      out["compute"]["hours_left"] =
          std::max(0.0, *extras.compute_budget_seconds - extras.compute_spent_seconds) / 3600;
    }
    out["best"] =
        best ? nlohmann::ordered_json::parse(format_best(*best, OutputFormat::kJson, space))
             : nlohmann::ordered_json(nullptr);
    out["workers"] = nlohmann::ordered_json::array();
    for (const store::WorkerRecord& w : extras.workers) {
      nlohmann::ordered_json worker;
      worker["worker"] = w.worker;
      worker["host"] = w.host;
      worker["pid"] = w.pid;
      worker["slurm_job"] = w.slurm_job;
      worker["started_at"] = iso_time(w.started_at);
      worker["heartbeat_at"] = iso_time(w.heartbeat_at);
      worker["heartbeat_age_s"] = std::max(0.0, extras.now - w.heartbeat_at);
      worker["running"] = nlohmann::ordered_json::array();
      for (const store::TrialRecord& t : trials) {
        if (t.state == store::TrialState::kRunning && t.worker == w.worker)
          worker["running"].push_back(t.number);
      }
      out["workers"].push_back(std::move(worker));
    }
    out["trial_list"] = nlohmann::ordered_json::array();
    const std::vector<std::optional<double>> now = loss_now(trials);
    for (std::size_t i = 0; i < trials.size(); ++i) {
      const store::TrialRecord& t = trials[i];
      nlohmann::ordered_json trial = trial_json(t, space, now[i]);
      trial["slurm_job"] = slurm_job_of(extras, t.number);
      if (const auto state = extras.slurm_states.find(t.number);
          state != extras.slurm_states.end()) {
        trial["slurm_state"] = state->second.state;
        trial["slurm_reason"] = state->second.reason;
      }
      out["trial_list"].push_back(std::move(trial));
    }
    if (!extras.slurm_error.empty()) out["slurm_error"] = extras.slurm_error;
    return out.dump(2) + "\n";
  }
  std::string out = fmt::format(
      "study {} ({}): {} trials: {} complete, {} failed, {} running, {} "
      "interrupted{}{}\n",
      study.name, store::direction_name(study.direction), trials.size() - imported,
      counts["COMPLETE"], counts["FAILED"], counts["RUNNING"], counts["INTERRUPTED"],
      counts["PRUNED"] > 0 ? fmt::format(", {} pruned (saved ~{:.2f} h of trial time)",
                                         counts["PRUNED"], seconds_saved / 3600)
                           : "",
      imported > 0 ? fmt::format("; {} imported (listed apart)", imported) : "");
  if (extras.compute_budget_seconds) {
    const auto hours = [](double seconds) {
      return fmt::format("{:.2f} h ({})", seconds / 3600,
                         base::format_duration(base::Duration(
                             static_cast<base::Duration::rep>(std::max(0.0, seconds) * 1000))));
    };
    out += fmt::format("compute: {} of trial time spent of {} ([budget] compute), {} left\n",
                       hours(extras.compute_spent_seconds), hours(*extras.compute_budget_seconds),
                       hours(*extras.compute_budget_seconds - extras.compute_spent_seconds));
  }
  if (best) {
    out += fmt::format("best{}: {:.6g} (trial {}: {}{})\n",
                       best->components.empty() ? "" : " combined loss now", best->value,
                       best->number, describe_params(best->params),
                       best->components.empty() ? "" : "; " + components_text(best->components));
  }
  if (!extras.workers.empty()) out += fmt::format("workers ({}):\n", extras.workers.size());
  for (const store::WorkerRecord& w : extras.workers) {
    out += fmt::format("  {}  on {} pid {}{}  heartbeat {:.0f} s ago  running: {}\n", w.worker,
                       w.host, w.pid, w.slurm_job.empty() ? "" : " Slurm job " + w.slurm_job,
                       std::max(0.0, extras.now - w.heartbeat_at),
                       running_trials_of(trials, w.worker));
  }
  if (!extras.slurm_error.empty())
    out += fmt::format("Slurm job states unknown: {}\n", extras.slurm_error);
  for (const store::TrialRecord& t : trials) {
    if (t.imported()) continue;
    out +=
        fmt::format("{:>5}  {:<11}  {:<12}  {}{}{}{}\n", t.number, store::trial_state_name(t.state),
                    value_display(t.value), describe_params(t.params),
                    t.components.empty() ? "" : "  (" + components_text(t.components) + ")",
                    slurm_job_text(extras, t.number),
                    t.failure_reason.empty() ? "" : "  [" + t.failure_reason + "]");
  }
  if (imported > 0) {
    out += fmt::format("imported ({}, never run here):\n", imported);
    for (const store::TrialRecord& t : trials) {
      if (!t.imported()) continue;
      out += fmt::format("{:>5}  {:<11}  {:<12}  {}  [{}]\n", t.number, "IMPORTED",
                         value_display(t.value), describe_params(t.params), t.source);
    }
  }
  return out;
}

}  // namespace qtune::cli
