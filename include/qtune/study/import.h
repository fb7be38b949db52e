// Importing results that exist already (`qtune import`, Python Study.import_results): the
// history a user brings, as COMPLETE trials marked imported (Study::add_results).
//
// Formats (one per file, chosen by ImportOptions and the file):
//   - headerless KEY,VALUE lines (ImportOptions::key set): the training script's own
//     FID_Results.csv, `8_128_16_40,40.2`, read with the key pattern
//     `{K}_{intermediate_dim}_{batch_size}_{maxiter}` (space::KeyPattern);
//   - qtune's own JSON export (`qtune export --format json`; a file ending in .json or
//     starting with '['): its COMPLETE trials; a trial's "line" is its position in the array;
//   - otherwise a CSV with a header: one column per parameter of the [space], named like it,
//     and the objective column (ImportOptions::objective; by default the one column that is
//     not a parameter). A `status` column, when present, skips rows that are not "ok".
// CSV is read by space::split_csv, the reader `qtune replay` uses.
//
// Checks: a malformed line (wrong field count, a key that does not follow the pattern, a
// value that is not a number) is an error naming file:line (kInvalidArgument). A
// configuration outside the [space] (K=12 when the range is 2..10) or a value that is not
// finite is reported as skipped with its file:line, or refused with `strict`. A
// configuration listed several times keeps every value (repeated measurements; `best` uses
// their mean). Nothing is written until every file is read and checked, and then in one
// transaction; importing the same file again adds nothing (same file, line and value).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "qtune/base/result.h"
#include "qtune/store/store.h"
#include "qtune/study/study.h"
#include "qtune/study/study_config.h"

namespace qtune::study {

struct ImportOptions {
  std::string key;        // set: headerless KEY,VALUE files with this key pattern
  std::string objective;  // CSV with a header: the objective column (empty: see above)
  bool strict = false;    // refuse (kInvalidArgument) instead of skipping out-of-space rows
};

struct ImportReport {
  std::size_t read = 0;                    // results read (skipped ones not included)
  std::size_t added = 0;                   // new imported trials
  std::size_t already = 0;                 // imported before (same file, line and value)
  std::vector<std::string> skipped;        // "file:line: why", one per skipped row
  std::vector<store::TrialRecord> trials;  // the trials added
};

// Reads and checks every file (no store is touched). Each result's source is the file's
// absolute path and the line ("/data/FID_Results.csv:12"). Skipped rows go to `skipped`.
base::Result<std::vector<store::ImportedTrial>> read_results(
    const StudyConfig& config, const std::vector<std::filesystem::path>& files,
    const ImportOptions& options, std::vector<std::string>& skipped);

// read_results, then Study::add_results in one transaction.
base::Result<ImportReport> import_results(Study& study,
                                          const std::vector<std::filesystem::path>& files,
                                          const ImportOptions& options);

}  // namespace qtune::study
