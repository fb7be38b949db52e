// FolderScorer::score_table: the evaluation table behind the built-in metric source.
#include <utility>

#include "qtune/metrics/folder_scorer.h"

namespace qtune::metrics {

base::Result<double> FolderScorer::score_table(
    TableMetric metric, const std::filesystem::path& reference,
    const std::filesystem::path& generated,
    const std::map<std::string, std::filesystem::path>& weights_for) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = tables_.find(weights_for);
  if (it == tables_.end()) {
    it = tables_.emplace(weights_for, EvaluationTable(TableOptions{weights_for, options_.threads}))
             .first;
  }
  QTUNE_ASSIGN_OR_RETURN(const std::vector<Image> stimuli, read_image_folder(reference));
  QTUNE_ASSIGN_OR_RETURN(const std::vector<Image> recons, read_image_folder(generated));
  QTUNE_ASSIGN_OR_RETURN(const TableScore score, it->second.score(metric, stimuli, recons));
  return score.value;
}

}  // namespace qtune::metrics
