// qtune report: a study as one self-contained HTML file (report module). Reads the study
// like status and export do (never takes trials over); --watch rewrites the file every N
// seconds, with a reload tag in the page, until the study's budget is used up and no trial
// runs (or Ctrl-C), then writes it once more without the tag.
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/study_report.h"
#include "cli/study_source.h"
#include "cli/watch.h"

namespace qtune::cli {
namespace {

struct ReportFlags {
  StudySource source;
  std::string output = "report.html";
  int watch = 0;
};

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
  return watch_study(flags.watch, [&flags](bool live, bool* finished) {
    return write_once(flags, live, finished);
  });
}

}  // namespace

Command add_report_command(CLI::App& app) {
  auto added =
      add_subcommand<ReportFlags>(app, "report", "a study as one self-contained HTML page");
  CLI::App* sub = added.first;
  const std::shared_ptr<ReportFlags> flags = added.second;
  add_study_source_options(*sub, flags->source);
  sub->add_option("-o,--output", flags->output, "the HTML file to write")->capture_default_str();
  sub->add_option("--watch", flags->watch,
                  "rewrite the file every this many seconds while the study runs")
      ->check(CLI::PositiveNumber);
  return {sub, [flags] { return run_report(*flags); }};
}

}  // namespace qtune::cli
