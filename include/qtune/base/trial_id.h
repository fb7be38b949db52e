// TrialId: a trial's identity, the same number in the store (its row), in the study that
// hands it out and in the executor that runs it. Assigned by the store, unique within it.
#pragma once

#include <cstdint>

namespace qtune {

using TrialId = std::int64_t;

}  // namespace qtune
