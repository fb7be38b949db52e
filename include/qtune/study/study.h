// Study: one study file's space and strategy, driven through ask/tell, with every trial and
// the agent's state kept in a Store. The primitive the `qtune run` loop and workers are
// built on (Optuna's ask/tell shape):
//
//   QTUNE_ASSIGN_OR_RETURN(auto study, Study::open(config, *store));
//   while (true) {
//     QTUNE_ASSIGN_OR_RETURN(Ask next, study->ask());
//     if (next.finished) break;
//     if (!next.trial) { wait for a running trial to be told; continue; }
//     ... run next.trial->params ...
//     QTUNE_RETURN_IF_ERROR(study->tell(next.trial->id, Outcome::success(fid)));
//   }
//
// Resume: open() of an existing study restores the strategy from its latest snapshot (saved
// with every trial creation and finish, in the same transaction), marks trials left RUNNING
// by a killed process INTERRUPTED, and ask() hands interrupted trials out again (same
// number, same proposal) before anything new. So no finished trial is lost or repeated, and
// the proposals continue exactly as an uninterrupted run with the same seed would make them.
// Exclusive (open): one process drives the study; open() takes every RUNNING trial for dead.
//
// Shared (open_shared): several processes (`qtune worker`, on any hosts) drive one study at
// once. open_shared() leaves RUNNING trials alone; a worker that dies is found by its old
// heartbeat (interrupt_stale), and its trials are handed out again like any interrupted one.
// The agent state is one snapshot in the store, written with optimistic concurrency: each
// creation or finish names the snapshot event this Study's strategy is at; when another
// process wrote in between, the store refuses, and the Study restores the strategy from the
// latest snapshot and asks or tells again (at most kMaxSnapshotRaces times in a row, then
// kUnavailable). open() re-reads nothing; a shared Study reads the snapshot before each tell
// (a trial it claimed may have been created after its strategy's state) and when its strategy
// has nothing to propose (another worker may have freed a trajectory). The budget (trials)
// counts every worker's trials. A Study tells only trials it handed out. Each running trial
// holds one of the strategy's trajectories: give it as many as trials run at once over all
// workers, or the others wait.
//
// Determinism: as long as the strategy's ask() never returns nullopt in between (it does
// so while every trajectory waits for a pending proposal), the proposals of several Study
// objects interleaving ask/tell are exactly those of one Study making the same calls in the
// same order, since every call is applied to the strategy restored from the latest snapshot.
//
// Budget: trials counts every trial ever created (COMPLETE, FAILED, RUNNING, INTERRUPTED);
// each is a real evaluation, and re-measurements count. Imported results (add_results,
// `qtune import`) are not: they were measured before, and `[budget] trials = 40` after
// importing 150 results still runs 40 new configurations. max_time bounds one session (from
// open()); running trials finish, but no new one starts after it. compute (the trial time
// of all trials summed, compute.h) ends the study when the next trial would likely exceed it;
// ask() refuses (kInvalidArgument) a budget smaller than one typical trial.
//
// Values are the raw metric; for a maximised metric the strategy sees its negation. With a
// combined metric ([trial] metric = { combine }), the value is the loss its components rank to
// when the trial is told (combined_metric.h), and the study's direction is minimize. A
// failed trial reaches the strategy as a failure, and the strategy applies its penalty; a
// pruned one as a censored loss (Outcome::pruned).
//
// Thread-safe: one mutex serialises every call, so worker threads may share a Study.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "qtune/agent/strategy.h"
#include "qtune/base/result.h"
#include "qtune/store/store.h"
#include "qtune/study/results.h"
#include "qtune/study/study_config.h"

namespace qtune::study {

// A trial to run.
struct TrialToRun {
  TrialId id = 0;
  std::int64_t number = 0;
  space::StateId state = 0;
  std::vector<store::Param> params;  // dimension order, values as they reach a command line
  std::uint32_t trajectory = 0;
  bool remeasure = false;
  bool resumed = false;      // handed out again after an interruption
  std::int64_t attempt = 0;  // 0 the first time, +1 each time it is handed out again
};

// How often in a row a Study may find the snapshot moved on before giving up.
inline constexpr int kMaxSnapshotRaces = 50;

struct Ask {
  std::optional<TrialToRun> trial;  // set: run it
  // Without a trial: true when the study is over (budget spent, time up or strategy
  // exhausted, and nothing running); false when it must wait for a running trial.
  bool finished = false;
};

// How a trial ended. A value that is not finite counts as a failure.
struct Outcome {
  std::optional<double> value;  // the raw metric; nullopt: failed
  std::string failure_reason;   // failed: why; pruned: the pruning rule's reason
  std::string log_tail;
  // Stopped early by [pruning]: `value` is its last intermediate value, recorded PRUNED (not a
  // failure). The strategy is told a censored loss in the metric's units instead: the
  // finished trials' value the rule judged it against (pruned_loss_bound, pruning.h).
  bool pruned = false;
  // How long the trial ran (seconds); told to the strategy as its cost (Observation::cost).
  std::optional<double> seconds = std::nullopt;
  // A combined metric's components ([trial] metric = { combine }): tell() then ignores `value`
  // (any finite number marks a success) and tells and stores the loss the components rank to
  // among the finished trials (combined_metric.h), the components beside it.
  std::vector<MetricComponent> components{};

