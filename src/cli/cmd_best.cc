// qtune best: the best measured trial of a study, its parameters and value, on stdout.
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/study_output.h"
#include "cli/study_source.h"

namespace qtune::cli {
namespace {

struct BestFlags {
  StudySource source;
  std::string format = "table";
};

int best(const BestFlags& flags) {
  const auto format = parse_output_format(flags.format);
  if (!format.is_ok()) return report_error("best", format.status());
  const auto opened = open_study_source(flags.source);
  if (!opened.is_ok()) return report_error("best", opened.status());
  const auto found = study::best_trial(opened->trials, opened->record.direction);
  if (!found) {
    std::fputs("qtune best: no successful trial yet\n", stderr);
    return kExitNoSuccess;
  }
  std::fputs(format_best(*found, *format).c_str(), stdout);
  return kExitOk;
}

}  // namespace

Command add_best_command(CLI::App& app) {
  auto flags = std::make_shared<BestFlags>();
  CLI::App* sub = app.add_subcommand("best", "the best measured parameters and their value");
  add_study_source_options(*sub, flags->source);
  sub->add_option("--format", flags->format, "table, json or csv");
  return {sub, [flags] { return best(*flags); }};
}

}  // namespace qtune::cli
