// Which study a read-only command (status, best, export) looks at: a study file, or
// --storage URL with --study NAME. Reads go to the store directly, never through
// Study::open, which would take a running `qtune run`'s trials for dead.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "qtune/base/result.h"
#include "qtune/store/store.h"
#include "qtune/study/results.h"
#include "qtune/study/study_config.h"

namespace qtune::cli {

struct StudySource {
  std::string file;     // study.toml (positional)
  std::string storage;  // --storage URL (env QTUNE_STORAGE); overrides the file's
  std::string study;    // --study NAME; default: the file's [study] name
};

// Adds the positional study file and --storage/--study to `app`.
void add_study_source_options(CLI::App& app, StudySource& source);

struct OpenedStudy {
  std::optional<study::StudyConfig> config;  // set when a study file was given
  std::unique_ptr<store::Store> store;
  store::StudyRecord record;
  std::vector<store::TrialRecord> trials;  // in number order
};

// kInvalidArgument for a bad combination of options or a bad study file; kNotFound when the
// store has no such study ("run it first").
base::Result<OpenedStudy> open_study_source(const StudySource& source);

// The study's trial budget (its file's [budget] trials; the trials qtune ran, not imported
// ones, as Study counts them) is used and no trial runs: nothing more will change. False
// without a study file or a trial budget.
bool study_finished(const OpenedStudy& opened);

// "K=4 intermediate_dim=128".
std::string describe_params(const std::vector<store::Param>& params);

}  // namespace qtune::cli
