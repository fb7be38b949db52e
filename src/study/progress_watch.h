// ProgressWatch: the Runner's part in [pruning]. It reads the intermediate values of the
// trials running here ([trial] progress, exec/progress.h) after every poll, stores them with
// the trial (Store::add_progress), asks the study's pruning rule (pruning.h) about each trial
// that reported something new, and stops the ones the rule gives up on (Executor::prune).
// When such a trial comes back kPruned, outcome() is what the study is told. Private to study.
//
// The curves of the other trials are read from the store (so workers sharing a study see each
// other's), again each time a trial finishes. A trial whose stdout never matched the progress
// regex is never pruned; the first one to finish that way gets one note for the run.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "qtune/base/result.h"
#include "qtune/exec/executor.h"
#include "qtune/exec/progress.h"
#include "qtune/study/pruning.h"
#include "qtune/study/study.h"

namespace qtune::study {

class ProgressWatch {
 public:
  using Note = std::function<void(const std::string&)>;
  // `study` must outlive the watch. `who` starts every note.
  ProgressWatch(Study& study, std::string who, Note note);

  // A trial started on the executor (reading begins at its file's start).
  void started(TrialId id, std::int64_t number, const exec::TrialSpec& spec);
  // Reads new progress of every running trial, stores it and prunes by the rule.
  base::Status poll(exec::Executor& executor);
  // The outcome to tell for a trial that finished: for a kPruned one, its last value and the
  // rule's reason; nullopt for any other (the caller tells its own outcome). Forgets the trial
  // and, when it finished, reloads the other trials' curves.
  base::Result<std::optional<Outcome>> finished(const exec::FinishedTrial& done);

 private:
  struct Watched {
    std::int64_t number = 0;
    exec::ProgressReader reader;
    Curve curve;  // loss form
    std::optional<PruneDecision> pruned;
  };
  base::Status reload();
  double loss(double value) const;

  Study& study_;
  std::string who_;
  Note note_;
  bool active_ = false;  // [trial] progress is set
  std::map<TrialId, Watched> running_;
  std::vector<Curve> finished_curves_;  // COMPLETE trials, loss form
  std::vector<Curve> other_curves_;     // every trial with progress, loss form
  std::map<TrialId, std::size_t> other_index_;
  bool loaded_ = false;  // the curves above are the store's since the last finish
  bool warned_no_match_ = false;
};

}  // namespace qtune::study
