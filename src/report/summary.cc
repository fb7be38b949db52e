// Summary: the study, its budget, the best value and how to reproduce it, the trials by state
// and failure reason, and the compute time they took.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "qtune/exec/executor.h"
#include "qtune/exec/template.h"
#include "qtune/study/pruning.h"
#include "qtune/study/runner.h"
#include "report/sections.h"
#include "report/svg.h"

namespace qtune::report {
namespace {

std::string row(std::string_view key, std::string_view html) {
  return fmt::format("<tr><th>{}</th><td>{}</td></tr>", key, html);
}

}  // namespace

std::string note(std::string_view text) {
  return fmt::format(R"(<p class="note">{}</p>)", escape(text));
}

std::string reproduce_command(const StudyData& data, const store::TrialRecord& trial) {
  if (!data.config || !data.config->trial) return "";
  return exec::command_line(*data.config->trial,
                            study::trial_spec(*data.config, trial.id, trial.number, trial.params));
}

std::string summary_section(const StudyView& view) {
  const StudyData& data = *view.data;
  std::string out = "<table class=\"kv\">";
  out += row("study", escape(data.record.name));
  if (data.config) out += row("study file", escape(data.config->file.string()));
  out += row("direction", escape(std::string(store::direction_name(data.record.direction))));
  out += row("started", escape(format_time(data.record.created_at)));
  // The budget counts the trials qtune ran; imported results are shown apart.
  const std::size_t total = static_cast<std::size_t>(
      std::count_if(data.trials.begin(), data.trials.end(),
                    [](const store::TrialRecord& t) { return !t.imported(); }));
  const std::size_t imported = data.trials.size() - total;
  const auto budget = data.config ? data.config->budget.trials : std::nullopt;
  out +=
      row("budget used",
          budget ? fmt::format("{} / {} trials ({:.0f}%)", total, *budget,
                               100.0 * static_cast<double>(total) /
                                   static_cast<double>(std::max<std::uint64_t>(*budget, 1)))
                 : fmt::format("{} trials (no trial budget: until the strategy is done)", total));
  if (imported > 0) {
    out += row("imported", fmt::format("{} result{} (qtune import), not counted in the budget",
                                       imported, imported == 1 ? "" : "s"));
  }

  if (view.best) {
    std::string params;
    for (const store::Param& p : view.best->params)
      params += fmt::format("<code>{}={}</code> ", escape(p.name), escape(p.value));
    out += row("best value", fmt::format("<b class=\"big\">{}</b> (trial {})",
                                         short_number(view.best->value), view.best->number));
    out += row("best configuration", params);
    const std::string command = reproduce_command(data, data.trials[*view.best_index]);
    out +=
        row("reproduce", command.empty()
                             ? "<span class=\"note\">give the study file to see the command</span>"
                             : fmt::format("<pre class=\"cmd\">{}</pre>", escape(command)));
  } else {
    out += row("best value",
               "<span class=\"note\">none yet: no trial completed with a finite "
               "value</span>");
  }
  out += "</table>";
  if (data.trials.empty()) return out + note("The study has no trials yet: run it with qtune run.");

  // Trials by state and failure reason.
  store::TrialCounts counts;
  std::map<std::string, std::size_t> reasons;
  for (const store::TrialRecord& t : data.trials) {
    ++counts.of(t.state);
    if (t.state == store::TrialState::kFailed)
      ++reasons[t.failure_reason.empty() ? "(no reason)" : t.failure_reason];
  }
  out += "<h3>Trials by state</h3><table class=\"grid\"><tr><th>state</th><th>trials</th></tr>";
  for (const store::TrialState s :
       {store::TrialState::kComplete, store::TrialState::kPruned, store::TrialState::kFailed,
        store::TrialState::kRunning, store::TrialState::kInterrupted}) {
    out += fmt::format("<tr><td><span class=\"st st-{0}\">{0}</span></td><td>{1}</td></tr>",
                       store::trial_state_name(s), counts.of(s));
  }
  out += "</table>";
  if (view.non_finite > 0) {
    out +=
        note(fmt::format("{} complete trial(s) reported a value that is not a finite number; "
                         "the plots leave them out.",
                         view.non_finite));
  }
  if (!reasons.empty()) {
    out += "<h3>Failure reasons</h3><table class=\"grid\"><tr><th>reason</th><th>trials</th></tr>";
    for (const auto& [reason, n] : reasons)
      out += fmt::format("<tr><td>{}</td><td>{}</td></tr>", escape(reason), n);
    out += "</table>";
  }

  // Compute time: the sum of the finished trials' durations, per worker and slot, with the
  // share of the slot's span (its first start to its last end) that a trial held it.
  double sum = 0;
  std::size_t running = 0;
  struct SlotTime {
    double busy = 0, first = std::numeric_limits<double>::infinity(), last = -first;
    std::size_t trials = 0;
  };
  std::map<Lane, SlotTime> per_slot;
  std::map<std::string, std::size_t> slots_of;
  const std::vector<std::optional<Lane>> lanes = trial_lanes(view);
  for (std::size_t i = 0; i < data.trials.size(); ++i) {
    const store::TrialRecord& t = data.trials[i];
    if (!lanes[i]) continue;  // imported: ran elsewhere
    slots_of[lanes[i]->worker] = std::max(slots_of[lanes[i]->worker], lanes[i]->slot + 1);
    SlotTime& slot = per_slot[*lanes[i]];
    slot.first = std::min(slot.first, t.started_at);
    slot.last = std::max(slot.last, trial_end(t));
    const auto seconds = trial_seconds(t);
    if (!seconds) {
      if (t.state == store::TrialState::kRunning) ++running;
      continue;
    }
    sum += *seconds;
    slot.busy += *seconds;
    ++slot.trials;
  }
  out += fmt::format(
      "<h3>Compute time</h3><p>{} in finished trials (the sum of their "
      "durations){}.</p>",
      format_duration(sum), running > 0 ? fmt::format("; {} trial(s) still running", running) : "");
  if (counts.pruned > 0) {
    out += fmt::format(
        "<p>{} trial(s) were stopped early by [pruning]; that saved about {} of trial time "
        "(each one's run time scaled to the finished trials' last step, less what it ran).</p>",
        counts.pruned, format_duration(study::pruning_seconds_saved(data.trials, data.progress)));
  }
  if (!per_slot.empty()) {
    out +=
        "<p>Per worker and slot (GPU): trials overlapping in time on one worker held different "
        "slots, the lowest free one each, as the local executor hands them out. Busy: the share "
        "of the slot's span (first start to last end) a trial held it; a low share is an idle "
        "slot.</p><table class=\"grid\"><tr><th>worker and slot</th><th>trials</th><th>compute "
        "time</th><th>busy</th></tr>";
    for (const auto& [lane, slot] : per_slot) {
      const double span = slot.last - slot.first;
      out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                         escape(lane_name(lane, slots_of[lane.worker] > 1)), slot.trials,
                         format_duration(slot.busy),
                         span > 0 ? fmt::format("{:.0f}%", 100 * std::min(1.0, slot.busy / span))
                                  : std::string("-"));
    }
    out += "</table>";
  }
  return out;
}

}  // namespace qtune::report
