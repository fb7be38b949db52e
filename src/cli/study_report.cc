#include "cli/study_report.h"

#include <chrono>
#include <memory>
#include <string>

#include "qtune/report/report.h"
#include "qtune/study/study.h"

namespace qtune::cli {
namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

base::Result<WrittenReport> write_study_report(const StudySource& source,
                                               const std::filesystem::path& output,
                                               int refresh_seconds) {
  QTUNE_ASSIGN_OR_RETURN(OpenedStudy opened, open_study_source(source));
  WrittenReport written;
  written.finished = study_finished(opened);
  // What the strategy learned: the study opened read-only (as export does), when the study
  // file is given. A study that does not open (another [space] or [strategy] than the
  // store's) still gets its page, without that section.
  std::unique_ptr<study::Study> study;
  if (opened.config) {
    auto read_only = study::Study::open_read_only(*opened.config, *opened.store);
    if (read_only.is_ok()) study = std::move(*read_only);
  }
  written.trials = opened.trials.size();
  QTUNE_ASSIGN_OR_RETURN(std::vector<store::TrialProgress> progress,
                         opened.store->progress(opened.record.id));
  report::StudyData data{std::move(opened.config), std::move(opened.record),
                         std::move(opened.trials), study.get(), std::move(progress)};
  report::ReportOptions options;
  options.refresh_seconds = written.finished ? 0 : refresh_seconds;
  options.generated_at = now_seconds();
  const std::string html = report::render_html(data, options);
  written.bytes = html.size();
  QTUNE_RETURN_IF_ERROR(report::write_report(output, html));
  return written;
}

}  // namespace qtune::cli
