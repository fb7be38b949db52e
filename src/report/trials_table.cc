// The trials table: every column of `qtune export` (number, state, parameters, value, a
// combined metric's components, failure reason, start and finish) plus a combined metric's loss
// now, duration, worker and attempt; the log tail opens on click (<details>, no script). The page's
// script sorts by a clicked header and filters rows.
#include <fmt/format.h>

#include <cmath>

#include "qtune/study/combined_metric.h"
#include "report/sections.h"
#include "report/svg.h"

namespace qtune::report {
namespace {

// The log tail kept in the page: its last characters only, so 1,000 trials stay small.
constexpr std::size_t kLogChars = 1500;

std::string cell(std::string_view text, std::string_view sort_key = {}) {
  if (sort_key.empty()) return fmt::format("<td>{}</td>", escape(text));
  return fmt::format(R"(<td data-v="{}">{}</td>)", escape(sort_key), escape(text));
}

}  // namespace

std::string trials_section(const StudyView& view) {
  const auto& trials = view.trials();
  if (trials.empty()) return note("No trials yet.");
  std::string out = view.sample_note().empty() ? std::string() : note(view.sample_note());
  out +=
      R"(<p class="tools"><input type="search" id="trial-filter" placeholder="filter rows, e.g. FAILED or K=4" aria-label="filter trials"> <span id="trial-count"></span> Click a column header to sort; click "log" to see a trial's output.</p>)";
  out += R"(<div class="scroll"><table class="grid sortable" id="trial-table"><thead><tr>)";
  std::vector<std::string> headers = {"number", "state"};
  for (const Parameter& p : view.parameters) headers.push_back(p.name);
  headers.emplace_back("value");
  // A combined metric: the loss now (what the page ranks by) and each component.
  const std::vector<std::string> components = study::component_names(trials);
  if (!components.empty()) headers.emplace_back("loss_now");
  for (const std::string& name : components) headers.push_back(name);
  for (const char* h :
       {"failure_reason", "started_at", "finished_at", "duration", "worker", "attempt", "log"})
    headers.push_back(h);
  for (const std::string& h : headers) out += fmt::format("<th>{}</th>", escape(h));
  out += "</tr></thead><tbody>";
  for (std::size_t i = 0; i < trials.size(); ++i) {
    if (!view.drawn[i]) continue;
    const store::TrialRecord& t = trials[i];
    const bool best = view.best_index && *view.best_index == i;
    out += best ? R"(<tr class="best">)" : "<tr>";
    out += cell(std::to_string(t.number), std::to_string(t.number));
    const std::string state(store::trial_state_name(t.state));
    out += fmt::format(R"(<td><span class="st st-{0}">{0}</span></td>)", state);
    for (std::size_t k = 0; k < view.parameters.size(); ++k) {
      std::string text;
      for (const store::Param& p : t.params)
        if (p.name == view.parameters[k].name) text = p.value;
      const int level = view.levels[i][k];
      out += cell(text, level >= 0 ? std::to_string(level) : text);
    }
    if (t.value) {
      const double v = *t.value;
      out += cell(fmt::format("{}", v), std::isfinite(v) ? fmt::format("{}", v) : "");
    } else {
      out += cell("", "");
    }
    const auto number_cell = [](std::optional<double> v) {
      return v && std::isfinite(*v) ? cell(fmt::format("{}", *v), fmt::format("{}", *v))
                                    : cell("", "");
    };
    if (!components.empty()) {
      out += number_cell(std::isfinite(view.values[i]) ? std::optional<double>(view.values[i])
                                                       : std::nullopt);
    }
    for (const std::string& name : components) out += number_cell(study::component_value(t, name));
    out += cell(t.failure_reason);
    out += cell(format_time(t.started_at), fmt::format("{}", t.started_at));
    out += t.finished_at ? cell(format_time(*t.finished_at), fmt::format("{}", *t.finished_at))
                         : cell("", "");
    const auto seconds = trial_seconds(t);
    out += seconds ? cell(format_duration(*seconds), fmt::format("{}", *seconds)) : cell("", "");
    out += cell(t.worker);
    out += cell(std::to_string(t.attempt), std::to_string(t.attempt));
    if (t.log_tail.empty()) {
      out += "<td></td>";
    } else {
      const std::string tail = t.log_tail.size() > kLogChars
                                   ? "..." + t.log_tail.substr(t.log_tail.size() - kLogChars)
                                   : t.log_tail;
      out += fmt::format("<td><details><summary>log</summary><pre>{}</pre></details></td>",
                         escape(tail));
    }
    out += "</tr>";
  }
  return out + "</tbody></table></div>";
}

}  // namespace qtune::report
