#include "exec/polling_executor.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace qtune::exec {

std::vector<FinishedTrial> PollingExecutor::wait_any(base::Duration limit) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + limit;
  while (true) {
    std::vector<FinishedTrial> out = poll();
    if (!out.empty() || running() == 0 || Clock::now() >= deadline) return out;
    std::this_thread::sleep_for(std::min<base::Duration>(
        step_, std::chrono::duration_cast<base::Duration>(deadline - Clock::now())));
  }
}

}  // namespace qtune::exec