  static Outcome success(double value) { return {value, "", "", false, std::nullopt, {}}; }
  static Outcome combined(std::vector<MetricComponent> components) {
    return {0.0, "", "", false, std::nullopt, std::move(components)};
  }
  static Outcome failure(std::string reason, std::string log_tail = "") {
    return {std::nullopt, std::move(reason), std::move(log_tail), false, std::nullopt, {}};
  }
  static Outcome pruned_at(double last_value, std::string reason) {
    return {last_value, std::move(reason), "", true, std::nullopt, {}};
  }
};

struct Progress {
  std::size_t imported = 0;  // imported results (not in complete, not in the budget)
  std::size_t complete = 0;
  std::size_t failed = 0;
  std::size_t running = 0;
  std::size_t interrupted = 0;
  std::size_t evaluations = 0;          // every trial created: what the budget counts
  std::optional<std::uint64_t> budget;  // [budget] trials
  std::optional<BestTrial> best;
  std::optional<double> epsilon;
  std::size_t pruned = 0;  // stopped early by [pruning] (not failures; counted in evaluations)
  double compute_spent_seconds = 0;                             // trial time so far (compute.h)
  std::optional<double> compute_budget_seconds = std::nullopt;  // [budget] compute
};

// What add_results did: the trials it added, and how many results it found imported already.
struct AddedResults {
  std::vector<store::TrialRecord> added;
  std::size_t already = 0;
};

class Study {
 public:
  // Creates the study in `store` or resumes it. kInvalidArgument if the stored study was
  // created with another [space], [strategy], direction or seed (the message shows the
  // first difference). `store` must outlive the Study.
  static base::Result<std::unique_ptr<Study>> open(StudyConfig config, store::Store& store);
  // The same study shared with other processes (see above): RUNNING trials are left alone.
  static base::Result<std::unique_ptr<Study>> open_shared(StudyConfig config, store::Store& store);
  // For readers (`qtune status/best/export`) while a run may be live: the study must exist
  // (kNotFound otherwise), RUNNING trials are left alone, and ask, tell, mark_interrupted,
  // heartbeat and interrupt_stale are refused (kConflict). The strategy is restored from the latest
  // snapshot.
  static base::Result<std::unique_ptr<Study>> open_read_only(StudyConfig config,
                                                             store::Store& store);

  // The next trial for `worker` (default "host:pid"), or why there is none (see Ask).
  base::Result<Ask> ask(std::string_view worker = {});
  // Records the outcome of a RUNNING trial of this study and tells the strategy, in one
  // store transaction. kConflict if the trial is not RUNNING (told or interrupted already)
  // or was not handed out by this Study (another process took the study over);
  // kNotFound / kInvalidArgument for an id that is not a trial of this study.
  base::Status tell(TrialId trial, const Outcome& outcome);
  // RUNNING -> INTERRUPTED (Ctrl-C): the proposal is handed out again by the next ask(),
  // in this session or after a restart.
  base::Status mark_interrupted(TrialId trial);
  // A trial this Study handed out, whose executor took over the process or job of an earlier
  // run: its record's started_at becomes that run's real start (Unix seconds).
  base::Status set_started_at(TrialId trial, double started_at);
  // FAILED -> INTERRUPTED (`qtune retry`): ask() hands it out again, same number and proposal,
  // its attempt and retries counting on; the budget is not touched. Its new outcome reaches
  // the strategy as a measurement it did not propose (agent::Strategy::observe), as its
  // proposal was told with the failure already. kConflict if it is not FAILED or the Study is
  // read-only or shared (retry only what nobody else runs).
  base::Status retry(TrialId trial);
  // Sends a heartbeat for every trial this Study handed out and that was not told yet.
  // Returns the trials it lost: another process took them for dead (interrupt_stale) and may
  // run them again; their outcome must not be told, and the caller should stop them.
  base::Result<std::vector<TrialId>> heartbeat();
  // Marks RUNNING trials whose last heartbeat is older than `older_than`, or whose worker is a
  // process of this host that has ended (liveness.h), INTERRUPTED, so that ask() hands them out
  // again; returns how many. Registrations of dead workers are removed.
  base::Result<std::size_t> interrupt_stale(std::chrono::duration<double> older_than);
  // Registers `worker` (empty: default_worker()) as a process running this study, or moves
  // its registration's heartbeat to now, so that others see it also while it has no trial.
  base::Status worker_heartbeat(std::string_view worker);
  // Unregisters `worker` (empty: default_worker()): it ends.
  base::Status leave(std::string_view worker);
  // The registered workers (store::WorkerRecord), live or not.
  base::Result<std::vector<store::WorkerRecord>> workers() const;

