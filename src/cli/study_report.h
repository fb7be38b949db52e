// Writing a study's HTML report (qtune/report/report.h) from the store, as `qtune report`,
// `qtune run --report` and `qtune worker --report` do: the study read like status and
// export read it (never taken over), what the strategy learned when the study file is given.
#pragma once

#include <cstddef>
#include <filesystem>

#include "cli/study_source.h"
#include "qtune/base/result.h"

namespace qtune::cli {

struct WrittenReport {
  std::size_t trials = 0;
  std::size_t bytes = 0;
  // The study's trial budget is used and no trial runs: nothing will change the page.
  bool finished = false;
};

// `refresh_seconds` > 0: the page reloads itself that often (a live page).
base::Result<WrittenReport> write_study_report(const StudySource& source,
                                               const std::filesystem::path& output,
                                               int refresh_seconds);

}  // namespace qtune::cli
