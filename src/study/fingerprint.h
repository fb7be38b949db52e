// The fingerprint of a study: what must not change between the runs of one study, since
// the stored trials and the agent snapshot refer to it (state ids, the strategy's options).
#pragma once

#include <string>

#include "qtune/base/status.h"
#include "qtune/space/space.h"
#include "qtune/store/store.h"
#include "qtune/study/study_config.h"

namespace qtune::study::detail {

// One line per dimension, "name = [v1, v2, ...]", in dimension order.
std::string space_text(const space::Space& space);

// The study record that `config` would create.
store::StudyRecord study_record(const StudyConfig& config);

// OK if `stored` has the fingerprint of `config`; else kInvalidArgument naming the first
// difference, the study and the storage, and what to do.
base::Status check_same_study(const store::StudyRecord& stored, const StudyConfig& config);

}  // namespace qtune::study::detail
