#include "cli/study_reader.h"

#include <memory>

namespace qtune::cli {
namespace {

struct ReaderFlags {
  StudySource source;
  std::string format = "table";
};

}  // namespace

Command add_study_reader(CLI::App& app, const std::string& name, const std::string& description,
                         ShowStudy show) {
  auto flags = std::make_shared<ReaderFlags>();
  CLI::App* sub = app.add_subcommand(name, description);
  add_study_source_options(*sub, flags->source);
  sub->add_option("--format", flags->format, "table, json or csv");
  return {sub, [flags, name, show = std::move(show)] {
            const auto format = parse_output_format(flags->format);
            if (!format.is_ok()) return report_error(name, format.status());
            const auto opened = open_study_source(flags->source);
            if (!opened.is_ok()) return report_error(name, opened.status());
            return show(*opened, *format);
          }};
}

}  // namespace qtune::cli
