#include "qtune/study/compute.h"

#include <algorithm>

#include "study/median.h"

namespace qtune::study {
using detail::median;

ComputeUse compute_use(const std::vector<store::TrialRecord>& trials) {
  ComputeUse use;
  std::vector<double> complete;
  std::vector<double> finished;
  std::vector<double> running;
  for (const store::TrialRecord& t : trials) {
    if (t.imported()) continue;
    if (t.finished_at) {
      const double seconds = std::max(0.0, *t.finished_at - t.started_at);
      use.spent_seconds += seconds;
      finished.push_back(seconds);
      if (t.state == store::TrialState::kComplete) complete.push_back(seconds);
    } else if (t.state == store::TrialState::kRunning) {
      const double seconds = std::max(0.0, t.heartbeat_at - t.started_at);
      use.spent_seconds += seconds;
      running.push_back(seconds);
    }
  }
  const std::vector<double>& typical = complete.empty() ? finished : complete;
  if (!typical.empty()) {
    use.typical_seconds = median(typical);
    use.measured = typical.size();
  }
  use.committed_seconds = use.spent_seconds;
  for (const double so_far : running)
    use.committed_seconds += std::max(0.0, use.typical_seconds.value_or(0) - so_far);
  return use;
}

bool next_trial_exceeds(const ComputeUse& use, double budget_seconds) {
  return use.committed_seconds + use.typical_seconds.value_or(0) > budget_seconds ||
         use.spent_seconds >= budget_seconds;
}

}  // namespace qtune::study
