#include "exec/background_outcomes.h"

#include <iterator>
#include <utility>
#include <variant>

namespace qtune::exec::detail {

BackgroundOutcomes::BackgroundOutcomes(const TrialConfig& config,
                                       const BuiltinMetricFunction& builtin)
    : config_(config), builtin_(builtin), thread_([this] { work(); }) {}

BackgroundOutcomes::~BackgroundOutcomes() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queued_.clear();
  }
  changed_.notify_all();
  thread_.join();
}

std::optional<TrialOutcome> BackgroundOutcomes::finish(const TrialSpec& spec,
                                                       const std::filesystem::path& workdir,
                                                       const TemplateValues& values,
                                                       const TrialEnd& end) {
  Job job{spec, workdir, values, end};
  // Only a trial that exited 0 by itself has its metric read (trial_outcome).
  const bool reads_builtin = !end.stopped_for && end.signal == 0 && end.exit_code == 0 &&
                             (std::holds_alternative<BuiltinMetric>(config_.metric) ||
                              std::holds_alternative<CombinedMetric>(config_.metric));
  if (!reads_builtin) return outcome(job);
  {
    std::lock_guard lock(mutex_);
    queued_.push_back(std::move(job));
  }
  changed_.notify_all();
  return std::nullopt;
}

std::size_t BackgroundOutcomes::pending() const {
  std::lock_guard lock(mutex_);
  return queued_.size() + computing_ + ready_.size();
}

void BackgroundOutcomes::collect(std::vector<FinishedTrial>& out) {
  std::lock_guard lock(mutex_);
  std::move(ready_.begin(), ready_.end(), std::back_inserter(out));
  ready_.clear();
}

void BackgroundOutcomes::collect_all(std::vector<FinishedTrial>& out) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return queued_.empty() && computing_ == 0; });
  std::move(ready_.begin(), ready_.end(), std::back_inserter(out));
  ready_.clear();
}

TrialOutcome BackgroundOutcomes::outcome(const Job& job) const {
  return trial_outcome(config_, builtin_, job.spec, job.workdir, job.values, job.end);
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
    TrialOutcome computed = outcome(job);
    lock.lock();
    computing_ = 0;
    ready_.push_back({job.spec.id, std::move(computed)});
    changed_.notify_all();
  }
}

}  // namespace qtune::exec::detail
