// qtune status: counts, the best trial and every trial of a study, on stdout. Safe to run
// while `qtune run` works on the same study (it only reads).
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/study_output.h"
#include "cli/study_source.h"

namespace qtune::cli {
namespace {

struct StatusFlags {
  StudySource source;
  std::string format = "table";
};

int status(const StatusFlags& flags) {
  const auto format = parse_output_format(flags.format);
  if (!format.is_ok()) return report_error("status", format.status());
  const auto opened = open_study_source(flags.source);
  if (!opened.is_ok()) return report_error("status", opened.status());
  std::fputs(format_status(opened->record, opened->trials, *format).c_str(), stdout);
  return kExitOk;
}

}  // namespace

Command add_status_command(CLI::App& app) {
  auto flags = std::make_shared<StatusFlags>();
  CLI::App* sub = app.add_subcommand("status", "progress of a study: counts, best, trials");
  add_study_source_options(*sub, flags->source);
  sub->add_option("--format", flags->format, "table, json or csv");
  return {sub, [flags] { return status(*flags); }};
}

}  // namespace qtune::cli
