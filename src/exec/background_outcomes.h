// Trial outcomes computed off the executor's thread. A built-in image metric (FID on a folder
// of reconstructions) takes seconds to minutes; computed inside poll() it would stall the
// executor: no timeouts enforced, no other trial reaped, no heartbeat sent. Private to exec.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "qtune/exec/executor.h"

namespace qtune::exec::detail {

// One background thread computes the outcomes in the order they were added, one at a time,
// so the built-in metric (one Inception network, one cache) is never called concurrently.
class BackgroundOutcomes {
 public:
  using Compute = std::function<TrialOutcome()>;

  BackgroundOutcomes();
  // Waits for the outcome being computed; those still queued are dropped.
  ~BackgroundOutcomes();
  BackgroundOutcomes(const BackgroundOutcomes&) = delete;
  BackgroundOutcomes& operator=(const BackgroundOutcomes&) = delete;

  void add(TrialId id, Compute compute);
  // Added and not yet handed out by take_ready() or wait_all().
  std::size_t pending() const;
  // The outcomes computed so far; never blocks.
  std::vector<FinishedTrial> take_ready();
  // Blocks until every added outcome is computed; returns those not yet handed out.
  std::vector<FinishedTrial> wait_all();

 private:
  struct Job {
    TrialId id = 0;
    Compute compute;
  };
  void work();

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Job> queued_;
  std::vector<FinishedTrial> ready_;
  std::size_t computing_ = 0;  // 0 or 1: the job the thread has taken from queued_
  bool stopping_ = false;
  std::thread thread_;  // last: started once the members it uses exist
};

}  // namespace qtune::exec::detail
