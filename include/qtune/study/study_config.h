// StudyConfig: a whole study file (TOML), parsed and checked.
//
//   [study]                       # all keys optional
//   name = "dgmm"                 # default: the study file's name without .toml
//   storage = "sqlite://dgmm.db"  # default: sqlite://<name>.db beside the study file;
//                                 # a relative sqlite path is relative to the study file
//   direction = "minimize"        # or "maximize" (not with [trial] metric = { combine })
//   seed = 0                      # integer >= 0; every random stream derives from it
//
//   [space]     dimensions: space/space_config.h
//   [strategy]  strategy and its options: agent/strategy_config.h (optional table)
//   [trial]     how a trial runs: exec/trial_config.h (optional for ask/tell use;
//               `qtune run` requires it)
//
//   [budget]                      # all keys optional
//   trials = 40                   # distinct evaluations (re-measurements count too);
//                                 # default: until the strategy is exhausted
//   parallel = 1                  # trials running at the same time, >= 1; raises the
//                                 # strategy's trajectories to at least this (one each)
//   gpus = [0, 1]                 # GPU ids handed to trials (or a count: gpus = 2 is [0, 1])
//   max_time = "12h"              # wall time of one `qtune run` session (base/duration.h)
//   compute = "72h"               # trial time of all trials summed (GPU-hours with gpus);
//                                 # the study ends when the next trial would likely exceed
//                                 # it (study/compute.h)
//
//   [pruning]   stopping trials early from their progress: study/pruning.h (optional;
//               needs [trial] progress)
//
//   [report]                      # optional; read by `qtune report` only
//   images = { stim = "{K}/stim", rec = "{K}/rec" }   # image folders of a trial (templates,
//                                 # relative to its workdir); default: the [trial] built-in
//                                 # metric's reference and generated folders
//
// docs/config.md lists the same keys for users; keep both in step. Unknown tables or keys
// and wrong types are kInvalidArgument "file:line: [table] key: what; what would be right".
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/agent/strategy_config.h"
#include "qtune/base/duration.h"
#include "qtune/base/result.h"
#include "qtune/exec/trial_config.h"
#include "qtune/space/space.h"
#include "qtune/store/open_store.h"
#include "qtune/store/store.h"
#include "qtune/study/pruning.h"

namespace qtune::study {

struct Budget {
  std::optional<std::uint64_t> trials;  // nullopt: until the strategy is exhausted
  std::uint32_t parallel = 1;
  std::vector<int> gpus;  // empty: trials get no CUDA_VISIBLE_DEVICES
  std::optional<base::Duration> max_time;
  std::optional<base::Duration> compute;  // > 0
};

// [report]: what `qtune report` shows beyond the trials (report/report.h).
struct ReportConfig {
  // Each trial's stimulus and reconstruction image folders; unset: none named.
  std::optional<exec::Template> images_stim;
  std::optional<exec::Template> images_rec;
};

struct StudyConfig {
  std::filesystem::path file;  // the study file, as given
  std::string name;
  store::StorageUrl storage;  // sqlite paths made absolute; formats without its password
  store::Direction direction = store::Direction::kMinimize;
  std::uint64_t seed = 0;
  space::Space space;
  agent::StrategyConfig strategy;
  std::string strategy_text;  // [strategy] in canonical TOML plus the trajectories in use
                              // (the study fingerprint)
  Budget budget;
  std::optional<exec::TrialConfig> trial;
  PruningConfig pruning;
  ReportConfig report;
};

// Parses study-file text; `file` names it in messages and anchors relative paths.
base::Result<StudyConfig> parse_study_config(std::string_view toml_text,
                                             const std::filesystem::path& file);
// Reads and parses a study file (kNotFound if it does not exist).
base::Result<StudyConfig> load_study_config(const std::filesystem::path& file);

}  // namespace qtune::study
