#include "qtune/study/study.h"

#include <fmt/format.h>

#include <cmath>
#include <set>
#include <utility>
#include <variant>

#include "qtune/store/open_store.h"
#include "qtune/study/combined_metric.h"
#include "qtune/study/compute.h"
#include "study/fingerprint.h"
#include "study/liveness.h"

namespace qtune::study {
namespace {

std::vector<store::Param> params_of(const space::Space& space, space::StateId state) {
  std::vector<store::Param> params;
  for (std::size_t k = 0; k < space.dims(); ++k) {
    params.push_back({space.dimension(k).name, space::format_value(space.value(state, k))});
  }
  return params;
}

TrialToRun to_run(const store::TrialRecord& t, bool resumed) {
  return {t.id, t.number, t.state_id, t.params, t.trajectory, t.remeasure, resumed, t.attempt};
}

}  // namespace

base::Result<std::unique_ptr<Study>> Study::open(StudyConfig config, store::Store& store) {
  std::unique_ptr<Study> study(new Study(std::move(config), store));
  QTUNE_RETURN_IF_ERROR(study->attach());
  return study;
}

base::Result<std::unique_ptr<Study>> Study::open_shared(StudyConfig config, store::Store& store) {
  std::unique_ptr<Study> study(new Study(std::move(config), store));
  study->shared_ = true;
  QTUNE_RETURN_IF_ERROR(study->attach());
  return study;
}

base::Result<std::unique_ptr<Study>> Study::open_read_only(StudyConfig config,
                                                           store::Store& store) {
  std::unique_ptr<Study> study(new Study(std::move(config), store));
  study->read_only_ = true;
  QTUNE_RETURN_IF_ERROR(study->attach());
  return study;
}

base::Status Study::refuse_if_read_only(std::string_view what) const {
  if (!read_only_) return base::Status::ok();
  return base::Status::conflict(
      fmt::format("{}: study \"{}\" is open read-only; open it with Study::open to run it", what,
                  config_.name));
}

base::Status Study::attach() {
  std::lock_guard lock(mutex_);
  default_worker_ = this_worker_id();
  opened_ = std::chrono::steady_clock::now();
  QTUNE_ASSIGN_OR_RETURN(std::optional<store::StudyRecord> stored,
                         store_->find_study(config_.name));
  if (!stored && read_only_) {
    return base::Status::not_found(fmt::format("{}: no study \"{}\" in {}; run it first",
                                               config_.file.string(), config_.name,
                                               config_.storage));
  }
  if (!stored) {
    auto created = store_->create_study(detail::study_record(config_));
    if (created.status().code() == base::StatusCode::kAlreadyExists) {  // another process was first
      QTUNE_ASSIGN_OR_RETURN(stored, store_->find_study(config_.name));
    } else {
      QTUNE_RETURN_IF_ERROR(created.status());
      stored = *std::move(created);
    }
  }
  QTUNE_CHECK(stored.has_value());
  QTUNE_RETURN_IF_ERROR(detail::check_same_study(*stored, config_));
  id_ = stored->id;

  QTUNE_RETURN_IF_ERROR(restore_locked());
  if (read_only_ || shared_) return base::Status::ok();
  // Trials RUNNING now belong to a process that died: their proposals are handed out again.
  QTUNE_ASSIGN_OR_RETURN(const auto running, store_->trials(id_, store::TrialState::kRunning));
  for (const store::TrialRecord& t : running) QTUNE_RETURN_IF_ERROR(store_->interrupt_trial(t.id));
  return base::Status::ok();
}

base::Status Study::restore_locked() {
  QTUNE_ASSIGN_OR_RETURN(auto strategy,
                         agent::make_strategy(config_.space, config_.strategy, config_.seed));
  QTUNE_ASSIGN_OR_RETURN(const std::optional<store::Snapshot> snapshot, store_->snapshot(id_));
  if (snapshot) {
    QTUNE_RETURN_IF_ERROR(
        strategy->restore(snapshot->bytes)
            .with_context(fmt::format("{}: study \"{}\": agent snapshot {} (after trial id {})",
                                      config_.storage, config_.name, snapshot->event,
                                      snapshot->after_trial)));
  }
  strategy_ = std::move(strategy);
  event_ = snapshot ? snapshot->event : 0;
  return base::Status::ok();
}

base::Result<bool> Study::catch_up_locked() {
  QTUNE_ASSIGN_OR_RETURN(const std::optional<store::Snapshot> snapshot, store_->snapshot(id_));
  if ((snapshot ? snapshot->event : 0) == event_) return false;
  QTUNE_RETURN_IF_ERROR(restore_locked());
  return true;
}

base::Status Study::recover_locked(const base::Status& failure) {
  if (failure.code() == base::StatusCode::kConflict) {
    auto caught_up = catch_up_locked();
    if (caught_up.is_ok() && *caught_up) return base::Status::ok();
  }
  const base::Status restored = restore_locked();
  if (!restored.is_ok()) {
    return failure.with_context(fmt::format(
        "the agent could not be brought back in step with the store ({})", restored.to_string()));
  }
  return failure;
}

base::Status Study::lost_races(std::string_view what) const {
  return base::Status::unavailable(
      fmt::format("{}: study \"{}\" in {}: other processes advanced the agent snapshot {} times in "
                  "a row; too many workers "
                  "write at once for this store, try again or use fewer workers",
                  what, config_.name, config_.storage, kMaxSnapshotRaces));
}

base::Result<Ask> Study::ask(std::string_view worker) {
  std::lock_guard lock(mutex_);
  QTUNE_RETURN_IF_ERROR(refuse_if_read_only("ask"));
  const std::string_view who = worker.empty() ? std::string_view(default_worker_) : worker;
  QTUNE_ASSIGN_OR_RETURN(Ask next, ask_locked(who));
  if (next.trial) handed_out_[next.trial->id] = {next.trial->attempt, std::string(who)};
  return next;
}

bool Study::time_up() const {
  const auto& max_time = config_.budget.max_time;
  return max_time && std::chrono::steady_clock::now() - opened_ >= *max_time;
}

base::Result<Ask> Study::ask_locked(std::string_view worker) {
  const auto& budget = config_.budget;
  const bool time_up = this->time_up();
  if (!time_up) {
    QTUNE_ASSIGN_OR_RETURN(const auto interrupted,
                           store_->trials(id_, store::TrialState::kInterrupted));
    for (const store::TrialRecord& t : interrupted) {
      QTUNE_ASSIGN_OR_RETURN(const std::optional<store::TrialRecord> claimed,
                             store_->claim_trial(t.id, worker));
      if (claimed) return Ask{to_run(*claimed, true), false};
    }
  }
  for (int race = 0; race < kMaxSnapshotRaces; ++race) {
    // Counted again after every catch-up: a creation succeeds only if no other one came
    // since, so the budget holds across workers.
    QTUNE_ASSIGN_OR_RETURN(const store::TrialCounts counts, store_->count_trials(id_));
    const Ask none{std::nullopt, counts.running == 0};
    if (time_up) return none;
    if (budget.trials && counts.run() >= *budget.trials) return none;
    if (budget.compute) {
      QTUNE_ASSIGN_OR_RETURN(const std::vector<store::TrialRecord> all, store_->trials(id_));
      const ComputeUse use = compute_use(all);
      const double limit = std::chrono::duration<double>(*budget.compute).count();
      if (use.typical_seconds && *use.typical_seconds > limit) {
        return base::Status::invalid_argument(fmt::format(
            "{}: [budget] compute = {} is smaller than one trial (a typical one takes {}, the "
            "median of {}); raise it, e.g. to {}",
            config_.file.string(), base::format_duration(*budget.compute),
            base::format_duration(
                base::Duration(static_cast<base::Duration::rep>(*use.typical_seconds * 1000))),
            use.measured,
            base::format_duration(base::Duration(
                static_cast<base::Duration::rep>(*use.typical_seconds * 10 * 1000)))));
      }
      if (next_trial_exceeds(use, limit)) return none;
    }

    const std::optional<agent::Proposal> proposal = strategy_->ask();
    if (!proposal) {
      // Another worker's tell may have freed a trajectory; alone, nothing can have changed.
      if (!shared_) return none;
      QTUNE_ASSIGN_OR_RETURN(const bool caught_up, catch_up_locked());
      if (caught_up) continue;
      return none;
    }
    const store::NewTrial trial{proposal->state, params_of(config_.space, proposal->state),
                                proposal->trajectory, proposal->remeasure, std::string(worker)};
    auto record = store_->create_trial(id_, trial, strategy_->snapshot(), event_);
    if (record.is_ok()) {
      ++event_;
      return Ask{to_run(*record, false), false};
    }
    QTUNE_RETURN_IF_ERROR(recover_locked(record.status()));
  }
  return lost_races("ask");
}

base::Status Study::tell(TrialId trial, const Outcome& outcome) {
  std::lock_guard lock(mutex_);
  QTUNE_RETURN_IF_ERROR(refuse_if_read_only("tell"));
  QTUNE_ASSIGN_OR_RETURN(const store::TrialRecord record, store_->trial(trial));
  if (record.study != id_) {
    return base::Status::invalid_argument(
        fmt::format("tell: trial id {} belongs to another study than \"{}\"", trial, config_.name));
  }
  if (record.state != store::TrialState::kRunning) {
    return base::Status::conflict(
        fmt::format("tell: trial {} of study \"{}\" is {}; only a RUNNING trial can be told",
                    record.number, config_.name, store::trial_state_name(record.state)));
  }
  const auto handed_out = handed_out_.find(trial);
  if (handed_out == handed_out_.end() || handed_out->second.attempt != record.attempt) {
    return base::Status::conflict(fmt::format(
        "tell: trial {} of study \"{}\" was not handed out by this process (its worker is {}); "
        "another "
        "process took it over (a second `qtune run`, or a worker that found its heartbeat stale)",
        record.number, config_.name, record.worker));
  }
  // A worker's strategy may not have seen the creation of a trial it claimed after another
  // worker's interruption: the latest snapshot always holds every RUNNING trial's proposal.
  if (shared_) QTUNE_RETURN_IF_ERROR(catch_up_locked().status());
  store::TrialResult result;
  agent::Observation observation;
  observation.cost = outcome.seconds;
  const bool combined = !outcome.components.empty() && !outcome.pruned;
  if (outcome.value && std::isfinite(*outcome.value)) {
    result = {outcome.pruned ? store::TrialState::kPruned : store::TrialState::kComplete,
              outcome.value, outcome.pruned ? outcome.failure_reason : "", outcome.log_tail,
              combined ? outcome.components : std::vector<MetricComponent>{}};
    const bool maximize = config_.direction == store::Direction::kMaximize;
    observation.loss = maximize ? -*outcome.value : *outcome.value;
    if (outcome.pruned) {
      // Told in the metric's units, at least as bad as what the rule judged it against; its
      // intermediate value (stored) may be another quantity (pruning.h).
      QTUNE_ASSIGN_OR_RETURN(const auto complete,
                             store_->trials(id_, store::TrialState::kComplete));
      std::vector<double> losses;
      for (const store::TrialRecord& t : complete) {
        if (t.value) losses.push_back(maximize ? -*t.value : *t.value);
      }
      if (const auto bound = pruned_loss_bound(config_.pruning, std::move(losses))) {
        observation.loss = *bound;
      }
      observation.censored = true;
    }
  } else {
    const std::string reason =
        outcome.value ? fmt::format("the metric is {}", *outcome.value) : outcome.failure_reason;
    result = {store::TrialState::kFailed, std::nullopt, reason, outcome.log_tail, {}};
  }
  for (int race = 0; race < kMaxSnapshotRaces; ++race) {
    if (combined && result.state == store::TrialState::kComplete) {
      // Ranked among the trials finished now; again after a race (others finished meanwhile).
      QTUNE_ASSIGN_OR_RETURN(const auto complete,
                             store_->trials(id_, store::TrialState::kComplete));
      result.value = told_combined_loss(outcome.components, complete);
      observation.loss = *result.value;
    }
    if (record.retries > 0) {  // its proposal was told with the failure already
      strategy_->observe(record.state_id, observation);
    } else {
      strategy_->tell({record.state_id, record.trajectory, record.remeasure}, observation);
    }
    const base::Status finished =
        store_->finish_trial(trial, result, strategy_->snapshot(), event_);
    if (finished.is_ok()) {
      ++event_;
      handed_out_.erase(trial);
      return finished;
    }
    QTUNE_RETURN_IF_ERROR(recover_locked(finished));
  }
  return lost_races("tell");
}

base::Result<AddedResults> Study::add_results(const std::vector<store::ImportedTrial>& results) {
  std::lock_guard lock(mutex_);
  QTUNE_RETURN_IF_ERROR(refuse_if_read_only("add_results"));
  if (config_.trial && std::holds_alternative<exec::CombinedMetric>(config_.trial->metric)) {
    return base::Status::invalid_argument(fmt::format(
        "add_results: study \"{}\" combines metrics ([trial] metric = {{ combine }}) and ranks "
        "trials by their components, which imported results do not have; import into a study "
        "of one metric",
        config_.name));
  }
  const bool maximize = config_.direction == store::Direction::kMaximize;
  for (int race = 0; race < kMaxSnapshotRaces; ++race) {
    QTUNE_ASSIGN_OR_RETURN(const auto complete, store_->trials(id_, store::TrialState::kComplete));
    std::set<std::pair<std::string, double>> known;
    for (const store::TrialRecord& t : complete) {
      if (t.imported() && t.value) known.emplace(t.source, *t.value);
    }
    AddedResults out;
    std::vector<store::ImportedTrial> fresh;
    for (const store::ImportedTrial& r : results) {
      QTUNE_CHECK(!r.source.empty() && r.state_id < config_.space.size());
      if (!known.emplace(r.source, r.value).second) {
        ++out.already;
        continue;
      }
      fresh.push_back(r);
    }
    if (fresh.empty()) return out;
    for (const store::ImportedTrial& r : fresh) {
      strategy_->observe(r.state_id, {maximize ? -r.value : r.value});
    }
    auto added = store_->import_trials(id_, fresh, strategy_->snapshot(), event_);
    if (added.is_ok()) {
      ++event_;
      out.added = std::move(added).value();
      return out;
    }
    QTUNE_RETURN_IF_ERROR(recover_locked(added.status()));
  }
  return lost_races("add_results");
}

base::Status Study::mark_interrupted(TrialId trial) {
  std::lock_guard lock(mutex_);
  QTUNE_RETURN_IF_ERROR(refuse_if_read_only("mark_interrupted"));
  QTUNE_ASSIGN_OR_RETURN(const store::TrialRecord record, store_->trial(trial));
  if (record.study != id_) {
    return base::Status::invalid_argument(fmt::format(
        "mark_interrupted: trial id {} belongs to another study than \"{}\"", trial, config_.name));
  }
  QTUNE_RETURN_IF_ERROR(store_->interrupt_trial(trial));
  handed_out_.erase(trial);
  return base::Status::ok();
}

base::Status Study::set_started_at(TrialId trial, double started_at) {
  std::lock_guard lock(mutex_);
  QTUNE_RETURN_IF_ERROR(refuse_if_read_only("set_started_at"));
  const auto handed_out = handed_out_.find(trial);
  if (handed_out == handed_out_.end()) {
    return base::Status::conflict(fmt::format(
        "set_started_at: trial id {} of study \"{}\" was not handed out by this process", trial,
        config_.name));
  }
  return store_->set_started_at(trial, handed_out->second.worker, started_at);
}

base::Status Study::retry(TrialId trial) {
  std::lock_guard lock(mutex_);
  QTUNE_RETURN_IF_ERROR(refuse_if_read_only("retry"));
  if (shared_) {
    return base::Status::conflict(fmt::format(
        "retry: study \"{}\" is open shared; retry failed trials with `qtune retry`, which runs "
        "the study alone",
        config_.name));
  }
  QTUNE_ASSIGN_OR_RETURN(const store::TrialRecord record, store_->trial(trial));
  if (record.study != id_) {
    return base::Status::invalid_argument(fmt::format(
        "retry: trial id {} belongs to another study than \"{}\"", trial, config_.name));
  }
  return store_->retry_trial(trial);
}

base::Result<std::vector<TrialId>> Study::heartbeat() {
  std::lock_guard lock(mutex_);
  QTUNE_RETURN_IF_ERROR(refuse_if_read_only("heartbeat"));
  std::vector<TrialId> lost;
  for (const auto& [trial, handed_out] : handed_out_) {
    const base::Status beat = store_->heartbeat(trial, handed_out.worker);
    if (beat.code() == base::StatusCode::kConflict) {
      lost.push_back(trial);
    } else {
      QTUNE_RETURN_IF_ERROR(beat);
    }
  }
  for (const TrialId trial : lost) handed_out_.erase(trial);
  return lost;
}

base::Result<std::size_t> Study::interrupt_stale(std::chrono::duration<double> older_than) {
  std::lock_guard lock(mutex_);
  QTUNE_RETURN_IF_ERROR(refuse_if_read_only("interrupt_stale"));
  QTUNE_ASSIGN_OR_RETURN(const std::vector<TrialId> stale,
                         store_->interrupt_stale(id_, older_than.count()));
  std::size_t interrupted = stale.size();
  // A dead process of this host is dead now, whatever its last heartbeat says.
  QTUNE_ASSIGN_OR_RETURN(const auto registered, store_->workers(id_));
  // Registrations of dead workers go (status would list them on).
  const double now = unix_now();
  for (const store::WorkerRecord& w : registered) {
    if (!worker_alive(w, older_than, now))
      QTUNE_RETURN_IF_ERROR(store_->remove_worker(id_, w.worker));
  }
  QTUNE_ASSIGN_OR_RETURN(const auto running, store_->trials(id_, store::TrialState::kRunning));
  for (const store::TrialRecord& t : running) {
    if (!owner_gone_from_this_host(t, registered)) continue;
    const base::Status taken = store_->interrupt_trial(t.id);
    if (taken.is_ok()) {
      ++interrupted;
    } else if (taken.code() != base::StatusCode::kConflict) {  // kConflict: it moved on
      return taken;
    }
  }
  return interrupted;
}

base::Status Study::worker_heartbeat(std::string_view worker) {
  QTUNE_RETURN_IF_ERROR(refuse_if_read_only("worker_heartbeat"));
  return store_->worker_heartbeat(
      id_, this_worker(std::string(worker.empty() ? std::string_view(default_worker_) : worker)));
}

base::Status Study::leave(std::string_view worker) {
  QTUNE_RETURN_IF_ERROR(refuse_if_read_only("leave"));
  return store_->remove_worker(id_, worker.empty() ? std::string_view(default_worker_) : worker);
}

base::Result<std::vector<store::WorkerRecord>> Study::workers() const {
  return store_->workers(id_);
}

base::Result<std::vector<store::TrialRecord>> Study::trials() const { return store_->trials(id_); }

base::Result<std::optional<BestTrial>> Study::best() const {
  QTUNE_ASSIGN_OR_RETURN(const auto all, store_->trials(id_, store::TrialState::kComplete));
  return best_trial(all, config_.direction);
}

base::Status Study::add_progress(TrialId trial, const std::vector<ProgressPoint>& points) {
  QTUNE_RETURN_IF_ERROR(refuse_if_read_only("add_progress"));
  return store_->add_progress(trial, points);
}

base::Result<std::vector<store::TrialProgress>> Study::progress_curves() const {
  return store_->progress(id_);
}

base::Result<Progress> Study::progress() const {
  QTUNE_ASSIGN_OR_RETURN(const store::TrialCounts counts, store_->count_trials(id_));
  QTUNE_ASSIGN_OR_RETURN(std::optional<BestTrial> best_so_far, best());
  std::lock_guard lock(mutex_);
  Progress out{counts.imported,       counts.complete - counts.imported,
               counts.failed,         counts.running,
               counts.interrupted,    counts.run(),
               config_.budget.trials, std::move(best_so_far),
               strategy_->epsilon(),  counts.pruned};
  if (config_.budget.compute) {
    out.compute_budget_seconds = std::chrono::duration<double>(*config_.budget.compute).count();
    QTUNE_ASSIGN_OR_RETURN(const std::vector<store::TrialRecord> all, store_->trials(id_));
    out.compute_spent_seconds = compute_use(all).spent_seconds;
  }
  return out;
}

StrategyResults Study::results() const {
  std::lock_guard lock(mutex_);
  return strategy_results(*strategy_);
}

std::vector<agent::Belief> Study::beliefs(std::span<const space::StateId> states) const {
  std::lock_guard lock(mutex_);
  std::vector<agent::Belief> out = strategy_->beliefs(states);
  // The strategy minimises a loss: a maximised metric was told negated.
  if (config_.direction == store::Direction::kMaximize)
    for (agent::Belief& b : out) b.mean = -b.mean;
  return out;
}

}  // namespace qtune::study
