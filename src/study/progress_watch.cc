#include "study/progress_watch.h"

#include <fmt/format.h>

#include <set>
#include <utility>

namespace qtune::study {
namespace {

// At the end of a trial, at most this many reads (exec::kProgressReadBytes each) of what it
// printed since the last poll.
constexpr int kMaxFinalChunks = 64;

}  // namespace

ProgressWatch::ProgressWatch(Study& study, std::string who, Note note)
    : study_(study), who_(std::move(who)), note_(std::move(note)) {
  active_ = study_.config().trial && study_.config().trial->progress;
}

double ProgressWatch::loss(double value) const {
  return study_.config().direction == store::Direction::kMaximize ? -value : value;
}

void ProgressWatch::started(TrialId id, std::int64_t number, const exec::TrialSpec& spec) {
  if (!active_) return;
  const exec::TrialConfig& trial = *study_.config().trial;
  running_.erase(id);
  running_.emplace(id,
                   Watched{number,
                           exec::ProgressReader(*trial.progress, exec::progress_file(trial, spec)),
                           {},
                           std::nullopt});
}

base::Status ProgressWatch::reload() {
  QTUNE_ASSIGN_OR_RETURN(const std::vector<store::TrialRecord> trials, study_.trials());
  QTUNE_ASSIGN_OR_RETURN(const std::vector<store::TrialProgress> progress,
                         study_.progress_curves());
  std::set<TrialId> complete;
  for (const store::TrialRecord& t : trials)
    if (t.state == store::TrialState::kComplete) complete.insert(t.id);
  finished_curves_.clear();
  other_curves_.clear();
  other_index_.clear();
  for (const store::TrialProgress& p : progress) {
    Curve curve;
    for (const ProgressPoint& point : p.points) curve.push_back({point.step, loss(point.value)});
    if (complete.contains(p.trial)) finished_curves_.push_back(curve);
    other_index_[p.trial] = other_curves_.size();
    other_curves_.push_back(std::move(curve));
  }
  return base::Status::ok();
}

base::Status ProgressWatch::poll(exec::Executor& executor) {
  if (!active_) return base::Status::ok();
  if (!loaded_) {
    QTUNE_RETURN_IF_ERROR(reload());
    loaded_ = true;
  }
  for (auto& [id, watched] : running_) {
    if (watched.pruned) continue;
    std::vector<ProgressPoint> points = watched.reader.read();
    if (points.empty()) continue;
    const base::Status stored = study_.add_progress(id, points);
    // Not RUNNING any more (another worker took it for dead): its end is dealt with elsewhere.
    if (stored.code() == base::StatusCode::kConflict) continue;
    QTUNE_RETURN_IF_ERROR(stored);
    for (const ProgressPoint& p : points) watched.curve.push_back({p.step, loss(p.value)});
    // The others: every trial with progress but this one.
    std::vector<Curve> others;
    for (const auto& [other, index] : other_index_)
      if (other != id) others.push_back(other_curves_[index]);
    for (const auto& [other, w] : running_)
      if (other != id && !other_index_.contains(other)) others.push_back(w.curve);
    PruneDecision decision =
        decide_pruning(study_.config().pruning, finished_curves_, others, watched.curve);
    if (!decision.prune) continue;
    decision.value = points.back().value;  // the raw metric, as it is recorded
    watched.pruned = std::move(decision);
    executor.prune(id);
  }
  return base::Status::ok();
}

base::Result<std::optional<Outcome>> ProgressWatch::finished(const exec::FinishedTrial& done) {
  const auto found = running_.find(done.id);
  if (found == running_.end()) return std::optional<Outcome>();
  Watched watched = std::move(found->second);
  running_.erase(found);
  // What it printed after the last poll: read to the end while it is still RUNNING in the
  // store. A pruned trial keeps the value it was pruned at (what it printed since is dropped).
  if (!watched.pruned && done.outcome.reason != exec::FailureReason::kInterrupted) {
    for (int chunk = 0; chunk < kMaxFinalChunks; ++chunk) {
      const std::uint64_t before = watched.reader.bytes_read();
      const std::vector<ProgressPoint> points = watched.reader.read();
      const base::Status stored = study_.add_progress(done.id, points);
      if (stored.code() == base::StatusCode::kConflict) break;
      QTUNE_RETURN_IF_ERROR(stored);
      if (watched.reader.bytes_read() == before) break;
    }
  }
  const exec::ProgressCounts& counts = watched.reader.counts();
  if (counts.ignored() > 0) {
    note_(fmt::format(
        "{}: trial {}: {} progress value{} ignored ({} not finite, {} with a step not after the "
        "last, {} not numbers, {} lines too long)",
        who_, watched.number, counts.ignored(), counts.ignored() == 1 ? "" : "s", counts.not_finite,
        counts.backwards, counts.unparsable, counts.long_lines));
  }
  if (done.outcome.ok() && counts.points == 0 && counts.ignored() == 0 && !warned_no_match_) {
    warned_no_match_ = true;
    note_(fmt::format(
        "{}: trial {} reported no progress ([trial] progress matched nothing in {} bytes); "
        "pruning never stops a trial without progress; check the regex or file",
        who_, watched.number, watched.reader.bytes_read()));
  }
  if (done.outcome.reason != exec::FailureReason::kInterrupted) loaded_ = false;
  if (done.outcome.reason != exec::FailureReason::kPruned) return std::optional<Outcome>();
  if (!watched.pruned) {
    return base::Status::internal(
        fmt::format("trial {} came back pruned without a pruning decision", watched.number));
  }
  return std::optional<Outcome>(Outcome::pruned_at(watched.pruned->value, watched.pruned->reason));
}

}  // namespace qtune::study
