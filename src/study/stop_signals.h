// SIGINT/SIGTERM for the Runner: while a StopSignals lives, either signal is recorded (not
// acted on) so that the loop stops cleanly at its next poll. Without SA_RESTART, so a blocking
// wait returns early with EINTR instead of sleeping through the request.
#pragma once

#include <signal.h>

namespace qtune::study {

class StopSignals {
 public:
  // Installs the handlers and forgets any signal recorded before.
  StopSignals();
  // Restores the handlers found at construction.
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // The signal received since construction, or 0.
  static int received();

 private:
  struct sigaction old_int_ = {};
  struct sigaction old_term_ = {};
};

}  // namespace qtune::study
