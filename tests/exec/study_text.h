// Test helper: parses a study file's [space] and [trial] tables from TOML text, as the
// study config parser does, so exec tests build their TrialConfig from real study text.
#pragma once

#include <toml++/toml.h>

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
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    out.space = base::Status::invalid_argument(std::string(e.description()));
    return out;
  }
  const toml::table* space = root["space"].as_table();
  const toml::table* trial = root["trial"].as_table();
  if (space == nullptr || trial == nullptr) {
    out.space = base::Status::invalid_argument("test text needs [space] and [trial]");
    return out;
  }
  out.space = space::space_from_toml(*space, file);
  if (out.space.is_ok()) out.trial = exec::trial_from_toml(*trial, *out.space, file);
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
