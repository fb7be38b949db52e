// qtune status: counts, the best trial, the workers and every trial of a study, on stdout.
// Safe to run while `qtune run` works on the same study (it only reads). --watch N shows it again
// every N seconds until the study is finished: on a terminal the screen is redrawn (the newest
// trials that fit); otherwise the view is printed again only when it changed (JSON: one
// line each, JSON Lines).
#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/study_output.h"
#include "cli/study_source.h"
#include "cli/watch.h"
#include "qtune/exec/executor.h"
#include "qtune/study/compute.h"
#include "qtune/study/pruning.h"
#include "qtune/study/runner.h"

namespace qtune::cli {
namespace {

struct StatusFlags {
  StudySource source;
  std::string format = "table";
  int watch = 0;
};

// The terminal's rows, or 0 when stdout is not one.
int terminal_rows() {
  winsize size{};
  if (isatty(STDOUT_FILENO) == 0 || ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) != 0) return 0;
  return size.ws_row;
}

// The table cut to `rows` lines: its two heading lines (counts, best), a line saying how
// many were left out, and the last lines (the newest trials).
std::string fit_rows(const std::string& text, int rows) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  const auto room = static_cast<std::size_t>(std::max(rows, 6));
  if (lines.size() <= room) return text;
  const std::size_t head = 2, tail = room - head - 1;
  std::string out;
  for (std::size_t i = 0; i < head; ++i) out += lines[i] + "\n";
  out += fmt::format("  ... {} earlier lines not shown\n", lines.size() - head - tail);
  for (std::size_t i = lines.size() - tail; i < lines.size(); ++i) out += lines[i] + "\n";
  return out;
}

// What the view shows beside the trials: the registered workers, pruning and compute time,
// each trial's Slurm job.
base::Result<StatusExtras> status_extras(const OpenedStudy& opened) {
  StatusExtras extras;
  extras.now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  QTUNE_ASSIGN_OR_RETURN(extras.workers, opened.store->workers(opened.record.id));
  QTUNE_ASSIGN_OR_RETURN(const auto progress, opened.store->progress(opened.record.id));
  extras.pruning_seconds_saved = study::pruning_seconds_saved(opened.trials, progress);
  if (opened.config && opened.config->budget.compute) {
    extras.compute_budget_seconds =
        std::chrono::duration<double>(*opened.config->budget.compute).count();
    extras.compute_spent_seconds = study::compute_use(opened.trials).spent_seconds;
  }
  // The Slurm job of each trial, from its folder (known with the study file only).
  if (opened.config && opened.config->trial &&
      opened.config->trial->executor == exec::ExecutorKind::kSlurm) {
    std::vector<std::string> running_jobs;
    for (const store::TrialRecord& t : opened.trials) {
      const auto job =
          exec::slurm_job_id(study::trials_dir(*opened.config) / std::to_string(t.number));
      if (!job) continue;
      extras.slurm_jobs[t.number] = *job;
      if (t.state == store::TrialState::kRunning) running_jobs.push_back(*job);
    }
    // The running trials' jobs as squeue sees them (pending and why, running, ...). Status
    // still shows the study when squeue fails: it says so instead.
    const auto states = exec::slurm_job_states(opened.config->trial->slurm, running_jobs);
    if (states.is_ok()) {
      for (const store::TrialRecord& t : opened.trials) {
        if (t.state != store::TrialState::kRunning) continue;
        const auto job = extras.slurm_jobs.find(t.number);
        if (job == extras.slurm_jobs.end()) continue;
        const auto state = states->find(job->second);
        extras.slurm_states[t.number] =
            state != states->end() ? state->second : exec::SlurmJobState{"NOT_QUEUED", ""};
      }
    } else {
      extras.slurm_error = states.status().message();
    }
  }
  return extras;
}

class StatusView {
 public:
  StatusView(const StatusFlags& flags, OutputFormat format) : flags_(flags), format_(format) {}

  int show(bool live, bool* finished) {
    const auto opened = open_study_source(flags_.source);
    if (!opened.is_ok()) return report_error("status", opened.status());
    *finished = study_finished(*opened);
    auto extras = status_extras(*opened);
    if (!extras.is_ok()) return report_error("status", extras.status());
    const auto view = [&](const StatusExtras& e) {
      return format_status(opened->record, opened->trials, format_,
                           opened->config ? &opened->config->space : nullptr, e);
    };
    std::string text = view(*extras);
    if (flags_.watch <= 0) return print(text);
    if (format_ == OutputFormat::kJson) text = nlohmann::json::parse(text).dump() + "\n";
    if (const int rows = terminal_rows(); rows > 0) {
      if (!live) return kExitOk;  // the screen shows the last view already
      const std::string heading = fmt::format(
          "qtune status --watch {}: {}{}\n", flags_.watch,
          iso_time(
              std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
                  .count()),
          *finished ? " (finished)" : ", Ctrl-C to stop");
      return print("\x1b[H\x1b[2J" + heading + fit_rows(text, rows - 2));
    }
    // Changed: anything but the heartbeats' ages, which grow every round (the view as of the
    // Unix epoch shows them all as 0).
    StatusExtras ageless = *extras;
    ageless.now = 0;
    std::string key = view(ageless);
    if (key == last_) return kExitOk;
    last_ = std::move(key);
    return print(text);
  }

 private:
  static int print(const std::string& text) {
    std::fputs(text.c_str(), stdout);
    std::fflush(stdout);
    return kExitOk;
  }

  const StatusFlags& flags_;
  OutputFormat format_;
  std::string last_;
};

int run_status(const StatusFlags& flags) {
  const auto format = parse_output_format(flags.format);
  if (!format.is_ok()) return report_error("status", format.status());
  StatusView view(flags, *format);
  bool finished = false;
  if (flags.watch <= 0) return view.show(false, &finished);
  return watch_study(flags.watch, [&view](bool live, bool* done) { return view.show(live, done); });
}

}  // namespace

Command add_status_command(CLI::App& app) {
  auto added = add_subcommand<StatusFlags>(app, "status",
                                           "progress of a study: counts, best, workers, trials");
  CLI::App* sub = added.first;
  const std::shared_ptr<StatusFlags> flags = added.second;
  add_study_source_options(*sub, flags->source);
  sub->add_option("--format", flags->format, "table, json or csv");
  sub->add_option("--watch", flags->watch,
                  "show it again every this many seconds until the study is finished (Ctrl-C "
                  "stops)")
      ->check(CLI::PositiveNumber);
  return {sub, [flags] { return run_status(*flags); }};
}

}  // namespace qtune::cli
