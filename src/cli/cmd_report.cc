// qtune report: a study as one self-contained HTML file (report module). Reads the study
// like status and export do (never takes trials over); --watch rewrites the file every N
// seconds, with a reload tag in the page, until the study's budget is used up and no trial
// runs (or Ctrl-C), then writes it once more without the tag.
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <thread>

#include "cli/command.h"
#include "cli/study_source.h"
#include "qtune/report/report.h"
#include "qtune/study/study.h"

namespace qtune::cli {
namespace {

struct ReportFlags {
  StudySource source;
  std::string output = "report.html";
  int watch = 0;
};

std::atomic<bool> stop_watching{false};
extern "C" void on_report_stop_signal(int) { stop_watching = true; }

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Whether the study has nothing left to do: its trial budget is used and no trial runs.
bool finished(const OpenedStudy& opened) {
  if (!opened.config || !opened.config->budget.trials) return false;
  for (const store::TrialRecord& t : opened.trials)
    if (!store::is_finished(t.state)) return false;
  return opened.trials.size() >= *opened.config->budget.trials;
}

int write_once(const ReportFlags& flags, bool live, bool* done) {
  auto opened = open_study_source(flags.source);
  if (!opened.is_ok()) return report_error("report", opened.status());
  *done = finished(*opened);
  // What the strategy learned: the study opened read-only (as export does), when the study
  // file is given. A study that does not open (another [space] or [strategy] than the
  // store's) still gets its page, without that section.
  std::unique_ptr<study::Study> study;
  if (opened->config) {
    auto read_only = study::Study::open_read_only(*opened->config, *opened->store);
    if (read_only.is_ok()) study = std::move(*read_only);
  }
  report::StudyData data{std::move(opened->config), std::move(opened->record),
                         std::move(opened->trials), study.get()};
  report::ReportOptions options;
  options.refresh_seconds = live && !*done ? flags.watch : 0;
  options.generated_at = now_seconds();
  const std::string html = report::render_html(data, options);
  const base::Status written = report::write_report(flags.output, html);
  if (!written.is_ok()) return report_error("report", written);
  std::fprintf(stderr, "qtune report: wrote %s (%zu trials, %.1f KB)\n", flags.output.c_str(),
               data.trials.size(), static_cast<double>(html.size()) / 1024.0);
  return kExitOk;
}

int run_report(const ReportFlags& flags) {
  bool done = false;
  if (flags.watch <= 0) return write_once(flags, false, &done);
  std::signal(SIGINT, on_report_stop_signal);
  std::signal(SIGTERM, on_report_stop_signal);
  while (true) {
    const int code = write_once(flags, true, &done);
    if (code != kExitOk || done) return code;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(flags.watch);
    while (!stop_watching && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (stop_watching) return write_once(flags, false, &done);
  }
}

}  // namespace

Command add_report_command(CLI::App& app) {
  auto [sub, flags] =
      add_subcommand<ReportFlags>(app, "report", "a study as one self-contained HTML page");
  add_study_source_options(*sub, flags->source);
  sub->add_option("-o,--output", flags->output, "the HTML file to write")->capture_default_str();
  sub->add_option("--watch", flags->watch,
                  "rewrite the file every this many seconds while the study runs")
      ->check(CLI::PositiveNumber);
  return {sub, [flags] { return run_report(*flags); }};
}

}  // namespace qtune::cli
