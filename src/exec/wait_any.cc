#include "exec/wait_any.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace qtune::exec {

std::vector<FinishedTrial> wait_any_by_polling(Executor& executor, base::Duration limit,
                                               base::Duration step) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + limit;
  while (true) {
    std::vector<FinishedTrial> out = executor.poll();
    if (!out.empty() || executor.running() == 0 || Clock::now() >= deadline) return out;
    std::this_thread::sleep_for(std::min<base::Duration>(
        step, std::chrono::duration_cast<base::Duration>(deadline - Clock::now())));
  }
}

}  // namespace qtune::exec
