// Waiting in tests for what another process does, without a timing assertion.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <string>
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

// True if `pid` has exited (no such process, or a zombie nobody reaped yet) within 1 s:
// delivering SIGKILL is asynchronous.
inline bool process_ended(pid_t pid) {
  for (int i = 0; i < 100; ++i) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!in || !std::getline(in, stat)) return true;
    const auto paren = stat.rfind(')');
    if (paren != std::string::npos && stat.substr(paren + 2, 1) == "Z") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace qtune::testing