  // Adds results measured before the study as COMPLETE trials marked imported (their
  // source kept), and tells the strategy each one (agent::Strategy::observe) so that its
  // next proposal starts from them; all in one store transaction. Idempotent: a result
  // whose source and value match an imported trial (or an earlier one of the list) is
  // counted in `already` and not added again. Imported trials never run and are not in the
  // budget. kConflict when read-only.
  base::Result<AddedResults> add_results(const std::vector<store::ImportedTrial>& results);

  // Intermediate values of a RUNNING trial this Study handed out ([trial] progress; see
  // Store::add_progress). kConflict when read-only or the trial is not RUNNING any more.
  base::Status add_progress(TrialId trial, const std::vector<ProgressPoint>& points);
  // The intermediate values of the study's trials (Store::progress).
  base::Result<std::vector<store::TrialProgress>> progress_curves() const;

  base::Result<Progress> progress() const;
  base::Result<std::vector<store::TrialRecord>> trials() const;
  // The best measured trial (nullopt before the first success).
  base::Result<std::optional<BestTrial>> best() const;
  // The strategy's view of the learned policy and its recommendation (results.h).
  StrategyResults results() const;
  // What the strategy's model predicts for the metric at `states`, in the metric's own
  // direction (raw values); empty without a model (agent::Strategy::beliefs).
  std::vector<agent::Belief> beliefs(std::span<const space::StateId> states) const;

  const StudyConfig& config() const { return config_; }
  // Whether [budget] max_time has passed since open(): ask() starts nothing new.
  bool time_up() const;
  bool shared() const { return shared_; }
  // The worker id ask() uses by default: this_worker_id() (liveness.h).
  const std::string& default_worker() const { return default_worker_; }
  store::StudyId id() const { return id_; }

 private:
  struct HandedOut {
    std::int64_t attempt = 0;
    std::string worker;
  };

  Study(StudyConfig config, store::Store& store) : config_(std::move(config)), store_(&store) {}
  // Finds (or, unless read-only, creates) the study record and restores the strategy; a
  // writer also takes the trials left RUNNING for interrupted.
  base::Status attach();
  base::Status refuse_if_read_only(std::string_view what) const;
  base::Result<Ask> ask_locked(std::string_view worker);
  // strategy_ and event_ as the store's latest snapshot has them.
  base::Status restore_locked();
  // Restores from the store when another process advanced the snapshot; true if it did.
  base::Result<bool> catch_up_locked();
  // After the store refused a write: when the snapshot moved on, catches up and returns ok
  // (ask or tell again); otherwise restores the strategy (it advanced in memory before the
  // store refused) and returns `failure`.
  base::Status recover_locked(const base::Status& failure);
  base::Status lost_races(std::string_view what) const;

  StudyConfig config_;  // strategy_ keeps a pointer to config_.space
  store::Store* store_;
  store::StudyId id_ = 0;
  bool read_only_ = false;
  bool shared_ = false;
  std::string default_worker_;
  std::chrono::steady_clock::time_point opened_;
  mutable std::mutex mutex_;
  std::unique_ptr<agent::Strategy> strategy_;  // guarded by mutex_
  std::int64_t event_ = 0;  // the snapshot event strategy_ is at (0: none yet); guarded by mutex_
  // Trials that ask() handed out and that were not told or interrupted since, with the
  // attempt they were handed out at and to whom. Guarded by mutex_.
  std::unordered_map<TrialId, HandedOut> handed_out_;
};

}  // namespace qtune::study
