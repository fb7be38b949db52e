// Test helper: parses a study file's [space] and [trial] tables from TOML text, as the
// study config parser does, so exec tests build their TrialConfig from real study text.
#pragma once

#include <string>
#include <string_view>

#include "qtune/exec/trial_config.h"
#include "qtune/space/space_config.h"

namespace qtune::testing {

struct ParsedStudy {
  base::Result<space::Space> space = base::Status::internal("unset");
  base::Result<exec::TrialConfig> trial = base::Status::internal("unset");
};

inline ParsedStudy parse_study_text(std::string_view text, std::string_view file = "study.toml") {
  ParsedStudy out;
  out.space = space::parse_space(text, file);
  if (!out.space.is_ok()) return out;
  auto trial = exec::parse_trial(text, *out.space, file);
  if (!trial.is_ok()) {
    out.trial = trial.status();
  } else if (!*trial) {
    out.trial = base::Status::invalid_argument("test text needs [trial]");
  } else {
    out.trial = std::move(**trial);
  }
  return out;
}

// The [trial] table `trial_lines` under a small fixed space (K in 2..4, act relu|elu).
inline base::Result<exec::TrialConfig> parse_trial_lines(std::string_view trial_lines,
                                                         std::string_view file = "dir/study.toml") {
  constexpr std::string_view kSpace =
      "[space]\nK = { range = [2, 4] }\nact = { values = [\"relu\", \"elu\"] }\n[trial]\n";
  return parse_study_text(std::string(kSpace) + std::string(trial_lines), file).trial;
}

}  // namespace qtune::testing
