#include "cli/watch.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

#include "cli/command.h"

namespace qtune::cli {
namespace {

std::atomic<bool> stop_watching{false};
extern "C" void on_watch_stop_signal(int) { stop_watching = true; }

}  // namespace

int watch_study(int seconds, const WatchRound& round) {
  std::signal(SIGINT, on_watch_stop_signal);
  std::signal(SIGTERM, on_watch_stop_signal);
  bool finished = false;
  while (true) {
    const int code = round(true, &finished);
    if (code != kExitOk || finished) return code;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (!stop_watching && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (stop_watching) return round(false, &finished);
  }
}

}  // namespace qtune::cli
