#include "background_outcomes.h"

#include <utility>

namespace qtune::exec::detail {

BackgroundOutcomes::BackgroundOutcomes() : thread_([this] { work(); }) {}

BackgroundOutcomes::~BackgroundOutcomes() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queued_.clear();
  }
  changed_.notify_all();
  thread_.join();
}

void BackgroundOutcomes::add(TrialId id, Compute compute) {
  {
    std::lock_guard lock(mutex_);
    queued_.push_back({id, std::move(compute)});
  }
  changed_.notify_all();
}

std::size_t BackgroundOutcomes::pending() const {
  std::lock_guard lock(mutex_);
  return queued_.size() + computing_ + ready_.size();
}

std::vector<FinishedTrial> BackgroundOutcomes::take_ready() {
  std::lock_guard lock(mutex_);
  return std::exchange(ready_, {});
}

std::vector<FinishedTrial> BackgroundOutcomes::wait_all() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return queued_.empty() && computing_ == 0; });
  return std::exchange(ready_, {});
}

void BackgroundOutcomes::work() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [this] { return stopping_ || !queued_.empty(); });
    if (stopping_) return;
    Job job = std::move(queued_.front());
    queued_.pop_front();
    computing_ = 1;
    lock.unlock();
    TrialOutcome outcome = job.compute();
    lock.lock();
    computing_ = 0;
    ready_.push_back({job.id, std::move(outcome)});
    changed_.notify_all();
  }
}

}  // namespace qtune::exec::detail
