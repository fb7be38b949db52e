// Trial outcomes computed off the executor's thread. A built-in image metric (FID on a folder
// of reconstructions) takes seconds to minutes; computed inside poll() it would stall the
// executor: no timeouts enforced, no other trial reaped, no heartbeat sent. Private to exec.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "exec/metric_source.h"
#include "exec/trial_run.h"
#include "qtune/exec/executor.h"
#include "qtune/exec/trial_config.h"

namespace qtune::exec::detail {

// Every executor finishes its trials through one of these. An outcome that needs the built-in
// metric (the trial exited 0 by itself and [trial] metric is built in) is computed on one
// background thread, in the order the trials ended and one at a time, so the metric (one
// Inception network, one cache) is never called concurrently; any other is computed at once.
class BackgroundOutcomes {
 public:
  // `config` and `builtin` must outlive this object (the thread reads them).
  BackgroundOutcomes(const TrialConfig& config, const BuiltinMetricFunction& builtin);
  // Waits for the outcome being computed; those still queued are dropped.
  ~BackgroundOutcomes();
  BackgroundOutcomes(const BackgroundOutcomes&) = delete;
  BackgroundOutcomes& operator=(const BackgroundOutcomes&) = delete;

  // The outcome of a trial that ended as `end`, or nullopt when it went to the thread: it
  // then comes back from collect() or collect_all().
  std::optional<TrialOutcome> finish(const TrialSpec& spec, const std::filesystem::path& workdir,
                                     const TemplateValues& values, const TrialEnd& end);
  // Sent to the thread and not yet handed out by collect() or collect_all().
  std::size_t pending() const;
  // Appends the outcomes the thread has computed so far; never blocks.
  void collect(std::vector<FinishedTrial>& out);
  // Blocks until the thread has computed every outcome sent to it, then appends them.
  void collect_all(std::vector<FinishedTrial>& out);

 private:
  struct Job {
    TrialSpec spec;
    std::filesystem::path workdir;
    TemplateValues values;
    TrialEnd end;
  };
  TrialOutcome outcome(const Job& job) const;
  void work();

  const TrialConfig& config_;
  const BuiltinMetricFunction& builtin_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Job> queued_;
  std::vector<FinishedTrial> ready_;
  std::size_t computing_ = 0;  // 0 or 1: the job the thread has taken from queued_
  bool stopping_ = false;
  std::thread thread_;  // last: started once the members it uses exist
};

}  // namespace qtune::exec::detail
