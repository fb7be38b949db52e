#include "exec/slurm/slurm_executor.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <optional>
#include <thread>
#include <utility>

#include "base/text_file.h"
#include "exec/background_outcomes.h"
#include "exec/slurm/slurm_commands.h"
#include "exec/slurm/slurm_job.h"
#include "exec/trial_run.h"

namespace qtune::exec {
namespace {

using Clock = std::chrono::steady_clock;
constexpr base::Duration kWaitStep{50};     // between status-file checks in wait_any()
constexpr base::Duration kCancelPoll{100};  // squeue interval while cancel_all() waits
constexpr std::chrono::seconds kCancelLimit{30};
// sbatch retries after a transient refusal (controller unreachable): 1 s, doubling up to 1 min.
constexpr base::Duration kFirstRetry{1'000};
constexpr base::Duration kLongestRetry{60'000};
// How long a recorded signal waits for Slurm to finish ending the job (KillWait, epilog).
constexpr std::chrono::seconds kSignalSettleLimit{60};

base::Duration since(Clock::time_point start) {
  return std::chrono::duration_cast<base::Duration>(Clock::now() - start);
}

// A file's modification time; nullopt when it does not exist.
std::optional<std::filesystem::file_time_type> modified(const std::filesystem::path& path) {
  std::error_code error;
  const auto time = std::filesystem::last_write_time(path, error);
  if (error) return std::nullopt;
  return time;
}

// The job's own run time: from job.sh's start to its exit status, both stamped by the file
// system (one clock); nullopt without both.
std::optional<base::Duration> recorded_run_time(const std::filesystem::path& trial_dir) {
  const auto started = modified(trial_dir / detail::kJobStartedFile);
  const auto ended = modified(trial_dir / detail::kExitStatusFile);
  if (!started || !ended) return std::nullopt;
  return std::max(base::Duration{0}, std::chrono::duration_cast<base::Duration>(*ended - *started));
}

bool is_running_state(const std::string& state) {
  return state == "RUNNING" || state == "COMPLETING";
}

// A job in any other state (COMPLETED, CANCELLED, TIMEOUT, ...) has left the queue, also when
// squeue lists it (SQUEUE_STATES=all in the user's environment).
bool is_queued_state(const std::string& state) {
  static constexpr std::string_view kQueued[] = {
      "PENDING",      "CONFIGURING", "RUNNING",  "COMPLETING", "SUSPENDED", "REQUEUED",
      "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING", "SIGNALING",  "STAGE_OUT", "STOPPED"};
  return std::find(std::begin(kQueued), std::end(kQueued), state) != std::end(kQueued);
}

}  // namespace

struct SlurmExecutor::State {
  struct Job {
    TrialSpec spec;      // spec.dir absolute
    std::string id;      // Slurm's job id; empty while the submission waits for a retry
    std::string name;    // the job name
    std::string script;  // job.sh's text
    std::filesystem::path workdir;
    TemplateValues values;
    Clock::time_point submitted;
    std::optional<Clock::time_point>
        running_since;  // first seen running by squeue, or job.sh's start when taken over
    std::optional<Clock::time_point> left_queue;  // first missing from squeue
    std::optional<FailureReason> stopped_for;     // kTimeout, kInterrupted, kPruned: scancelled
    std::optional<Clock::time_point>
        signal_seen;  // job.sh recorded a signal while squeue listed the job
    // Not submitted yet: sbatch could not reach Slurm; tried again at retry_at.
    Clock::time_point retry_at{};
    base::Duration retry_wait{0};
    int failed_submissions = 0;
    bool submitted_yet() const { return !id.empty(); }
    // Taken over from an earlier qtune after it had left the queue without an exit status.
    bool ended_unwatched = false;
    std::string pending_reason;     // squeue's reason while the job is pending
    bool pending_too_long = false;  // scancelled after [trial.slurm] max_pending
  };

  TrialConfig config;
  SlurmExecutorOptions options;
  std::unique_ptr<detail::SlurmCommands> commands;
  std::vector<Job> jobs;
  std::vector<FinishedTrial> finished;  // launch failures, handed out by the next poll()
  std::vector<std::string> notes;       // for take_notes()
  std::vector<TakenOver> taken_over;    // for take_taken_over()
  Clock::time_point next_squeue{};
  // Last: its thread stops before the members it reads (config, options) go.
  detail::BackgroundOutcomes outcomes{config, options.builtin};

  // Marks the jobs stopped for `reason` (unless already stopped) and scancels them at once.
  void stop(const std::vector<Job*>& selected, FailureReason reason) {
    std::vector<std::string> ids;
    for (Job* job : selected) {
      if (job->stopped_for || !job->submitted_yet()) continue;
      job->stopped_for = reason;
      std::ofstream(job->spec.dir / detail::kCancelledFile, std::ios::trunc) << job->id;
      ids.push_back(job->id);
    }
    commands->cancel(ids);
  }

  // Asks squeue about every job; a failed squeue leaves them as they were.
  void refresh_queue(Clock::time_point now) {
    next_squeue = now + config.slurm.poll_interval;
    std::vector<std::string> ids;
    for (const Job& job : jobs) {
      if (job.submitted_yet()) ids.push_back(job.id);
    }
    if (ids.empty()) return;
    std::map<std::string, std::string> reasons;
    const auto states = commands->queue_states(ids, {}, &reasons);
    if (!states.is_ok()) return;
    std::vector<Job*> pending_too_long;
    for (Job& job : jobs) {
      if (!job.submitted_yet()) continue;
      const auto found = states->find(job.id);
      if (found == states->end() || !is_queued_state(found->second)) {
        if (!job.left_queue) job.left_queue = now;
      } else if (is_running_state(found->second) && !job.running_since) {
        job.running_since = now;
      } else if (found->second == "PENDING" && !job.running_since) {
        note_pending(job, reasons[job.id]);
        if (config.slurm.max_pending.count() > 0 && !job.stopped_for &&
            now - job.submitted > config.slurm.max_pending) {
          job.pending_too_long = true;
          pending_too_long.push_back(&job);
        }
      }
    }
    stop(pending_too_long, FailureReason::kTimeout);
  }

  // Says why a pending job waits, when that changes (not for "None": just submitted).
  void note_pending(Job& job, const std::string& reason) {
    if (reason == job.pending_reason) return;
    job.pending_reason = reason;
    if (reason.empty() || reason == "None") return;
    notes.push_back(
        fmt::format("trial {}: Slurm job {} is pending ({})", job.spec.number, job.id, reason));
  }

  // Whether a job's recorded end must wait for Slurm. A signal may be Slurm's doing (scancel
  // from outside, time limit): Slurm's state says so only once the job has left the queue,
  // and squeue and scontrol show COMPLETING until then. Bounded, as squeue may keep failing.
  bool awaits_slurm(Job& job, const std::optional<detail::RecordedEnd>& recorded,
                    Clock::time_point now) const {
    if (!recorded || recorded->kind != detail::RecordedEnd::Kind::kSignal || job.stopped_for ||
        job.left_queue) {
      return false;
    }
    if (!job.signal_seen) job.signal_seen = now;
    return now - *job.signal_seen < kSignalSettleLimit;
  }

  // The outcome of a job that wrote its exit status `text` (`recorded`: parsed, nullopt if it
  // is not one), or nullopt when it went to the thread of `outcomes` (the built-in metric).
  std::optional<TrialOutcome> recorded_outcome(const Job& job, const std::string& text,
                                               const std::optional<detail::RecordedEnd>& recorded) {
    detail::TrialEnd end;
    end.elapsed =
        recorded_run_time(job.spec.dir).value_or(since(job.running_since.value_or(job.submitted)));
    end.stopped_for = job.stopped_for;
    if (recorded && recorded->kind == detail::RecordedEnd::Kind::kLaunch && !job.stopped_for) {
      TrialOutcome outcome;
      outcome.reason = FailureReason::kLaunch;
      outcome.exit_code = recorded->value;
      outcome.message = fmt::format("{}: no such program on the compute node",
                                    detail::trial_argv(config, job.values)[0]);
      outcome.log_tail = detail::trial_log_tail(job.spec);
      outcome.elapsed = end.elapsed;
      return outcome;
    }
    if (recorded && recorded->kind == detail::RecordedEnd::Kind::kSignal && !job.stopped_for) {
      if (const auto slurm = terminated_by_slurm(job)) return ended_by_slurm(job, *slurm);
    }
    if (!recorded) {
      end.exit_code = 255;  // unreadable: reported as an exit failure with the file's text
    } else if (recorded->kind == detail::RecordedEnd::Kind::kSignal) {
      end.signal = recorded->value;
    } else {
      end.exit_code = recorded->value;
    }
    std::optional<TrialOutcome> outcome = outcomes.finish(job.spec, job.workdir, job.values, end);
    if (outcome && !recorded && !job.stopped_for) {
      outcome->message =
          fmt::format("{}: \"{}\" is not an exit status; expected exit=N or signal=N",
                      (job.spec.dir / detail::kExitStatusFile).string(), text);
    }
    return outcome;
  }

  // A job that left the queue without an exit status: qtune stopped it, or Slurm says why;
  // nullopt when Slurm still has it queued (squeue missed it).
  std::optional<TrialOutcome> lost_outcome(const Job& job) const {
    detail::TrialEnd end;
    end.elapsed = since(job.running_since.value_or(job.submitted));
    end.stopped_for = job.stopped_for;
    if (job.pending_too_long) {
      TrialOutcome outcome;
      outcome.reason = FailureReason::kTimeout;
      outcome.message = fmt::format(
          "Slurm job {} was still pending after [trial.slurm] max_pending = {} ({}); it never "
          "started and was cancelled",
          job.id, base::format_duration(config.slurm.max_pending),
          job.pending_reason.empty() ? "no reason given" : job.pending_reason);
      outcome.elapsed = end.elapsed;
      return outcome;
    }
    if (job.stopped_for) {
      return detail::trial_outcome(config, options.builtin, job.spec, job.workdir, job.values, end);
    }
    const std::optional<detail::SlurmJobEnd> slurm = commands->job_end(job.id);
    if (slurm && is_queued_state(slurm->state)) return std::nullopt;
    if (!slurm) {
      TrialOutcome outcome;
      outcome.reason = FailureReason::kSignal;
      outcome.message =
          job.ended_unwatched
              ? fmt::format(
                    "Slurm job {} ended while qtune was not watching: time limit, cancel "
                    "or node failure (Slurm no longer knows it and has no accounting)",
                    job.id)
              : fmt::format("Slurm job {}: job left the queue without an exit status", job.id);
      outcome.log_tail = detail::trial_log_tail(job.spec);
      outcome.elapsed = end.elapsed;
      return outcome;
    }
    return ended_by_slurm(job, *slurm);
  }

  // A job Slurm ended (scancel from outside, time limit, node failure, ...), named by its
  // state: TIMEOUT is kTimeout, the others kSignal.
  TrialOutcome ended_by_slurm(const Job& job, const detail::SlurmJobEnd& slurm) const {
    TrialOutcome outcome;
    outcome.reason = slurm.state == "TIMEOUT" ? FailureReason::kTimeout : FailureReason::kSignal;
    outcome.message = fmt::format("Slurm job {} ended {} (reason {}, exit code {})", job.id,
                                  slurm.state, slurm.reason.empty() ? "none" : slurm.reason,
                                  slurm.exit_code.empty() ? "unknown" : slurm.exit_code);
    outcome.log_tail = detail::trial_log_tail(job.spec);
    outcome.elapsed = since(job.running_since.value_or(job.submitted));
    return outcome;
  }

  // Slurm's state when it terminated the job itself: the program then died of the signal
  // Slurm sent, which job.sh records when the program's death reaches it before its own
  // SIGTERM does.
  std::optional<detail::SlurmJobEnd> terminated_by_slurm(const Job& job) const {
    static constexpr std::string_view kTerminated[] = {
        "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "DEADLINE", "OUT_OF_MEMORY", "BOOT_FAIL"};
    std::optional<detail::SlurmJobEnd> slurm = commands->job_end(job.id);
    if (!slurm || std::find(std::begin(kTerminated), std::end(kTerminated), slurm->state) ==
                      std::end(kTerminated)) {
      return std::nullopt;
    }
    return slurm;
  }

  void collect(std::vector<FinishedTrial>& out) {
    const Clock::time_point now = Clock::now();
    if (!jobs.empty() && now >= next_squeue) refresh_queue(now);
    // A status file may reach this machine a little after its job left the queue (a shared
    // file system's caches): wait two squeue intervals for it before asking Slurm.
    const base::Duration lost_grace = 2 * config.slurm.poll_interval;
    for (auto it = jobs.begin(); it != jobs.end();) {
      std::optional<TrialOutcome> outcome;
      bool ended = false;
      if (!it->submitted_yet()) {
        ended = retry_submission(*it, now, outcome);
      } else if (const auto text = base::read_small_file(it->spec.dir / detail::kExitStatusFile)) {
        const std::optional<detail::RecordedEnd> recorded = detail::parse_exit_status(*text);
        if (awaits_slurm(*it, recorded, now)) {
          ++it;
          continue;
        }
        outcome = recorded_outcome(*it, *text, recorded);
        ended = true;  // without an outcome: on the thread of `outcomes`
      } else if (it->left_queue && (it->stopped_for || now - *it->left_queue >= lost_grace)) {
        outcome = lost_outcome(*it);
        ended = outcome.has_value();
        if (!outcome) it->left_queue.reset();
      }
      if (ended) {
        if (outcome) out.push_back({it->spec.id, std::move(*outcome)});
        it = jobs.erase(it);
      } else {
        ++it;
      }
    }
    std::vector<Job*> timed_out;
    for (Job& job : jobs) {
      // A job whose program has died (signal_seen) is not timed out: its end is Slurm's to name.
      if (config.timeout.count() > 0 && job.running_since && !job.signal_seen &&
          now - *job.running_since > config.timeout) {
        timed_out.push_back(&job);
      }
    }
    stop(timed_out, FailureReason::kTimeout);
  }

  // Submits a job whose earlier sbatch failed transiently, once its retry is due; true when
  // it failed for good (`outcome`: the launch failure).
  bool retry_submission(Job& job, Clock::time_point now, std::optional<TrialOutcome>& outcome) {
    if (now < job.retry_at) return false;
    auto id = submit(job.spec, job.workdir, job.values, job.name, job.script);
    if (id.is_ok()) {
      job.id = std::move(id).value();
      job.submitted = Clock::now();
      notes.push_back(fmt::format("trial {}: submitted as Slurm job {} after {} failed sbatch{}",
                                  job.spec.number, job.id, job.failed_submissions,
                                  job.failed_submissions == 1 ? "" : "es"));
      return false;
    }
    if (id.status().code() == base::StatusCode::kUnavailable) {
      postpone(job, id.status().message());
      return false;
    }
    outcome = detail::launch_failure(job.spec, id.status().message()).outcome;
    return true;
  }

  // sbatch could not reach Slurm: the trial did not start and is submitted again later.
  void postpone(Job& job, const std::string& message) {
    ++job.failed_submissions;
    job.retry_wait =
        job.retry_wait.count() == 0 ? kFirstRetry : std::min(2 * job.retry_wait, kLongestRetry);
    job.retry_at = Clock::now() + job.retry_wait;
    notes.push_back(fmt::format("trial {}: sbatch failed ({}); not started, trying again in {}",
                                job.spec.number, message, base::format_duration(job.retry_wait)));
  }

  // How an earlier qtune's job of a trial is taken over.
  enum class Earlier { kNone, kQueued, kRecorded, kEndedUnwatched };

  // The job an earlier qtune submitted for this trial and then died (killed, its node lost):
  // taken over when it runs the script this qtune would write, was not cancelled by qtune,
  // and is still in the queue (kQueued), has recorded its end (kRecorded), or started (job.sh
  // created job_started) and left the queue without recording an end (kEndedUnwatched: Slurm
  // ended it, its time limit, a scancel or a node failure; it fails with what Slurm knows and
  // is not run again). kNone otherwise: a job that never started is submitted again.
  Earlier earlier_job(const TrialSpec& spec, const std::string& name, const std::string& script,
                      std::string& id) {
    const std::optional<std::string> previous =
        base::read_small_file(spec.dir / detail::kJobIdFile);
    if (!previous || base::read_small_file(spec.dir / detail::kCancelledFile) == previous ||
        base::read_small_file(spec.dir / detail::kJobScriptFile) != script) {
      return Earlier::kNone;
    }
    id = *previous;
    // squeue before the status file: job.sh writes the file before the job leaves the queue,
    // so a job that ends in between is seen by one of the two. The name check keeps an id
    // that the cluster has given to another job since safe.
    const auto states = commands->queue_states({*previous}, name);
    if (std::filesystem::exists(spec.dir / detail::kExitStatusFile)) return Earlier::kRecorded;
    // squeue failing (the controller down): taken over rather than risking a second run of it;
    // polling finds out later whether it is still queued.
    if (!states.is_ok()) return Earlier::kQueued;
    const auto found = states->find(*previous);
    if (found != states->end() && is_queued_state(found->second)) return Earlier::kQueued;
    return std::filesystem::exists(spec.dir / detail::kJobStartedFile) ? Earlier::kEndedUnwatched
                                                                       : Earlier::kNone;
  }

  // Writes the job script and submits it, after cancelling an earlier job of the trial that
  // must not run on beside this one; an error is the trial's launch failure message.
  base::Result<std::string> submit(const TrialSpec& spec, const std::filesystem::path& workdir,
                                   const TemplateValues& values, const std::string& name,
                                   const std::string& script_text) {
    if (const auto previous = base::read_small_file(spec.dir / detail::kJobIdFile))
      commands->cancel({*previous}, name);
    std::error_code error;
    for (const std::string_view stale :
         {detail::kExitStatusFile, detail::kJobStartedFile, detail::kCancelledFile}) {
      std::filesystem::remove(spec.dir / stale, error);
    }
    {
      std::ofstream script(spec.dir / detail::kJobScriptFile, std::ios::trunc);
      script << script_text;
      if (!script.flush()) {
        return base::Status::io_error(fmt::format("{}: cannot write the job script",
                                                  (spec.dir / detail::kJobScriptFile).string()));
      }
    }
    const std::vector<std::string> env =
        detail::environment_with(detail::trial_variables(config, spec, values));
    auto id =
        commands->submit(detail::sbatch_arguments(config.slurm, name, workdir, spec.dir), env);
    if (!id.is_ok()) return id.status();
    std::ofstream(spec.dir / detail::kJobIdFile, std::ios::trunc) << *id;
    return id;
  }
};

SlurmExecutor::SlurmExecutor(std::unique_ptr<State> state)
    : PollingExecutor(kWaitStep), state_(std::move(state)) {}

base::Result<std::unique_ptr<SlurmExecutor>> SlurmExecutor::create(TrialConfig config,
                                                                   SlurmExecutorOptions options) {
  if (options.parallel == 0) {
    return base::Status::invalid_argument(
        "slurm executor: parallel is 0; use 1 or more jobs at once");
  }
  auto state = std::make_unique<State>();
  QTUNE_ASSIGN_OR_RETURN(state->commands, detail::SlurmCommands::create(config.slurm));
  // Without sbatch every trial would fail at launch and use up the budget: refuse at once.
  QTUNE_RETURN_IF_ERROR(state->commands->check_sbatch());
  state->config = std::move(config);
  state->options = std::move(options);
  return std::unique_ptr<SlurmExecutor>(new SlurmExecutor(std::move(state)));
}

SlurmExecutor::~SlurmExecutor() {
  std::vector<State::Job*> all;
  for (State::Job& job : state_->jobs) all.push_back(&job);
  state_->stop(all, FailureReason::kInterrupted);
}

std::size_t SlurmExecutor::slots() const { return state_->options.parallel; }
std::size_t SlurmExecutor::running() const {
  return state_->jobs.size() + state_->outcomes.pending();
}

base::Status SlurmExecutor::start(const TrialSpec& given) {
  State& s = *state_;
  if (s.jobs.size() >= s.options.parallel) {
    return base::Status::unavailable(fmt::format(
        "slurm executor: {} jobs are queued or running; poll() until one finished", s.jobs.size()));
  }
  TrialSpec spec = given;
  spec.dir = std::filesystem::absolute(given.dir);
  QTUNE_ASSIGN_OR_RETURN(detail::PreparedTrial prepared, detail::prepare_trial(s.config, spec));
  if (prepared.failure) {
    s.finished.push_back(std::move(*prepared.failure));
    return base::Status::ok();
  }
  State::Job job;
  job.values = std::move(prepared.values);
  job.workdir = std::move(prepared.workdir);
  job.spec = std::move(spec);
  job.submitted = Clock::now();
  job.name = detail::job_name(s.options.study_name, job.spec);
  job.script =
      detail::job_script(detail::trial_argv(s.config, job.values), job.spec.dir, job.spec.number);
  const std::string& name = job.name;
  const std::string& script = job.script;
  std::string earlier_id;
  const State::Earlier earlier = s.earlier_job(job.spec, name, script, earlier_id);
  if (earlier != State::Earlier::kNone) {
    job.id = std::move(earlier_id);
    if (earlier == State::Earlier::kEndedUnwatched) {
      job.ended_unwatched = true;
      job.left_queue = job.submitted;
      s.notes.push_back(fmt::format(
          "trial {}: Slurm job {} of an earlier run started and ended while qtune was not "
          "watching; recording it failed with what Slurm knows, not running it again",
          job.spec.number, job.id));
    } else {
      s.notes.push_back(fmt::format(
          "trial {}: taking over Slurm job {} of an earlier run ({})", job.spec.number, job.id,
          earlier == State::Earlier::kRecorded ? "it has ended" : "still in the queue"));
    }
    // It began when job.sh started (or, still pending, when it was submitted), not now.
    const auto age = detail::file_age_seconds(job.spec.dir / detail::kJobStartedFile);
    s.taken_over.push_back(
        {job.spec.id,
         detail::unix_seconds_now() -
             age.value_or(
                 detail::file_age_seconds(job.spec.dir / detail::kJobIdFile).value_or(0))});
    // It began before this qtune: its timeout counts from job.sh's start.
    if (const auto started = modified(job.spec.dir / detail::kJobStartedFile)) {
      const auto ago = std::chrono::file_clock::now() - *started;
      job.running_since = job.submitted - std::max(base::Duration{0},
                                                   std::chrono::duration_cast<base::Duration>(ago));
    }
  } else {
    const std::optional<std::string> previous =
        base::read_small_file(job.spec.dir / detail::kJobIdFile);
    auto id = s.submit(job.spec, job.workdir, job.values, name, script);
    if (previous && id.is_ok()) {
      s.notes.push_back(fmt::format(
          "trial {}: Slurm job {} of an earlier run is not taken over (qtune cancelled it, it "
          "never started, or it runs another command); submitted again as job {}",
          job.spec.number, *previous, *id));
    }
    if (id.status().code() == base::StatusCode::kInvalidArgument) return id.status();
    if (id.status().code() == base::StatusCode::kUnavailable) {
      s.postpone(job, id.status().message());
    } else if (!id.is_ok()) {
      s.finished.push_back(detail::launch_failure(job.spec, id.status().message()));
      return base::Status::ok();
    } else {
      job.id = std::move(id).value();
    }
  }
  s.jobs.push_back(std::move(job));
  return base::Status::ok();
}

std::vector<FinishedTrial> SlurmExecutor::poll() {
  std::vector<FinishedTrial> out = std::exchange(state_->finished, {});
  state_->collect(out);
  state_->outcomes.collect(out);
  return out;
}

void SlurmExecutor::prune(TrialId id) {
  for (State::Job& job : state_->jobs) {
    if (job.spec.id == id) state_->stop({&job}, FailureReason::kPruned);
  }
}

void SlurmExecutor::release(TrialId id) {
  State& s = *state_;
  for (auto it = s.jobs.begin(); it != s.jobs.end(); ++it) {
    if (it->spec.id != id) continue;
    s.finished.push_back(detail::released_trial(
        id, fmt::format("handed to another process, which takes over Slurm job {}", it->id)));
    s.jobs.erase(it);
    return;
  }
}

void SlurmExecutor::cancel_waiting() {
  State& s = *state_;
  std::vector<State::Job*> waiting;
  for (auto it = s.jobs.begin(); it != s.jobs.end();) {
    if (!it->submitted_yet()) {
      s.finished.push_back(
          detail::released_trial(it->spec.id, "interrupted by qtune before sbatch took it"));
      it = s.jobs.erase(it);
      continue;
    }
    if (!it->running_since && !it->left_queue) waiting.push_back(&*it);
    ++it;
  }
  s.stop(waiting, FailureReason::kInterrupted);
}

std::vector<std::string> SlurmExecutor::take_notes() { return std::exchange(state_->notes, {}); }

std::vector<TakenOver> SlurmExecutor::take_taken_over() {
  return std::exchange(state_->taken_over, {});
}

std::vector<FinishedTrial> SlurmExecutor::cancel_all() {
  State& s = *state_;
  std::vector<FinishedTrial> out;
  // Trials whose submission waits for a retry never started: interrupted at once.
  for (auto it = s.jobs.begin(); it != s.jobs.end();) {
    if (it->submitted_yet()) {
      ++it;
      continue;
    }
    out.push_back(
        detail::released_trial(it->spec.id, "interrupted by qtune before sbatch took it"));
    it = s.jobs.erase(it);
  }
  std::vector<State::Job*> all;
  for (State::Job& job : s.jobs) all.push_back(&job);
  s.stop(all, FailureReason::kInterrupted);
  const Clock::time_point deadline = Clock::now() + kCancelLimit;
  while (true) {
    s.next_squeue = {};  // ask squeue at every round: the jobs are leaving now
    std::vector<FinishedTrial> more = poll();
    std::move(more.begin(), more.end(), std::back_inserter(out));
    if (s.jobs.empty() || Clock::now() >= deadline) break;
    std::this_thread::sleep_for(kCancelPoll);
  }
  // Still listed by squeue after the limit: reported anyway, Slurm finishes the cancel.
  for (State::Job& job : s.jobs) {
    TrialOutcome outcome;
    outcome.reason = FailureReason::kInterrupted;
    outcome.message =
        fmt::format("interrupted by qtune; Slurm job {} was still in the queue {} s after scancel",
                    job.id, kCancelLimit.count());
    out.push_back({job.spec.id, std::move(outcome)});
  }
  s.jobs.clear();
  // Jobs that ended before the cancel keep their outcome: their metric is waited for.
  s.outcomes.collect_all(out);
  return out;
}

}  // namespace qtune::exec
