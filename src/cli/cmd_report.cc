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
#include "cli/study_report.h"
#include "cli/study_source.h"

namespace qtune::cli {
namespace {

struct ReportFlags {
  StudySource source;
  std::string output = "report.html";
  int watch = 0;
};

std::atomic<bool> stop_watching{false};
extern "C" void on_report_stop_signal(int) { stop_watching = true; }

int write_once(const ReportFlags& flags, bool live, bool* done) {
  const auto written = write_study_report(flags.source, flags.output, live ? flags.watch : 0);
  if (!written.is_ok()) return report_error("report", written.status());
  *done = written->finished;
  std::fprintf(stderr, "qtune report: wrote %s (%zu trials, %.1f KB)\n", flags.output.c_str(),
               written->trials, static_cast<double>(written->bytes) / 1024.0);
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
