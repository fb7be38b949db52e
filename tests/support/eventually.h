// Waiting in tests for what another process does, without a timing assertion.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace qtune::testing {

// Polls `condition` every 20 ms for up to 60 s; false if it never held.
inline bool eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 3000; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace qtune::testing
