// The HTML report of a study: one self-contained file (inline SVG plots, styles and a small
// script; no network reference) that a browser shows and prints. It reads a study, never
// writes it: the caller opens the store read-only and hands over the records.
//
// Sections, each an element with its id: summary, history, parameters, images, trials,
// beliefs (what the agent believes), timeline. Degenerate studies (no trial, one trial, only
// failures, non-finite values) still give a valid page, with a note saying what is missing.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/base/result.h"
#include "qtune/store/store.h"
#include "qtune/study/study.h"
#include "qtune/study/study_config.h"

namespace qtune::report {

// What the report shows: the study file (when given: the space's levels, the [trial]
// command, the budget) and the store's records.
struct StudyData {
  std::optional<study::StudyConfig> config;
  store::StudyRecord record;
  std::vector<store::TrialRecord> trials;  // in number order
  // The study opened read-only, when the caller has it: what the strategy learned (its
  // reward model and greedy policy). nullptr: the section says it is not available.
  const study::Study* study = nullptr;
  // The trials' intermediate values ([trial] progress; Store::progress), for the trial time
  // that pruning saved.
  std::vector<store::TrialProgress> progress = {};
};

struct ReportOptions {
  // > 0: the page reloads itself every this many seconds (qtune report --watch).
  int refresh_seconds = 0;
  // Seconds since the Unix epoch, printed as the time the report was made.
  double generated_at = 0;
};

// The ids of the page's sections, in page order.
const std::vector<std::string>& section_ids();

// The whole page.
std::string render_html(const StudyData& data, const ReportOptions& options);

// Writes `html` to `path` through a temporary file in the same folder and a rename, so a
// browser reloading the page never sees half a file. kIoError naming the path.
base::Status write_report(const std::filesystem::path& path, std::string_view html);

}  // namespace qtune::report
